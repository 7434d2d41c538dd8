import FIDOMetadata
import Foundation
import WebAuthn

/// The tier of a credential and why.
public struct Classification: Sendable, Hashable, Codable {
    public var tier: Tier
    /// Every rule that fired, in evaluation order: the rule that set the tier, the caps, and the
    /// facts that kept the credential from a stronger tier.
    public var reasons: [Reason]
    public var aaguid: AAGUID
    /// The AAGUID was verified by a trusted attestation (false: only claimed).
    public var aaguidVerified: Bool
    /// The provider or model name (policy provider list, else the metadata description).
    public var providerName: String?
    /// The AAGUID is on the bank's deny list.
    public var denied: Bool
    /// The AAGUID is on the bank's allow list and the entry applied.
    public var allowListed: Bool
    /// A compromise status was in force at `evaluatedAt`.
    public var compromised: Bool
    public var evaluatedAt: Date

    /// The rule that decided the tier (the first reason).
    public var rule: RuleID? { reasons.first?.rule }
    public func has(_ rule: RuleID) -> Bool { reasons.contains { $0.rule == rule } }
}

/// Facts in, tier and reasons out. Pure: no clock, no I/O.
///
/// Rules, in order (the first that applies sets the tier):
/// 1. `deny_list` → tier 4 (and the registration is rejected).
/// 2. `metadata_compromise`: a compromise status in force → tier 4, whatever else applies.
/// 3. `allow_list` → the bank's tier (verified AAGUIDs only, unless the entry says otherwise).
/// 4. `attested_hardware_key` → tier 1: attestation trusted to the MDS root for the AAGUID, hardware
///    or secure-element key protection, certified at least at the policy minimum, no negative status, BE = 0.
/// 5. `provider_first_party_platform` / `provider_password_manager` / `provider_other` → the provider's tier.
/// 6. `metadata_certified_model` → `classification.certified_model_tier` (default 3).
/// 7. `zero_aaguid_unattested` → tier 4.
/// 8. `unknown_authenticator` → tier 4.
///
/// Then caps that no rule overrides: a claimed AAGUID (`aaguid_claimed_only`) and a synced
/// credential (`synced_credential`, BE = 1: NIST SP 800-63B-4 puts synced keys at AAL2 at most)
/// are never tier 1.
public enum Classifier {
    public static func classify(_ facts: CredentialFacts, policy: PolicyDocument) -> Classification {
        var reasons: [Reason] = []
        var notes: [Reason] = []
        let verified = facts.aaguidVerified
        let aaguidText = "AAGUID \(facts.aaguid)"
        let how = verified ? "verified by \(facts.format) \(facts.attestationType.rawValue) attestation" : "claimed, not verified by attestation"

        // A metadata entry for another AAGUID is ignored (the caller looked up the wrong entry).
        var entry = facts.metadata
        if let found = entry?.aaguid, found != facts.aaguid {
            notes.append(Reason(.metadataAAGUIDMismatch, "metadata entry is for \(found), not \(aaguidText); ignored"))
            entry = nil
        }
        let metadataFacts = facts.updating(metadata: entry, at: facts.evaluationTime)
        let compromises = metadataFacts.compromises
        let provider = policy.provider(for: facts.aaguid)
        let providerName = provider?.name ?? policy.allowEntry(for: facts.aaguid)?.name ?? policy.denyEntry(for: facts.aaguid)?.name
            ?? entry?.statement?.description

        if verified {
            notes.append(Reason(.aaguidVerified, "\(aaguidText) \(how), chain to \(facts.attestationRootFromMetadata ? "the MDS root for this AAGUID" : "a trusted root")"))
        } else if !facts.aaguid.isZero {
            notes.append(Reason(.aaguidClaimedOnly, "\(aaguidText) is \(how) (fmt \(facts.format), attestation \(facts.attestationType.rawValue)\(facts.attestationTrusted ? "" : ", untrusted")): any software can send it, so it never reaches tier 1"))
        }
        if facts.backupEligible {
            notes.append(Reason(.syncedCredential, "BE=1, BS=\(facts.backupState ? 1 : 0): the key can be copied to other devices (\(facts.backupState ? "backed up now" : "not backed up yet")); synced passkeys reach AAL2 at most, never tier 1"))
        }

        var tier: Tier
        var denied = false
        var allowListed = false
        let tierOneCheck = tierOne(metadataFacts, entry: entry, policy: policy)

        if let deny = policy.denyEntry(for: facts.aaguid) {
            denied = true
            tier = .four
            reasons.append(Reason(.denyList, "\(aaguidText)\(deny.name.map { " (\($0))" } ?? "") is on the bank's deny list (\(verified ? "verified" : "claimed"))\(deny.note.map { ": \($0)" } ?? "")"))
        } else if !compromises.isEmpty {
            tier = .four
            reasons.append(Reason(.metadataCompromise, compromiseText(compromises, entry: entry, at: facts.evaluationTime)))
        } else if let allow = policy.allowEntry(for: facts.aaguid), verified || !allow.requireVerifiedAAGUID {
            allowListed = true
            tier = allow.tier
            reasons.append(Reason(.allowList, "\(aaguidText)\(allow.name.map { " (\($0))" } ?? "") is on the bank's allow list at tier \(allow.tier.level) (\(verified ? "verified" : "claimed, accepted by the entry"))\(allow.note.map { ": \($0)" } ?? "")"))
        } else if tierOneCheck.failures.isEmpty {
            tier = .one
            reasons.append(Reason(.attestedHardwareKey, tierOneCheck.summary))
        } else if let provider {
            tier = provider.tier(backupEligible: facts.backupEligible)
            let synced = facts.backupEligible && provider.syncedTier != nil ? " for synced credentials" : ""
            reasons.append(Reason(provider.category.rule, "\(aaguidText) is \(provider.name), a \(provider.category.label) the policy puts at tier \(tier.level)\(synced) (AAGUID \(verified ? "verified" : "claimed"))"))
        } else if let entry, let level = metadataFacts.certificationLevel, level >= .l1 {
            tier = policy.classification.certifiedModelTier
            reasons.append(Reason(.metadataCertifiedModel, "\(aaguidText) is \(entry.description) in the metadata, FIDO certified \(level.name), but not tier 1; the policy puts certified models at tier \(tier.level)"))
        } else if facts.aaguid.isZero && !verified {
            tier = .four
            reasons.append(Reason(.zeroAAGUIDUnattested, "zero AAGUID and \(facts.attestationType.rawValue) attestation\(facts.attestationTrusted ? "" : " (untrusted)"): nothing identifies the authenticator"))
        } else {
            tier = .four
            let why = entry == nil ? "not in the metadata and not a listed provider" : "in the metadata but not FIDO certified (\(metadataFacts.status?.status.rawValue ?? "no status"))"
            reasons.append(Reason(.unknownAuthenticator, "\(aaguidText) is \(why)"))
        }
        if let allow = policy.allowEntry(for: facts.aaguid), !allowListed, allow.requireVerifiedAAGUID, !verified, !denied {
            notes.append(Reason(.allowListClaimIgnored, "\(aaguidText) is on the allow list, but the entry needs a verified AAGUID and this one is only claimed"))
        }

        // Why not tier 1, for the console: only when the AAGUID is verified (a claim already says why).
        if tier != .one && verified && !denied && compromises.isEmpty {
            notes += tierOneCheck.failures.filter { failure in ![.aaguidClaimedOnly, .syncedCredential].contains(failure.rule) }
        }
        if let status = metadataFacts.status, status.status == .updateAvailable {
            notes.append(Reason(.metadataUpdateAvailable, "the metadata says a firmware update is available (since \(day(status.effectiveDate)))"))
        }

        // Caps no rule overrides.
        if tier == .one && (!verified || facts.backupEligible) {
            let why = !verified ? "the AAGUID is only claimed" : "the credential is synced (BE=1)"
            notes.append(Reason(.tierCapped, "tier 1 from \(reasons.first?.rule.rawValue ?? "policy") capped at tier 2: \(why)"))
            tier = .two
        }
        if !compromises.isEmpty && tier != .four {
            tier = .four
        }

        return Classification(tier: tier, reasons: reasons + notes, aaguid: facts.aaguid, aaguidVerified: verified, providerName: providerName,
                              denied: denied, allowListed: allowListed, compromised: !compromises.isEmpty, evaluatedAt: facts.evaluationTime)
    }

