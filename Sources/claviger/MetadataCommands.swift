import ArgumentParser
import FIDOMetadata
import Foundation
import WebAuthn
import X509

/// `claviger metadata …`: verify an MDS3 BLOB and look authenticators up in it.
struct MetadataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata",
        abstract: "FIDO Metadata Service (MDS3) BLOB tools.",
        subcommands: [MetadataVerify.self, MetadataLookup.self])
}

/// Options both metadata commands share: the BLOB, its trust roots, the time and CRLs.
struct BLOBOptions: ParsableArguments {
    @Argument(help: "The MDS3 BLOB (a compact JWS, e.g. blob.jwt).")
    var blob: String

    @Option(name: .customLong("trust-root"), help: "A PEM root the BLOB chain may end at, instead of GlobalSign Root CA - R3; repeat for several.")
    var trustRoots: [String] = []

    @Option(help: "Verify at this time (ISO 8601); default now.")
    var at: String?

    @Option(name: .customLong("crl"), help: "A CRL (DER or PEM) for the BLOB's chain; repeat for several.")
    var crls: [String] = []

    @Option(name: .customLong("previous-no"), help: "The BLOB serial number already accepted: a BLOB whose no is not greater is refused.")
    var previousSerialNumber: Int?

    @Flag(name: .customLong("require-fresh"), help: "Refuse a BLOB past its nextUpdate (blob_stale) instead of reporting stale.")
    var requireFresh = false

    /// Everything read from disk before verification; problems here are usage errors (exit 2).
    struct Loaded {
        let blob: [UInt8]
        let verifier: MetadataBLOBVerifier
        let time: Date
    }

    func load() throws -> Loaded {
        let time = try at.map(parseTime) ?? Date()
        guard let data = FileManager.default.contents(atPath: blob) else { throw UsageError("cannot read \(blob)") }
        var roots: [Certificate]?
        if !trustRoots.isEmpty {
            var collected: [Certificate] = []
            for path in trustRoots {
                guard let pem = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
                    throw UsageError("cannot read trust root \(path)")
                }
                do {
                    collected += try TrustAnchors.certificates(pem: pem)
                } catch {
                    throw UsageError("\(path): \(error.message)")
                }
            }
            roots = collected
        }
        var revocationLists: [CertificateRevocationList] = []
        for path in crls {
            guard let bytes = FileManager.default.contents(atPath: path) else { throw UsageError("cannot read CRL \(path)") }
            do {
                revocationLists.append(try CertificateRevocationList(bytes: Array(bytes)))
            } catch {
                throw UsageError("\(path): \(error.message)")
            }
        }
        let verifier = MetadataBLOBVerifier(trustRoots: roots, crls: revocationLists, requireFresh: requireFresh)
        return Loaded(blob: Array(data), verifier: verifier, time: time)
    }
}

/// The JSON both metadata commands print.
struct MetadataReport: Encodable {
    struct Entry: Encodable {
        var aaguid: String?
        var aaid: String?
        var attestationCertificateKeyIdentifiers: [String]?
        var description: String
        var protocolFamily: String?
        var status: String?
        var statusEffectiveDate: String?
        var compromised: Bool
        var certificationLevel: String?
        var keyProtection: [String]?
        var matcherProtection: [String]?
        var attachmentHint: [String]?
        var attestationTypes: [String]?
        var multiDeviceCredentialSupport: String?
        var attestationRootSubjects: [String]?
        var attestationRootSHA256: [String]?
    }

    var valid: Bool
    var code: String?
    var message: String?
    var no: Int?
    var nextUpdate: String?
    var stale: Bool?
    var entries: Int?
    var statusCounts: [String: Int]?
    var algorithm: String?
    var signer: String?
    var verifiedAt: String?
    var found: Bool?
    var entry: Entry?

    init(error: MetadataError) {
        valid = false
        code = error.code.rawValue
        message = error.message
    }

    init(_ verified: VerifiedMetadataBLOB) {
        valid = true
        message = verified.isStale ? "the BLOB is past its nextUpdate: fetch a newer one" : nil
        no = verified.serialNumber
        nextUpdate = verified.nextUpdate.map(MetadataDate.format)
        stale = verified.isStale
        entries = verified.catalog.entries.count
        statusCounts = verified.catalog.statusCounts(at: verified.verifiedAt)
        algorithm = verified.algorithm
        signer = verified.signingCertificate.map { "\($0.subject)" }
        verifiedAt = ISO8601DateFormatter().string(from: verified.verifiedAt)
    }

