/// The stable identifier of a policy rule. These strings are stored in audit records and shown
/// in the admin console: never rename one, only add.
public struct RuleID: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    // MARK: Classification rules
    /// Bank deny list: the model is refused (registration reject, tier 4).
    public static let denyList: RuleID = "deny_list"
    /// Bank allow list: the tier the bank assigned to this model.
    public static let allowList: RuleID = "allow_list"
    /// An allow-list entry was not applied because the AAGUID was only claimed.
    public static let allowListClaimIgnored: RuleID = "allow_list_claim_ignored"
    /// A compromise status (FIDO MDS) in force at the evaluation time: tier 4, always.
    public static let metadataCompromise: RuleID = "metadata_compromise"
    /// Tier 1: attested to the MDS root for the AAGUID, hardware key protection, certified, BE = 0.
    public static let attestedHardwareKey: RuleID = "attested_hardware_key"
    /// A provider from the policy's provider list, by category.
    public static let providerFirstPartyPlatform: RuleID = "provider_first_party_platform"
    public static let providerPasswordManager: RuleID = "provider_password_manager"
    public static let providerOther: RuleID = "provider_other"
    /// Known to the metadata and certified, but not tier 1 and not a listed provider.
    public static let metadataCertifiedModel: RuleID = "metadata_certified_model"
    /// Zero AAGUID and no verifying attestation: nothing is known about the authenticator.
    public static let zeroAAGUIDUnattested: RuleID = "zero_aaguid_unattested"
    /// Nothing known: not in the metadata, not a listed provider.
    public static let unknownAuthenticator: RuleID = "unknown_authenticator"

    // MARK: Facts recorded beside the tier (why not stronger)
    /// The AAGUID was verified by a trusted attestation.
    public static let aaguidVerified: RuleID = "aaguid_verified"
    /// The AAGUID is a claim (no trusted attestation vouches for it): never tier 1.
    public static let aaguidClaimedOnly: RuleID = "aaguid_claimed_only"
    /// BE = 1: the key may be (or is) copied to other devices: never tier 1 (NIST 800-63B-4: AAL2 at most).
    public static let syncedCredential: RuleID = "synced_credential"
    public static let noMetadata: RuleID = "no_metadata"
    public static let metadataAAGUIDMismatch: RuleID = "metadata_aaguid_mismatch"
    public static let attestationNotMetadataRooted: RuleID = "attestation_not_metadata_rooted"
    public static let keyProtectionNotHardware: RuleID = "key_protection_not_hardware"
    public static let certificationBelowMinimum: RuleID = "certification_below_minimum"
    public static let metadataNegativeStatus: RuleID = "metadata_negative_status"
    public static let metadataUpdateAvailable: RuleID = "metadata_update_available"
    /// A rule capped the tier the other rules gave (e.g. an allow-list tier 1 for a synced key).
    public static let tierCapped: RuleID = "tier_capped"

    // MARK: Registration decision
    public static let registrationTierPolicy: RuleID = "registration_tier_policy"
    public static let registrationCompromisedModel: RuleID = "registration_compromised_model"
    public static let registrationNotAllowListed: RuleID = "registration_not_allow_listed"

    // MARK: Transaction decision
    public static let transactionUnknownType: RuleID = "transaction_unknown_type"
    public static let transactionTierSufficient: RuleID = "transaction_tier_sufficient"
    public static let tierTooLow: RuleID = "tier_too_low"
    public static let amountThreshold: RuleID = "amount_threshold"
    public static let amountLimitExceeded: RuleID = "amount_limit_exceeded"
    public static let currencyNotConfigured: RuleID = "currency_not_configured"
    public static let amountMissing: RuleID = "amount_missing"
    public static let authenticationTooOld: RuleID = "authentication_too_old"
    public static let userVerificationRequired: RuleID = "user_verification_required"
    public static let noStepUpMethod: RuleID = "no_step_up_method"
}

/// Why a decision came out as it did: the rule that fired and, in words, the facts it fired on.
/// The same value is returned by the API, shown in the admin console and written to the audit log.
public struct Reason: Sendable, Hashable, Codable, CustomStringConvertible {
    public var rule: RuleID
    public var detail: String

    public init(_ rule: RuleID, _ detail: String) {
        self.rule = rule
        self.detail = detail
    }

    public var description: String { "\(rule.rawValue): \(detail)" }
}
