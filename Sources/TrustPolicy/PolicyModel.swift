import FIDOMetadata
import Foundation
import WebAuthn

/// The bank's trust policy: the document the risk team edits (YAML, see `DefaultPolicy.yaml`),
/// parsed and validated by `PolicyDocument.parse(yaml:)`. Every threshold lives here.
public struct PolicyDocument: Sendable {
    public var version: Int
    public var classification: ClassificationRules
    /// Passkey providers by AAGUID: the name shown to users and the tier the bank gives them.
    public var providers: [Provider] { didSet { providersByAAGUID = Self.index(providers, \.aaguid) } }
    public var allowList: [AllowEntry] { didSet { allowByAAGUID = Self.index(allowList, \.aaguid) } }
    public var denyList: [DenyEntry] { didSet { denyByAAGUID = Self.index(denyList, \.aaguid) } }
    public var registration: RegistrationRules
    public var transactions: [TransactionType: TransactionRule]
    /// Status (FIDO MDS `AuthenticatorStatus` raw value) → what to do when a model gets it.
    public var statusReactions: [String: [Reaction]]

    private var providersByAAGUID: [AAGUID: Provider]
    private var allowByAAGUID: [AAGUID: AllowEntry]
    private var denyByAAGUID: [AAGUID: DenyEntry]

    /// First entry wins (the parser refuses duplicates).
    static func index<T>(_ list: [T], _ key: KeyPath<T, AAGUID>) -> [AAGUID: T] {
        Dictionary(list.map { ($0[keyPath: key], $0) }, uniquingKeysWith: { first, _ in first })
    }

    public init(version: Int = 1, classification: ClassificationRules = ClassificationRules(), providers: [Provider] = [],
                allowList: [AllowEntry] = [], denyList: [DenyEntry] = [], registration: RegistrationRules,
                transactions: [TransactionType: TransactionRule], statusReactions: [String: [Reaction]]) {
        self.version = version
        self.classification = classification
        self.providers = providers
        self.allowList = allowList
        self.denyList = denyList
        self.registration = registration
        self.transactions = transactions
        self.statusReactions = statusReactions
        providersByAAGUID = Self.index(providers, \.aaguid)
        allowByAAGUID = Self.index(allowList, \.aaguid)
        denyByAAGUID = Self.index(denyList, \.aaguid)
    }

    public func provider(for aaguid: AAGUID) -> Provider? { providersByAAGUID[aaguid] }
    public func allowEntry(for aaguid: AAGUID) -> AllowEntry? { allowByAAGUID[aaguid] }
    public func denyEntry(for aaguid: AAGUID) -> DenyEntry? { denyByAAGUID[aaguid] }
}

public struct ClassificationRules: Sendable, Hashable {
    /// Tier 1 needs at least this FIDO certification level (default L1; a stricter bank sets L2).
    public var tier1MinimumCertification: CertificationLevel
    /// The tier of a model the metadata knows and certifies that is neither tier 1 nor a listed provider.
    public var certifiedModelTier: Tier

    public init(tier1MinimumCertification: CertificationLevel = .l1, certifiedModelTier: Tier = .three) {
        self.tier1MinimumCertification = tier1MinimumCertification
        self.certifiedModelTier = certifiedModelTier
    }
}

public enum ProviderCategory: String, Sendable, Hashable, Codable, CaseIterable {
    case firstPartyPlatform = "first_party_platform"
    case passwordManager = "password_manager"
    case other

    var rule: RuleID {
        switch self {
        case .firstPartyPlatform: .providerFirstPartyPlatform
        case .passwordManager: .providerPasswordManager
        case .other: .providerOther
        }
    }

    var label: String {
        switch self {
        case .firstPartyPlatform: "first-party platform provider"
        case .passwordManager: "password manager"
        case .other: "listed provider"
        }
    }
}

public struct Provider: Sendable, Hashable, Codable {
    public var aaguid: AAGUID
    public var name: String
    public var category: ProviderCategory
    public var tier: Tier
    /// The tier of this provider's synced credentials (BE=1), when the bank ranks them below
    /// device-bound ones; `nil` means the same as `tier`.
    public var syncedTier: Tier?
    public init(aaguid: AAGUID, name: String, category: ProviderCategory, tier: Tier, syncedTier: Tier? = nil) {
        self.aaguid = aaguid
        self.name = name
        self.category = category
        self.tier = tier
        self.syncedTier = syncedTier
    }

    /// The tier for a credential of this provider with the given backup eligibility.
    public func tier(backupEligible: Bool) -> Tier {
        backupEligible ? syncedTier ?? tier : tier
    }
}

public struct AllowEntry: Sendable, Hashable, Codable {
    public var aaguid: AAGUID
    public var tier: Tier
    public var name: String?
    public var note: String?
    /// Apply only when a trusted attestation verified the AAGUID (default true): a claimed AAGUID
    /// is something any software can send.
    public var requireVerifiedAAGUID: Bool
    public init(aaguid: AAGUID, tier: Tier, name: String? = nil, note: String? = nil, requireVerifiedAAGUID: Bool = true) {
        self.aaguid = aaguid
        self.tier = tier
        self.name = name
        self.note = note
        self.requireVerifiedAAGUID = requireVerifiedAAGUID
    }
}