    static func entry(_ entry: MetadataEntry, catalog: MetadataCatalog, at time: Date) -> Entry {
        let report = entry.status(at: time)
        let roots: [Certificate]
        if let aaguid = entry.aaguid {
            roots = catalog.trustAnchors(forAAGUID: aaguid)
        } else if let identifier = entry.attestationCertificateKeyIdentifiers.first {
            roots = catalog.trustAnchors(forAttestationCertificateKeyIdentifier: identifier)
        } else {
            roots = entry.statement?.attestationRoots ?? []
        }
        return Entry(
            aaguid: entry.aaguid?.description, aaid: entry.aaid,
            attestationCertificateKeyIdentifiers: entry.attestationCertificateKeyIdentifiers.isEmpty ? nil : entry.attestationCertificateKeyIdentifiers,
            description: entry.description, protocolFamily: entry.statement?.protocolFamily,
            status: report?.status.rawValue, statusEffectiveDate: report?.effectiveDate.map(MetadataDate.format),
            compromised: !entry.compromises(at: time).isEmpty,
            certificationLevel: entry.certificationLevel(at: time)?.name,
            keyProtection: entry.statement?.keyProtection, matcherProtection: entry.statement?.matcherProtection,
            attachmentHint: entry.statement?.attachmentHint, attestationTypes: entry.statement?.attestationTypes,
            multiDeviceCredentialSupport: entry.statement?.multiDeviceCredentialSupport,
            attestationRootSubjects: roots.map { "\($0.subject)" },
            attestationRootSHA256: roots.map(\.sha256Fingerprint))
    }

    func print() {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

struct MetadataVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify an MDS3 BLOB: JWS signature, certificate chain to the MDS root, CRLs, serial number, nextUpdate.")

    @OptionGroup var options: BLOBOptions

    func run() async throws {
        let loaded: BLOBOptions.Loaded
        do {
            loaded = try options.load()
        } catch {
            throw usageFailure("\(error)")
        }
        do {
            let verified = try await loaded.verifier.verify(loaded.blob, at: loaded.time, previousSerialNumber: options.previousSerialNumber)
            MetadataReport(verified).print()
        } catch {
            MetadataReport(error: error).print()
            throw ExitCode(1)
        }
    }
}

struct MetadataLookup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Verify an MDS3 BLOB and print the entry for one authenticator (exit 1 if the BLOB is invalid or the entry is absent).")

    @OptionGroup var options: BLOBOptions

    @Option(help: "The authenticator's AAGUID (8-4-4-4-12).")
    var aaguid: String?

    @Option(name: .customLong("key-identifier"), help: "A U2F attestation certificate key identifier (hex SHA-1), instead of --aaguid.")
    var keyIdentifier: String?

    func run() async throws {
        let loaded: BLOBOptions.Loaded
        var parsedAAGUID: AAGUID?
        do {
            guard (aaguid == nil) != (keyIdentifier == nil) else { throw UsageError("give exactly one of --aaguid and --key-identifier") }
            if let aaguid {
                guard let value = AAGUID(aaguid) else { throw UsageError("--aaguid \(aaguid) is not a UUID") }
                parsedAAGUID = value
            }
            loaded = try options.load()
        } catch {
            throw usageFailure("\(error)")
        }
        let verified: VerifiedMetadataBLOB
        do {
            verified = try await loaded.verifier.verify(loaded.blob, at: loaded.time, previousSerialNumber: options.previousSerialNumber)
        } catch {
            MetadataReport(error: error).print()
            throw ExitCode(1)
        }
        var report = MetadataReport(verified)
        report.statusCounts = nil
        let entry = parsedAAGUID.flatMap(verified.catalog.entry(aaguid:))
            ?? keyIdentifier.flatMap(verified.catalog.entry(attestationCertificateKeyIdentifier:))
        report.found = entry != nil
        if let entry {
            report.entry = MetadataReport.entry(entry, catalog: verified.catalog, at: loaded.time)
        } else {
            report.message = "no entry for " + (aaguid.map { "AAGUID \($0)" } ?? "key identifier \(keyIdentifier ?? "")")
        }
        report.print()
        if entry == nil { throw ExitCode(1) }
    }
}

