// swift-tools-version:6.1
import PackageDescription

// Layers (DESIGN.md), inner to outer: WebAuthn → (FIDOMetadata → TrustPolicy → Claviger → Storage → Server) → claviger CLI.
// ClavigerTesting holds software authenticators for tests and benchmarks only.
let package = Package(
    name: "Claviger",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "claviger", targets: ["claviger"]),
        .library(name: "WebAuthn", targets: ["WebAuthn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        .target(
            name: "WebAuthn",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "ClavigerTesting",
            dependencies: [
                "WebAuthn",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .executableTarget(
            name: "claviger",
            dependencies: [
                "WebAuthn",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "WebAuthnTests",
            dependencies: ["WebAuthn", "ClavigerTesting"]
        ),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["WebAuthn", "ClavigerTesting"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
