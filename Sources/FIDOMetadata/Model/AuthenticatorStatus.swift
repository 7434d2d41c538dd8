/// `AuthenticatorStatus` (FIDO MDS 3.0 §3.1.4 and MDS 3.1.1). Values this build does not know are
/// kept as `.unknown` and ignored by decisions, as the specification requires.
public enum AuthenticatorStatus: Sendable, Hashable, Codable, CustomStringConvertible {
    case notFIDOCertified
    case fidoCertified
    case userVerificationBypass
    case attestationKeyCompromise
    case userKeyRemoteCompromise
    case userKeyPhysicalCompromise
    case updateAvailable
    case revoked
    case selfAssertionSubmitted
    case fidoCertifiedL1
    case fidoCertifiedL1Plus
    case fidoCertifiedL2
    case fidoCertifiedL2Plus
    case fidoCertifiedL3
    case fidoCertifiedL3Plus
    case fips140CertifiedL1
    case fips140CertifiedL2
    case fips140CertifiedL3
    case fips140CertifiedL4
    /// MDS 3.1: the vendor no longer supports the authenticator.
    case retired
    case unknown(String)

    static let known: [(String, AuthenticatorStatus)] = [
        ("NOT_FIDO_CERTIFIED", .notFIDOCertified), ("FIDO_CERTIFIED", .fidoCertified),
        ("USER_VERIFICATION_BYPASS", .userVerificationBypass), ("ATTESTATION_KEY_COMPROMISE", .attestationKeyCompromise),
        ("USER_KEY_REMOTE_COMPROMISE", .userKeyRemoteCompromise), ("USER_KEY_PHYSICAL_COMPROMISE", .userKeyPhysicalCompromise),
        ("UPDATE_AVAILABLE", .updateAvailable), ("REVOKED", .revoked), ("SELF_ASSERTION_SUBMITTED", .selfAssertionSubmitted),
        ("FIDO_CERTIFIED_L1", .fidoCertifiedL1), ("FIDO_CERTIFIED_L1plus", .fidoCertifiedL1Plus),
        ("FIDO_CERTIFIED_L2", .fidoCertifiedL2), ("FIDO_CERTIFIED_L2plus", .fidoCertifiedL2Plus),
        ("FIDO_CERTIFIED_L3", .fidoCertifiedL3), ("FIDO_CERTIFIED_L3plus", .fidoCertifiedL3Plus),
        ("FIPS140_CERTIFIED_L1", .fips140CertifiedL1), ("FIPS140_CERTIFIED_L2", .fips140CertifiedL2),
        ("FIPS140_CERTIFIED_L3", .fips140CertifiedL3), ("FIPS140_CERTIFIED_L4", .fips140CertifiedL4),
        ("RETIRED", .retired),
    ]

    public init(rawValue: String) {
        self = Self.known.first { $0.0 == rawValue }?.1 ?? .unknown(rawValue)
    }

    public var rawValue: String {
        if case .unknown(let raw) = self { return raw }
        return Self.known.first { $0.1 == self }?.0 ?? ""
    }

    public var description: String { rawValue }

    /// Statuses that say the authenticator's keys or user verification can no longer be relied on.
    public var isCompromise: Bool {
        switch self {
        case .userVerificationBypass, .attestationKeyCompromise, .userKeyRemoteCompromise, .userKeyPhysicalCompromise, .revoked: true
        default: false
        }
    }

    /// The FIDO certification level this status states, if it states one.
    public var certificationLevel: CertificationLevel? {
        switch self {
        case .notFIDOCertified: .notCertified
        case .selfAssertionSubmitted: .selfAsserted
        case .fidoCertified, .fidoCertifiedL1: .l1
        case .fidoCertifiedL1Plus: .l1Plus
        case .fidoCertifiedL2: .l2
        case .fidoCertifiedL2Plus: .l2Plus
        case .fidoCertifiedL3: .l3
        case .fidoCertifiedL3Plus: .l3Plus
        default: nil
        }
    }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// FIDO authenticator certification levels, ordered (`.l2 > .l1`).
public enum CertificationLevel: Int, Sendable, Comparable, Codable, CaseIterable {
    case notCertified = 0
    case selfAsserted
    case l1
    case l1Plus
    case l2
    case l2Plus
    case l3
    case l3Plus

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public var name: String {
        switch self {
        case .notCertified: "not certified"
        case .selfAsserted: "self-asserted"
        case .l1: "L1"
        case .l1Plus: "L1+"
        case .l2: "L2"
        case .l2Plus: "L2+"
        case .l3: "L3"
        case .l3Plus: "L3+"
        }
    }
}