/// `claviger bench metadata`: verify + decode + index a synthetic BLOB of production size,
/// then AAGUID lookups. Prints one JSON object.
struct BenchMetadata: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata",
        abstract: "Benchmark MDS3 BLOB verification, decoding and indexing, and catalog lookups, on a synthetic BLOB.")

    @Option(help: "Entries in the synthetic BLOB.")
    var entries: Int = 5000

    @Option(help: "Timed verification runs (the median is reported).")
    var runs: Int = 9

    @Option(help: "AAGUID lookups to time.")
    var lookups: Int = 5_000_000

    struct Result: Encodable {
        let entries: Int
        let blobBytes: Int
        let payloadBytes: Int
        let runs: Int
        let verifyDecodeIndexMedianMs: Double
        let verifyDecodeIndexMinMs: Double
        let verifyDecodeIndexMaxMs: Double
        /// For comparison only: a general JSON tree parse (WebAuthn.JSONValue) of the same payload, median.
        let payloadJSONParseMedianMs: Double
        let lookups: Int
        let lookupNsPerOp: Double
        let containsNsPerOp: Double
        let trustAnchorsFirstNs: Double
        let trustAnchorsCachedNs: Double
        let goalVerifyMs: Double
        let goalLookupNs: Double
    }

    func run() async throws {
        guard entries > 0, runs > 0, lookups > 0 else { throw usageFailure("--entries, --runs and --lookups must be positive") }
        let now = Date()
        let pki = try MetadataSigningPKI(notBefore: now.addingTimeInterval(-86_400), notAfter: now.addingTimeInterval(86_400 * 365))
        let payload = try SyntheticMetadata.payload(entries: entries, serialNumber: 100, nextUpdate: MetadataDate.format(now.addingTimeInterval(86_400 * 30)))
        let blob = try pki.sign(payload: payload.json)
        let verifier = MetadataBLOBVerifier(trustRoots: [pki.root])

        // Warm-up, untimed.
        var catalog = try await verifier.verify(blob, at: now).catalog
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            catalog = try await verifier.verify(blob, at: now, previousSerialNumber: 99).catalog
            samples.append(milliseconds(start.duration(to: .now)))
        }
        samples.sort()
        var parseSamples: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            guard case .success = JSONValue.parse(payload.json, limits: .init(maxDepth: 64, maxBytes: MetadataBLOBVerifier.defaultMaxBytes)) else { throw ExitCode(1) }
            parseSamples.append(milliseconds(start.duration(to: .now)))
        }
        parseSamples.sort()

        let keys = payload.aaguids
        guard !keys.isEmpty else { throw usageFailure("the synthetic BLOB has no AAGUID entries") }
        var found = 0
        var start = ContinuousClock.now
        for index in 0..<lookups {
            if let entry = catalog.entry(aaguid: keys[index % keys.count]) { found &+= entry.statusReports.count }
        }
        let lookupNs = milliseconds(start.duration(to: .now)) * 1_000_000 / Double(lookups)
        start = ContinuousClock.now
        for index in 0..<lookups where catalog.contains(aaguid: keys[index % keys.count]) { found &+= 1 }
        let containsNs = milliseconds(start.duration(to: .now)) * 1_000_000 / Double(lookups)
        start = ContinuousClock.now
        found &+= catalog.trustAnchors(forAAGUID: keys[0]).count
        let firstAnchorsNs = milliseconds(start.duration(to: .now)) * 1_000_000
        start = ContinuousClock.now
        for _ in 0..<1000 { found &+= catalog.trustAnchors(forAAGUID: keys[0]).count }
        let cachedAnchorsNs = milliseconds(start.duration(to: .now)) * 1_000
        guard found > 0 else { throw ExitCode(1) }

        let result = Result(
            entries: catalog.entries.count, blobBytes: blob.count, payloadBytes: payload.json.count, runs: runs,
            verifyDecodeIndexMedianMs: samples[samples.count / 2], verifyDecodeIndexMinMs: samples.first ?? 0, verifyDecodeIndexMaxMs: samples.last ?? 0,
            payloadJSONParseMedianMs: parseSamples[parseSamples.count / 2],
            lookups: lookups, lookupNsPerOp: lookupNs, containsNsPerOp: containsNs,
            trustAnchorsFirstNs: firstAnchorsNs, trustAnchorsCachedNs: cachedAnchorsNs, goalVerifyMs: 150, goalLookupNs: 1000)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        FileHandle.standardOutput.write(try encoder.encode(result) + Data("\n".utf8))
    }

    func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
