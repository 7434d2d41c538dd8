// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for the WebAuthn module's parsers. Build and run with `./run.sh TARGET SECONDS`
// (see README.md): every executable here needs `-sanitize=fuzzer`, which links libFuzzer's `main`.
let fuzzTargets = [
    "fuzz-cbor",
    "fuzz-authdata",
    "fuzz-attestation",
    "fuzz-attestation-parts",
    "fuzz-registration-json",
    "fuzz-authentication-json",
    "fuzz-client-data",
]

// The main package: the working tree by default. run.sh can point this at a frozen copy
// (FUZZ_SOURCE=snapshot) so that a long run is not broken by edits made while it builds.
let mainPackagePath = Context.environment["CLAVIGER_FUZZ_PACKAGE_PATH"] ?? ".."

let package = Package(
    name: "ClavigerFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Claviger", path: mainPackagePath),
        // Same versions as the main package (Package.resolved is shared): for X509/SwiftASN1 in the parts harness.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        .target(name: "FuzzDriver"),
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "WebAuthn", package: "Claviger")]
        ),
    ] + fuzzTargets.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                "FuzzSupport",
                "FuzzDriver",
                .product(name: "WebAuthn", package: "Claviger"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    },
    swiftLanguageModes: [.v6]
)