    struct TierOneCheck {
        var failures: [Reason]
        var summary: String
    }

    /// The `attested_hardware_key` conditions, each failure a reason.
    static func tierOne(_ facts: CredentialFacts, entry: MetadataEntry?, policy: PolicyDocument) -> TierOneCheck {
        var failures: [Reason] = []
        if !facts.aaguidVerified {
            failures.append(Reason(.aaguidClaimedOnly, "no trusted attestation verifies the AAGUID"))
        }
        if facts.backupEligible {
            failures.append(Reason(.syncedCredential, "BE=1"))
        }
        guard let entry else {
            failures.append(Reason(.noMetadata, "no metadata entry for AAGUID \(facts.aaguid): certification and key protection are unknown, so not tier 1"))
            return TierOneCheck(failures: failures, summary: "")
        }
        if facts.aaguidVerified && !facts.attestationRootFromMetadata {
            failures.append(Reason(.attestationNotMetadataRooted, "the attestation chain ends at a root that is not one of the MDS statement's roots for this AAGUID"))
        }
        let protection = entry.statement?.keyProtection ?? []
        if !(entry.statement?.hasHardwareKeyProtection ?? false) {
            failures.append(Reason(.keyProtectionNotHardware, "key protection is \(protection.isEmpty ? "not stated" : protection.joined(separator: "+")), not hardware / TEE / secure element"))
        }
        let level = facts.certificationLevel
        let minimum = policy.classification.tier1MinimumCertification
        if (level ?? .notCertified) < minimum {
            failures.append(Reason(.certificationBelowMinimum, "certification \(level?.name ?? "unknown") is below the tier 1 minimum \(minimum.name)"))
        }
        if let status = facts.status, [.notFIDOCertified, .revoked, .retired].contains(status.status) {
            failures.append(Reason(.metadataNegativeStatus, "status \(status.status.rawValue) since \(day(status.effectiveDate))"))
        }
        let summary = "\(entry.description): \(facts.format) \(facts.attestationType.rawValue) attestation chained to the MDS root for AAGUID \(facts.aaguid); "
            + "key protection \(protection.joined(separator: "+")); FIDO certified \(level?.name ?? "?") (policy minimum \(minimum.name)); "
            + "status \(facts.status?.status.rawValue ?? "none") at \(day(facts.evaluationTime)); BE=0 (device-bound)"
        return TierOneCheck(failures: failures, summary: summary)
    }

    static func compromiseText(_ reports: [StatusReport], entry: MetadataEntry?, at date: Date) -> String {
        let list = reports.map { "\($0.status.rawValue) (effective \(day($0.effectiveDate)))" }.joined(separator: ", ")
        return "\(entry?.description ?? "the authenticator model") has \(list) in force at \(day(date)): compromised models are tier 4"
    }

    static func day(_ date: Date?) -> String {
        guard let date else { return "an unstated date" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let pad: (Int?) -> String = { value in let text = String(value ?? 0); return text.count < 2 ? "0" + text : text }
        return "\(parts.year ?? 0)-\(pad(parts.month))-\(pad(parts.day))"
    }
}
