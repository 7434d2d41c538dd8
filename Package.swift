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
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
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
            name: "FIDOMetadata",
            dependencies: [
                "WebAuthn",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "TrustPolicy",
            dependencies: [
                "WebAuthn",
                "FIDOMetadata",
                .product(name: "Yams", package: "Yams"),
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
                "FIDOMetadata",
                "TrustPolicy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "WebAuthnTests",
            dependencies: ["WebAuthn", "ClavigerTesting"],
            // Fuzz regression inputs are read through #filePath, not bundled.
            exclude: ["FuzzRegressions"]
        ),
        .testTarget(
            name: "FIDOMetadataTests",
            dependencies: ["FIDOMetadata", "WebAuthn", "ClavigerTesting"],
            // The local MDS server the downloader tests start (run by path, not bundled).
            exclude: ["mds_test_server.py"]
        ),
        .testTarget(
            name: "TrustPolicyTests",
            dependencies: ["TrustPolicy", "FIDOMetadata", "WebAuthn", "ClavigerTesting"]
        ),
        .testTarget(
            name: "ClavigerCLITests",
            dependencies: ["claviger", "WebAuthn", "ClavigerTesting"]
        ),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["WebAuthn", "ClavigerTesting"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
