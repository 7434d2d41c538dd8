// swift-tools-version:6.1
import PackageDescription

// Layers (DESIGN.md), inner to outer: WebAuthn → FIDOMetadata → TrustPolicy → ClavigerCore → Storage → Server → claviger CLI.
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
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
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
        // Domain services: accounts, credentials, ceremonies, sessions. Storage through protocols.
        .target(
            name: "ClavigerCore",
            dependencies: [
                "WebAuthn",
                "FIDOMetadata",
                "TrustPolicy",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The SQL implementation of ClavigerCore's store: SQLite (default) and PostgreSQL.
        .target(
            name: "Storage",
            dependencies: [
                "ClavigerCore",
                "WebAuthn",
                "TrustPolicy",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // HTTP API, demo bank pages, browser SDK, metrics, health.
        .target(
            name: "Server",
            dependencies: [
                "ClavigerCore",
                "WebAuthn",
                "FIDOMetadata",
                "TrustPolicy",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Public")]
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
                "ClavigerCore",
                "Storage",
                "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Drives the full sign-in (options + verify) over HTTP with software authenticators.
        .executableTarget(
            name: "claviger-load",
            dependencies: [
                "WebAuthn",
                "ClavigerTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The stack's upper bound for claviger-load: HTTP and one P-256 verify per sign-in, nothing else.
        .executableTarget(
            name: "claviger-ceiling",
            dependencies: [
                "WebAuthn",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
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
        // Reads ../shared/vectors for the test targets that walk them (tests only).
        .target(
            name: "VectorTestSupport",
            dependencies: ["WebAuthn", .product(name: "X509", package: "swift-certificates")],
            path: "Tests/VectorTestSupport"
        ),
        .testTarget(
            name: "TrustPolicyTests",
            dependencies: ["TrustPolicy", "FIDOMetadata", "WebAuthn", "ClavigerTesting", "VectorTestSupport"]
        ),
        .testTarget(
            name: "ClavigerCLITests",
            dependencies: ["claviger", "WebAuthn", "FIDOMetadata", "ClavigerTesting", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "X509", package: "swift-certificates")]
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Storage", "ClavigerCore", "WebAuthn", "TrustPolicy", "ClavigerTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["WebAuthn", "ClavigerTesting", "VectorTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
