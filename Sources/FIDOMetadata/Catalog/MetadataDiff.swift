import Foundation
import WebAuthn

/// What changed between two catalogs: authenticators that appeared, disappeared, and whose
/// status in force changed. Newly in-force compromise or RETIRED statuses are highlighted:
/// they are what pauses registrations and flags stored credentials.
public struct MetadataDiff: Sendable {
    /// How an authenticator is identified across BLOBs.
    public enum Key: Sendable, Hashable, Comparable, CustomStringConvertible {
        case aaguid(AAGUID)
        case attestationCertificateKeyIdentifier(String)
        case aaid(String)

        public var description: String {
            switch self {
            case .aaguid(let aaguid): "aaguid:\(aaguid)"
            case .attestationCertificateKeyIdentifier(let identifier): "akid:\(identifier)"
            case .aaid(let aaid): "aaid:\(aaid)"
            }
        }

        public static func < (a: Key, b: Key) -> Bool { a.description < b.description }

        /// Every key an entry can be found by (an AAGUID, else its key identifiers, else its AAID).
        static func keys(of entry: MetadataEntry) -> [Key] {
            if let aaguid = entry.aaguid { return [.aaguid(aaguid)] }
            if !entry.attestationCertificateKeyIdentifiers.isEmpty {
                return entry.attestationCertificateKeyIdentifiers.map { .attestationCertificateKeyIdentifier($0.lowercased()) }
            }
            if let aaid = entry.aaid { return [.aaid(aaid)] }
            return []
        }
    }

    public struct Listing: Sendable {
        public let key: Key
        public let description: String
        public let status: StatusReport?
    }

    public struct StatusChange: Sendable {
        public let key: Key
        public let description: String
        public let oldStatus: AuthenticatorStatus?
        public let newStatus: AuthenticatorStatus?
        /// The report now in force.
        public let newReport: StatusReport?
        /// Compromise or RETIRED reports in force in the new catalog that the old one did not have.
        public let newlyInForceAlerts: [StatusReport]

        /// A compromise (USER_VERIFICATION_BYPASS, ATTESTATION_KEY_COMPROMISE, USER_KEY_*_COMPROMISE,
        /// REVOKED) or RETIRED status came into force.
        public var isAlert: Bool { !newlyInForceAlerts.isEmpty }
    }

    public let oldSerialNumber: Int
    public let newSerialNumber: Int
    public let appeared: [Listing]
    public let disappeared: [Listing]
    public let statusChanged: [StatusChange]

    /// The changes a bank must act on now.
    public var alerts: [StatusChange] { statusChanged.filter(\.isAlert) }

    public var isEmpty: Bool { appeared.isEmpty && disappeared.isEmpty && statusChanged.isEmpty }

    /// Compares the statuses in force at `date` in `old` and `new`.
    public init(from old: MetadataCatalog, to new: MetadataCatalog, at date: Date) {
        oldSerialNumber = old.serialNumber
        newSerialNumber = new.serialNumber
        var appeared: [Listing] = []
        var changed: [StatusChange] = []
        var matchedOld = Set<Int>()
        for entry in new.entries {
            let keys = Key.keys(of: entry)
            guard let key = keys.first else { continue }
            guard let oldIndex = keys.lazy.compactMap({ old.index(for: $0) }).first else {
                appeared.append(Listing(key: key, description: entry.description, status: entry.status(at: date)))
                continue
            }
            matchedOld.insert(oldIndex)
            let previous = old.entries[oldIndex]
            let oldReport = previous.status(at: date)
            let newReport = entry.status(at: date)
            let known = Set(previous.alerts(at: date).map { AlertIdentity($0) })
            let fresh = entry.alerts(at: date).filter { !known.contains(AlertIdentity($0)) }
            if oldReport?.status != newReport?.status || !fresh.isEmpty {
                changed.append(StatusChange(key: key, description: entry.description, oldStatus: oldReport?.status, newStatus: newReport?.status,
                                            newReport: newReport, newlyInForceAlerts: fresh))
            }
        }
        var disappeared: [Listing] = []
        for (index, entry) in old.entries.enumerated() where !matchedOld.contains(index) {
            let keys = Key.keys(of: entry)
            guard let key = keys.first, !keys.contains(where: { new.index(for: $0) != nil }) else { continue }
            disappeared.append(Listing(key: key, description: entry.description, status: entry.status(at: date)))
        }
        self.appeared = appeared.sorted { $0.key < $1.key }
        self.disappeared = disappeared.sorted { $0.key < $1.key }
        self.statusChanged = changed.sorted { $0.key < $1.key }
    }

    private struct AlertIdentity: Hashable {
        let status: String
        let effectiveDate: Date?
        init(_ report: StatusReport) {
            status = report.status.rawValue
            effectiveDate = report.effectiveDate
        }
    }
}

extension MetadataCatalog {
    func index(for key: MetadataDiff.Key) -> Int? {
        switch key {
        case .aaguid(let aaguid): byAAGUID[AAGUIDKey(aaguid)]
        case .attestationCertificateKeyIdentifier(let identifier): byKeyIdentifier[identifier]
        case .aaid(let aaid): byAAID[aaid]
        }
    }
}