public struct DenyEntry: Sendable, Hashable, Codable {
    public var aaguid: AAGUID
    public var name: String?
    public var note: String?
    public init(aaguid: AAGUID, name: String? = nil, note: String? = nil) {
        self.aaguid = aaguid
        self.name = name
        self.note = note
    }
}

/// What happens to a registration of a given tier.
public enum RegistrationOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    case accept
    /// Accepted; the credential is marked so that the console and transaction rules can see it.
    case acceptWithMarking = "accept_with_marking"
    case reject
}

public struct RegistrationRules: Sendable, Hashable {
    public var byTier: [Tier: RegistrationOutcome]
    /// Accept only models on the allow list (every other registration is rejected).
    public var onlyAllowListed: Bool
    public init(byTier: [Tier: RegistrationOutcome], onlyAllowListed: Bool = false) {
        self.byTier = byTier
        self.onlyAllowListed = onlyAllowListed
    }
    /// Missing tiers are rejected (fail closed).
    public func outcome(for tier: Tier) -> RegistrationOutcome { byTier[tier] ?? .reject }
}

/// A transaction type (`login`, `high_value_transfer`, …). The policy may define more.
public struct TransactionType: RawRepresentable, Sendable, Hashable, Codable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static let login: TransactionType = "login"
    public static let viewBalance: TransactionType = "view_balance"
    public static let lowValuePayment: TransactionType = "low_value_payment"
    public static let highValueTransfer: TransactionType = "high_value_transfer"
    public static let payeeAdd: TransactionType = "payee_add"
    public static let beneficiaryChange: TransactionType = "beneficiary_change"
    public static let profileChange: TransactionType = "profile_change"
    public static let recovery: TransactionType = "recovery"
    /// Every policy document must define these.
    public static let required: [TransactionType] = [.login, .viewBalance, .lowValuePayment, .highValueTransfer, .payeeAdd,
                                                     .beneficiaryChange, .profileChange, .recovery]
}

/// Ways a user can satisfy a step-up.
public enum StepUpMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// A fresh ceremony with the same passkey (fixes authentication age and UV, not the tier).
    case reauthenticate
    /// A ceremony with another of the user's passkeys of at least the required tier.
    case strongerPasskey = "stronger_passkey"
    /// A signature by the user's bound (trusted) device key.
    case boundDevice = "bound_device"
    /// Confirmation in the bank's out-of-band channel (e.g. the banking app on a bound device).
    case outOfBand = "out_of_band"
    /// Identity verification by the bank (document check, branch, video): the recovery route.
    case identityVerification = "identity_verification"

    /// Whether the method can stand in for a stronger credential.
    public var raisesTier: Bool { self != .reauthenticate }
}

public struct TransactionRule: Sendable, Hashable {
    public var minTier: Tier
    /// The passkey authentication must be at most this old.
    public var maxAuthAgeSeconds: Int
    public var requireUV: Bool
    public var stepUpMethods: [StepUpMethod]
    public var amountThresholds: [AmountThreshold]
    public var description: String?

    public init(minTier: Tier, maxAuthAgeSeconds: Int, requireUV: Bool, stepUpMethods: [StepUpMethod], amountThresholds: [AmountThreshold] = [],
                description: String? = nil) {
        self.minTier = minTier
        self.maxAuthAgeSeconds = maxAuthAgeSeconds
        self.requireUV = requireUV
        self.stepUpMethods = stepUpMethods
        self.amountThresholds = amountThresholds
        self.description = description
    }
}

/// "Above this amount in this currency, require more (or deny)." The stricter of the base rule and
/// every threshold the amount exceeds applies.
public struct AmountThreshold: Sendable, Hashable {
    public var above: Money
    public var minTier: Tier?
    public var maxAuthAgeSeconds: Int?
    public var requireUV: Bool?
    /// Amounts above are refused outright (a limit, not a step-up).
    public var deny: Bool

    public init(above: Money, minTier: Tier? = nil, maxAuthAgeSeconds: Int? = nil, requireUV: Bool? = nil, deny: Bool = false) {
        self.above = above
        self.minTier = minTier
        self.maxAuthAgeSeconds = maxAuthAgeSeconds
        self.requireUV = requireUV
        self.deny = deny
    }

    public var currency: String { above.currency }
}

/// What the server does when a model gets a metadata status.
public enum Reaction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Refuse new registrations of the model.
    case pauseRegistrations = "pause_registrations"
    /// Mark existing credentials of the model for the risk team (and for transaction rules).
    case flagCredentials = "flag_credentials"
    /// Stop accepting existing credentials of the model until the risk team decides.
    case suspendCredentials = "suspend_credentials"
    /// End the sessions those credentials opened.
    case revokeSessions = "revoke_sessions"
}
