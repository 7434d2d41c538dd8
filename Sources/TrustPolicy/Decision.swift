import FIDOMetadata
import Foundation
import WebAuthn

/// The outcome of a policy decision and the reasons for it. Encoded the same way in the API,
/// the admin console and the audit log:
/// `{"outcome": "step_up", "stepUp": {"minTier": 1, "methods": ["stronger_passkey"]}, "reasons": [...]}`.
public struct Decision: Sendable, Hashable, Codable {
    public enum Outcome: Sendable, Hashable {
        // Registration.
        case accept
        case acceptWithMarking
        case reject
        // Transactions.
        case allow
        /// Authenticate again with a credential of at least `minTier`, by one of `methods`.
        case stepUp(minTier: Tier, methods: [StepUpMethod])
        case deny

        /// The stable string for this outcome.
        public var code: String {
            switch self {
            case .accept: "accept"
            case .acceptWithMarking: "accept_with_marking"
            case .reject: "reject"
            case .allow: "allow"
            case .stepUp: "step_up"
            case .deny: "deny"
            }
        }
    }

    public var outcome: Outcome
    public var reasons: [Reason]

    public init(_ outcome: Outcome, reasons: [Reason]) {
        self.outcome = outcome
        self.reasons = reasons
    }

    public var isPermitted: Bool {
        switch outcome {
        case .accept, .acceptWithMarking, .allow: true
        case .reject, .stepUp, .deny: false
        }
    }

    struct StepUp: Codable, Hashable {
        var minTier: Tier
        var methods: [StepUpMethod]
    }

