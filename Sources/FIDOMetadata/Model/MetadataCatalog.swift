import Foundation
import Synchronization
import WebAuthn
import X509

/// A verified BLOB's entries, indexed for lookups on every sign-in.
public struct MetadataCatalog: Sendable {
    /// The BLOB serial number (`no`): a later BLOB must have a greater one.
    public let serialNumber: Int
    public let nextUpdate: Date?
    public let legalHeader: String?
    public let entries: [MetadataEntry]
    let byAAGUID: [AAGUIDKey: Int]
    let byKeyIdentifier: [String: Int]
    let byAAID: [String: Int]
    /// Attestation roots parsed on first use: parsing every statement's roots at load would
    /// cost more than the rest of loading, and a registration needs one entry's.
    let roots = RootCertificateCache()

    public init(serialNumber: Int, nextUpdate: Date?, legalHeader: String? = nil, entries: [MetadataEntry]) {
        self.serialNumber = serialNumber
        self.nextUpdate = nextUpdate
        self.legalHeader = legalHeader
        self.entries = entries
        var byAAGUID: [AAGUIDKey: Int] = [:]
        var byKeyIdentifier: [String: Int] = [:]
        var byAAID: [String: Int] = [:]
        byAAGUID.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            if let aaguid = entry.aaguid { byAAGUID[AAGUIDKey(aaguid)] = index }
            if let aaid = entry.aaid { byAAID[aaid] = index }
            for identifier in entry.attestationCertificateKeyIdentifiers { byKeyIdentifier[identifier.lowercased()] = index }
        }
        self.byAAGUID = byAAGUID
        self.byKeyIdentifier = byKeyIdentifier
        self.byAAID = byAAID
    }

    public func entry(aaguid: AAGUID) -> MetadataEntry? {
        byAAGUID[AAGUIDKey(aaguid)].map { entries[$0] }
    }

    /// By attestation certificate key identifier: lowercase hex SHA-1 of the subjectPublicKey.
    public func entry(attestationCertificateKeyIdentifier identifier: String) -> MetadataEntry? {
        byKeyIdentifier[identifier.lowercased()].map { entries[$0] }
    }

    /// The entry for a registration's authenticator: by AAGUID, or, for a U2F authenticator (zero
    /// AAGUID: its only identity is its attestation certificate), by that certificate's key
    /// identifier. `attestationCertificate` is the DER leaf of the attestation trust path.
    public func entry(aaguid: AAGUID, attestationCertificate: [UInt8]?) -> MetadataEntry? {
        guard aaguid.isZero else { return entry(aaguid: aaguid) }
        guard let attestationCertificate, let certificate = try? Certificate(derEncoded: attestationCertificate) else { return nil }
        return entry(attestationCertificateKeyIdentifier: Self.keyIdentifier(of: certificate))
    }

    /// MDS3 `attestationCertificateKeyIdentifiers`: lowercase hex SHA-1 of the certificate's
    /// subjectPublicKey (RFC 5280 §4.2.1.2, method 1).
    public static func keyIdentifier(of certificate: Certificate) -> String {
        Array(SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier).hexString
    }

    /// By UAF authenticator attestation ID (`aaid`, e.g. `4e4e#4005`).
    public func entry(aaid: String) -> MetadataEntry? {
        byAAID[aaid].map { entries[$0] }
    }

    /// Whether an entry exists for `aaguid` (no copy of the entry).
    public func contains(aaguid: AAGUID) -> Bool { byAAGUID[AAGUIDKey(aaguid)] != nil }

    // MARK: - Trust anchors from metadata statements

    /// The attestation roots the statement for `aaguid` lists: the only roots a registration
    /// claiming that AAGUID may chain to. Empty when the AAGUID is unknown or lists none.
    public func trustAnchors(forAAGUID aaguid: AAGUID) -> [Certificate] {
        guard let index = byAAGUID[AAGUIDKey(aaguid)] else { return [] }
        return roots(at: index)
    }

    /// The attestation roots for a U2F authenticator's attestation certificate key identifier.
    public func trustAnchors(forAttestationCertificateKeyIdentifier identifier: String) -> [Certificate] {
        guard let index = byKeyIdentifier[identifier.lowercased()] else { return [] }
        return roots(at: index)
    }

    /// Trust anchors for one registration: the statement's roots, scoped to `format`.
    public func anchors(for aaguid: AAGUID, format: String) -> TrustAnchors {
        TrustAnchors(byFormat: [format: trustAnchors(forAAGUID: aaguid)])
    }

    /// Trust anchors for one U2F registration identified by its certificate key identifier.
    public func anchors(forAttestationCertificateKeyIdentifier identifier: String, format: String = "fido-u2f") -> TrustAnchors {
        TrustAnchors(byFormat: [format: trustAnchors(forAttestationCertificateKeyIdentifier: identifier)])
    }

    private func roots(at index: Int) -> [Certificate] {
        roots.certificates(at: index) { entries[index].statement?.attestationRoots ?? [] }
    }

    // MARK: - Summaries

    /// How many entries have each latest status in force at `date` (entries with no known status: `none`).
    public func statusCounts(at date: Date) -> [String: Int] {
        var counts: [String: Int] = [:]
        for entry in entries {
            counts[entry.status(at: date)?.status.rawValue ?? "none", default: 0] += 1
        }
        return counts
    }
}

/// Parsed attestation roots per entry index, filled on first use; safe to share across tasks.
final class RootCertificateCache: Sendable {
    private let storage = Mutex<[Int: [Certificate]]>([:])

    func certificates(at index: Int, parse: () -> [Certificate]) -> [Certificate] {
        if let cached = storage.withLock({ $0[index] }) { return cached }
        let parsed = parse()
        storage.withLock { $0[index] = parsed }
        return parsed
    }
}

/// An AAGUID as two words: hashing two integers is several times cheaper than hashing the
/// 16-element byte array `AAGUID` holds, and lookups happen on every ceremony.
struct AAGUIDKey: Hashable {
    let high: UInt64
    let low: UInt64

    init(_ aaguid: AAGUID) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in aaguid.bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.high = high
        self.low = low
    }
}