    enum CodingKeys: String, CodingKey { case outcome, stepUp, reasons }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let code = try container.decode(String.self, forKey: .outcome)
        reasons = try container.decode([Reason].self, forKey: .reasons)
        switch code {
        case "accept": outcome = .accept
        case "accept_with_marking": outcome = .acceptWithMarking
        case "reject": outcome = .reject
        case "allow": outcome = .allow
        case "deny": outcome = .deny
        case "step_up":
            let stepUp = try container.decode(StepUp.self, forKey: .stepUp)
            outcome = .stepUp(minTier: stepUp.minTier, methods: stepUp.methods)
        default:
            throw DecodingError.dataCorruptedError(forKey: .outcome, in: container, debugDescription: "unknown outcome \(code)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(outcome.code, forKey: .outcome)
        if case .stepUp(let minTier, let methods) = outcome {
            try container.encode(StepUp(minTier: minTier, methods: methods), forKey: .stepUp)
        }
        try container.encode(reasons, forKey: .reasons)
    }
}

/// Whether a classified credential may be registered.
///
/// Deny list and compromise statuses reject whatever the tier table says; `only_allow_listed`
/// rejects everything not allow-listed; otherwise the tier table (`registration.tier_N`) decides.
/// The classification's reasons come along, so the decision stands on its own in the audit log.
public func registrationDecision(_ classification: Classification, policy: PolicyDocument) -> Decision {
    var reasons: [Reason] = []
    if classification.denied {
        return Decision(.reject, reasons: classification.reasons)
    }
    if classification.compromised {
        reasons.append(Reason(.registrationCompromisedModel, "the authenticator model has a compromise status in force: registrations are refused"))
        return Decision(.reject, reasons: reasons + classification.reasons)
    }
    if policy.registration.onlyAllowListed && !classification.allowListed {
        reasons.append(Reason(.registrationNotAllowListed, "the policy accepts only allow-listed models and AAGUID \(classification.aaguid) is not on the allow list\(classification.aaguidVerified ? "" : " (or is only claimed)")"))
        return Decision(.reject, reasons: reasons + classification.reasons)
    }
    let outcome = policy.registration.outcome(for: classification.tier)
    reasons.append(Reason(.registrationTierPolicy, "registration.tier_\(classification.tier.level) is \(outcome.rawValue)"))
    let decided: Decision.Outcome = switch outcome {
    case .accept: .accept
    case .acceptWithMarking: .acceptWithMarking
    case .reject: .reject
    }
    return Decision(decided, reasons: reasons + classification.reasons)
}

/// Whether a credential of `tier`, authenticated `authAge` seconds ago (with or without UV),
/// may authorize `transaction` for `amount`.
///
/// The requirement is the stricter of the transaction's rule and every amount threshold the
/// amount exceeds in its currency. A currency the rule has no threshold for, or a missing amount
/// where thresholds exist, gets the strictest thresholds (fail closed). Outcomes: `allow`;
/// `stepUp(minTier:methods:)` when a stronger or fresher authentication would do; `deny` for
/// unknown types, amount limits, and when no configured method can satisfy the requirement.
public func transactionDecision(tier: Tier, transaction: TransactionType, amount: Money?, authAge: TimeInterval, uv: Bool,
                                policy: PolicyDocument) -> Decision {
    guard let rule = policy.transactions[transaction] else {
        return Decision(.deny, reasons: [Reason(.transactionUnknownType, "the policy defines no transaction type \"\(transaction.rawValue)\"")])
    }
    var reasons: [Reason] = []
    var minTier = rule.minTier
    var maxAge = rule.maxAuthAgeSeconds
    var requireUV = rule.requireUV
    var applicable: [AmountThreshold] = []
    if !rule.amountThresholds.isEmpty {
        if let amount {
            let sameCurrency = rule.amountThresholds.filter { $0.currency == amount.currency }
            if sameCurrency.isEmpty {
                applicable = rule.amountThresholds.filter { !$0.deny }
                reasons.append(Reason(.currencyNotConfigured, "\(transaction.rawValue) has no thresholds in \(amount.currency): the strictest thresholds of other currencies apply"))
            } else {
                applicable = sameCurrency.filter { amount.minorUnits > $0.above.minorUnits }
            }
        } else {
            applicable = rule.amountThresholds.filter { !$0.deny }
            reasons.append(Reason(.amountMissing, "\(transaction.rawValue) has amount thresholds and no amount was given: the strictest thresholds apply"))
        }
    }
    for threshold in applicable.sorted(by: { $0.above.minorUnits < $1.above.minorUnits }) {
        if threshold.deny, let amount {
            reasons.append(Reason(.amountLimitExceeded, "\(amount) is above the \(transaction.rawValue) limit of \(threshold.above)"))
            return Decision(.deny, reasons: reasons)
        }
        var raised: [String] = []
        if let tier = threshold.minTier, tier > minTier { minTier = tier; raised.append("tier \(tier.level)") }
        if let age = threshold.maxAuthAgeSeconds, age < maxAge { maxAge = age; raised.append("authentication at most \(age) s old") }
        if threshold.requireUV == true && !requireUV { requireUV = true; raised.append("user verification") }
        let what = amount.map { "\($0) is above \(threshold.above)" } ?? "threshold \(threshold.above)"
        reasons.append(Reason(.amountThreshold, "\(what): requires \(raised.isEmpty ? "nothing more than the base rule" : raised.joined(separator: ", "))"))
    }

    var needsStrongerCredential = false
    var needsFreshAuthentication = false
    if tier < minTier {
        needsStrongerCredential = true
        reasons.append(Reason(.tierTooLow, "\(transaction.rawValue) needs tier \(minTier.level) or stronger; the credential is tier \(tier.level)"))
    }
    if !(authAge.isFinite && authAge >= 0 && authAge <= TimeInterval(maxAge)) {
        needsFreshAuthentication = true
        let ageText = authAge.isFinite ? "\(Int(authAge.rounded(.down))) s" : "unknown"
        reasons.append(Reason(.authenticationTooOld, "the authentication is \(ageText) old; \(transaction.rawValue) allows at most \(maxAge) s"))
    }
    if requireUV && !uv {
        needsFreshAuthentication = true
        reasons.append(Reason(.userVerificationRequired, "\(transaction.rawValue) requires user verification (UV) and the authentication had none"))
    }
    if !needsStrongerCredential && !needsFreshAuthentication {
        reasons.insert(Reason(.transactionTierSufficient, "tier \(tier.level) meets \(transaction.rawValue) (tier \(minTier.level) or stronger, authentication at most \(maxAge) s old\(requireUV ? ", UV" : ""))"), at: 0)
        return Decision(.allow, reasons: reasons)
    }
    let methods = needsStrongerCredential ? rule.stepUpMethods.filter(\.raisesTier) : rule.stepUpMethods
    guard !methods.isEmpty else {
        reasons.append(Reason(.noStepUpMethod, "no step-up method configured for \(transaction.rawValue) can satisfy this"))
        return Decision(.deny, reasons: reasons)
    }
    return Decision(.stepUp(minTier: minTier, methods: methods), reasons: reasons)
}

/// What the server does when an authenticator model gets `status` (a BLOB update): the list
/// from `status_reactions`, empty for statuses the policy does not list and for unknown ones.
public func statusReaction(_ status: AuthenticatorStatus, policy: PolicyDocument) -> [Reaction] {
    if case .unknown = status { return [] }
    return policy.statusReactions[status.rawValue] ?? []
}
