import FIDOMetadata
import Foundation
import Testing
import WebAuthn
@testable import TrustPolicy

/// Synthetic facts for every classification rule.
enum Synthetic {
    static let evaluation = day("2024-06-01")
    static let yubiKey5 = aaguid("fa2b99dc-9e39-4257-8f92-4a30d23c4118")
    static let onePassword = aaguid("bada5566-a7aa-401f-bd96-45619a55120d")
    static let googlePasswordManager = aaguid("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4")
    static let unknownModel = aaguid("12345678-9abc-def0-1234-56789abcdef0")

    static func entry(_ aaguid: AAGUID = yubiKey5, description: String = "YubiKey 5 Series with NFC", keyProtection: [String] = ["hardware", "secure_element"],
                      reports: [StatusReport] = [StatusReport(status: .fidoCertifiedL1, effectiveDate: day("2020-05-12"))]) -> MetadataEntry {
        MetadataEntry(aaguid: aaguid, statement: MetadataStatement(description: description, protocolFamily: "fido2", attestationTypes: ["basic_full"],
                                                                   keyProtection: keyProtection),
                      statusReports: reports)
    }

    /// A packed basic attestation that chained to the MDS root for the AAGUID.
    static func attested(_ aaguid: AAGUID = yubiKey5, entry: MetadataEntry? = entry(), metadataRooted: Bool = true, backupEligible: Bool = false,
                         backupState: Bool = false, at date: Date = evaluation) -> CredentialFacts {
        CredentialFacts(format: "packed", attestationType: .basic, attestationTrusted: true, attestationRootFromMetadata: metadataRooted, aaguid: aaguid,
                        metadata: entry, evaluationTime: date, backupEligible: backupEligible, backupState: backupState, transports: ["usb", "nfc"],
                        authenticatorAttachment: "cross-platform")
    }

    /// A `none` registration: the AAGUID is only a claim.
    static func claimed(_ aaguid: AAGUID, entry: MetadataEntry? = nil, backupEligible: Bool = true, backupState: Bool = true) -> CredentialFacts {
        CredentialFacts(format: "none", attestationType: .none, attestationTrusted: false, aaguid: aaguid, metadata: entry, evaluationTime: evaluation,
                        backupEligible: backupEligible, backupState: backupState, transports: ["internal", "hybrid"], authenticatorAttachment: "platform")
    }

    static func policy(_ edit: (inout PolicyDocument) -> Void = { _ in }) throws -> PolicyDocument {
        var policy = try PolicyDocument.defaultPolicy()
        edit(&policy)
        return policy
    }
}

@Suite("Classification: each rule on synthetic facts")
struct ClassificationTableTests {
    @Test func attestedHardwareKeyWithL1MetadataAndBE0IsTier1() throws {
        let result = Classifier.classify(Synthetic.attested(), policy: try Synthetic.policy())
        #expect(result.tier == .one)
        #expect(result.rule == .attestedHardwareKey)
        #expect(result.aaguidVerified)
        #expect(result.providerName == "YubiKey 5 Series with NFC")
        let detail = try #require(result.reasons.first?.detail)
        #expect(detail.contains("L1") && detail.contains("BE=0") && detail.contains("hardware+secure_element"))
    }

    @Test func policyRequiringL2KeepsAnL1HardwareKeyOutOfTier1() throws {
        let policy = try Synthetic.policy { $0.classification.tier1MinimumCertification = .l2 }
        let result = Classifier.classify(Synthetic.attested(), policy: policy)
        #expect(result.tier != .one)
        #expect(result.tier == .three)
        #expect(result.rule == .metadataCertifiedModel)
        #expect(result.has(.certificationBelowMinimum))
    }

    @Test func l2CertifiedHardwareKeyMeetsAnL2Policy() throws {
        let policy = try Synthetic.policy { $0.classification.tier1MinimumCertification = .l2 }
        let entry = Synthetic.entry(reports: [StatusReport(status: .fidoCertifiedL2, effectiveDate: day("2022-01-01"))])
        #expect(Classifier.classify(Synthetic.attested(entry: entry), policy: policy).tier == .one)
    }

    @Test func sameAttestedCredentialWithoutMetadataIsNotTier1() throws {
        let result = Classifier.classify(Synthetic.attested(entry: nil, metadataRooted: false), policy: try Synthetic.policy())
        #expect(result.tier != .one)
        #expect(result.tier == .four)
        #expect(result.rule == .unknownAuthenticator)
        #expect(result.has(.noMetadata))
        #expect(result.aaguidVerified)
    }

    @Test func attestationChainedToANonMetadataRootIsNotTier1() throws {
        let result = Classifier.classify(Synthetic.attested(metadataRooted: false), policy: try Synthetic.policy())
        #expect(result.tier == .three)
        #expect(result.has(.attestationNotMetadataRooted))
    }

    @Test func softwareKeyProtectionIsNotTier1() throws {
        let entry = Synthetic.entry(keyProtection: ["software"])
        let result = Classifier.classify(Synthetic.attested(entry: entry), policy: try Synthetic.policy())
        #expect(result.tier == .three)
        #expect(result.has(.keyProtectionNotHardware))
    }

    @Test func notFIDOCertifiedModelIsTier4() throws {
        let entry = Synthetic.entry(reports: [StatusReport(status: .notFIDOCertified, effectiveDate: day("2020-01-01"))])
        let result = Classifier.classify(Synthetic.attested(entry: entry), policy: try Synthetic.policy())
        #expect(result.tier == .four)
        #expect(result.rule == .unknownAuthenticator)
        #expect(result.has(.certificationBelowMinimum))
        #expect(result.has(.metadataNegativeStatus))
    }

    @Test func claimedPasswordManagerAAGUIDIsTier3MarkedClaimed() throws {
        let result = Classifier.classify(Synthetic.claimed(Synthetic.onePassword), policy: try Synthetic.policy())
        #expect(result.tier == .three)
        #expect(result.rule == .providerPasswordManager)
        #expect(!result.aaguidVerified)
        #expect(result.has(.aaguidClaimedOnly))
        #expect(result.has(.syncedCredential))
        #expect(result.providerName == "1Password")
        #expect(result.reasons.first?.detail.contains("claimed") == true)
    }

    @Test func claimedFirstPartyPlatformAAGUIDIsTier2() throws {
        let result = Classifier.classify(Synthetic.claimed(Synthetic.googlePasswordManager), policy: try Synthetic.policy())
        #expect(result.tier == .two)
        #expect(result.rule == .providerFirstPartyPlatform)
        #expect(result.providerName == "Google Password Manager")
    }

    @Test func claimedHardwareAAGUIDNeverReachesTier1EvenWithMetadata() throws {
        let facts = Synthetic.claimed(Synthetic.yubiKey5, entry: Synthetic.entry(), backupEligible: false, backupState: false)
        let result = Classifier.classify(facts, policy: try Synthetic.policy())
        #expect(result.tier == .three)
        #expect(result.rule == .metadataCertifiedModel)
        #expect(result.has(.aaguidClaimedOnly))
    }

    @Test func selfAttestationOnlyClaimsItsAAGUID() throws {
        var facts = Synthetic.attested()
        facts.attestationType = .self
        facts.attestationTrusted = false
        let result = Classifier.classify(facts, policy: try Synthetic.policy())
        #expect(!result.aaguidVerified)
        #expect(result.tier != .one)
    }

    @Test func untrustedBasicAttestationOnlyClaimsItsAAGUID() throws {
        var facts = Synthetic.attested()
        facts.attestationTrusted = false
        let result = Classifier.classify(facts, policy: try Synthetic.policy())
        #expect(!result.aaguidVerified)
        #expect(result.tier == .three)
        #expect(result.has(.aaguidClaimedOnly))
    }

    @Test func zeroAAGUIDWithoutAttestationIsTier4() throws {
        let facts = Synthetic.claimed(.zero, backupEligible: false, backupState: false)
        let result = Classifier.classify(facts, policy: try Synthetic.policy())
        #expect(result.tier == .four)
        #expect(result.rule == .zeroAAGUIDUnattested)
        #expect(result.providerName == nil)
    }

    @Test func unknownClaimedAAGUIDIsTier4() throws {
        let result = Classifier.classify(Synthetic.claimed(Synthetic.unknownModel), policy: try Synthetic.policy())
        #expect(result.tier == .four)
        #expect(result.rule == .unknownAuthenticator)
    }

    static let compromises: [AuthenticatorStatus] = [.userVerificationBypass, .attestationKeyCompromise, .userKeyRemoteCompromise,
                                                     .userKeyPhysicalCompromise, .revoked]

    @Test(arguments: compromises)
    func compromiseStatusInForceIsTier4AndTheReasonNamesIt(status: AuthenticatorStatus) throws {
        let entry = Synthetic.entry(reports: [StatusReport(status: .fidoCertifiedL1, effectiveDate: day("2020-05-12")),
                                              StatusReport(status: status, effectiveDate: day("2024-01-15"))])
        let result = Classifier.classify(Synthetic.attested(entry: entry), policy: try Synthetic.policy())
        #expect(result.tier == .four)
        #expect(result.compromised)
        #expect(result.rule == .metadataCompromise)
        let detail = try #require(result.reasons.first?.detail)
        #expect(detail.contains(status.rawValue))
        #expect(detail.contains("2024-01-15"))
    }

    @Test func compromiseOfAClaimedProviderAAGUIDIsTier4Too() throws {
        let entry = Synthetic.entry(Synthetic.onePassword, description: "1Password", keyProtection: ["software"],
                                    reports: [StatusReport(status: .userKeyRemoteCompromise, effectiveDate: day("2024-01-01"))])
        let result = Classifier.classify(Synthetic.claimed(Synthetic.onePassword, entry: entry), policy: try Synthetic.policy())
        #expect(result.tier == .four)
        #expect(result.rule == .metadataCompromise)
    }

    @Test func statusEffectiveAfterTheEvaluationDateDoesNotCount() throws {
        let entry = Synthetic.entry(reports: [StatusReport(status: .fidoCertifiedL1, effectiveDate: day("2020-05-12")),
                                              StatusReport(status: .userKeyRemoteCompromise, effectiveDate: day("2025-01-01"))])
        let before = Classifier.classify(Synthetic.attested(entry: entry, at: day("2024-06-01")), policy: try Synthetic.policy())
        #expect(before.tier == .one)
        #expect(!before.compromised)
        let after = Classifier.classify(Synthetic.attested(entry: entry, at: day("2025-01-02")), policy: try Synthetic.policy())
        #expect(after.tier == .four)
    }

    @Test func certificationEffectiveAfterTheEvaluationDateDoesNotCount() throws {
        let entry = Synthetic.entry(reports: [StatusReport(status: .fidoCertifiedL1, effectiveDate: day("2025-01-01"))])
        let result = Classifier.classify(Synthetic.attested(entry: entry, at: day("2024-06-01")), policy: try Synthetic.policy())
        #expect(result.tier != .one)
        #expect(result.has(.certificationBelowMinimum))
    }

    @Test(arguments: [(true, false), (true, true)])
    func backupEligibleHardwareAAGUIDNeverReachesTier1(backupEligible: Bool, backupState: Bool) throws {
        let facts = Synthetic.attested(backupEligible: backupEligible, backupState: backupState)
        let result = Classifier.classify(facts, policy: try Synthetic.policy())
        #expect(result.tier != .one)
        #expect(result.tier == .three)
        #expect(result.has(.syncedCredential))
    }

    @Test func allowListSetsTheBanksTierForVerifiedAAGUIDs() throws {
        let policy = try Synthetic.policy { $0.allowList = [AllowEntry(aaguid: Synthetic.unknownModel, tier: .two, name: "Bank token")] }
        let result = Classifier.classify(Synthetic.attested(Synthetic.unknownModel, entry: nil, metadataRooted: false), policy: policy)
        #expect(result.tier == .two)
        #expect(result.rule == .allowList)
        #expect(result.allowListed)
        #expect(result.providerName == "Bank token")
    }

    @Test func allowListIgnoresAClaimedAAGUIDByDefault() throws {
        let policy = try Synthetic.policy { $0.allowList = [AllowEntry(aaguid: Synthetic.unknownModel, tier: .two)] }
        let result = Classifier.classify(Synthetic.claimed(Synthetic.unknownModel), policy: policy)
        #expect(result.tier == .four)
        #expect(!result.allowListed)
        #expect(result.has(.allowListClaimIgnored))
    }

    @Test func allowListTier1IsCappedForClaimedOrSyncedCredentials() throws {
        let policy = try Synthetic.policy { $0.allowList = [AllowEntry(aaguid: Synthetic.unknownModel, tier: .one, requireVerifiedAAGUID: false)] }
        let claimed = Classifier.classify(Synthetic.claimed(Synthetic.unknownModel, backupEligible: false, backupState: false), policy: policy)
        #expect(claimed.tier == .two)
        #expect(claimed.has(.tierCapped))
        let synced = Classifier.classify(Synthetic.attested(Synthetic.unknownModel, entry: nil, backupEligible: true), policy: policy)
        #expect(synced.tier == .two)
        #expect(synced.has(.tierCapped))
    }

    @Test func allowListCannotLiftACompromisedModel() throws {
        let policy = try Synthetic.policy { $0.allowList = [AllowEntry(aaguid: Synthetic.yubiKey5, tier: .one)] }
        let entry = Synthetic.entry(reports: [StatusReport(status: .revoked, effectiveDate: day("2023-01-01"))])
        let result = Classifier.classify(Synthetic.attested(entry: entry), policy: policy)
        #expect(result.tier == .four)
        #expect(result.rule == .metadataCompromise)
    }

    @Test func denyListMakesTier4AndRejectsTheRegistration() throws {
        let policy = try Synthetic.policy { $0.denyList = [DenyEntry(aaguid: Synthetic.yubiKey5, name: "YubiKey 5", note: "lost batch")] }
        let result = Classifier.classify(Synthetic.attested(), policy: policy)
        #expect(result.tier == .four)
        #expect(result.denied)
        #expect(result.rule == .denyList)
        let decision = registrationDecision(result, policy: policy)
        #expect(decision.outcome == .reject)
        #expect(decision.reasons.first?.rule == .denyList)
    }

    @Test func denyListAppliesToClaimedAAGUIDsToo() throws {
        let policy = try Synthetic.policy { $0.denyList = [DenyEntry(aaguid: Synthetic.onePassword)] }
        let result = Classifier.classify(Synthetic.claimed(Synthetic.onePassword), policy: policy)
        #expect(result.denied)
        #expect(registrationDecision(result, policy: policy).outcome == .reject)
    }

    @Test func metadataEntryForAnotherAAGUIDIsIgnored() throws {
        let facts = Synthetic.attested(Synthetic.unknownModel, entry: Synthetic.entry(Synthetic.yubiKey5))
        let result = Classifier.classify(facts, policy: try Synthetic.policy())
        #expect(result.tier == .four)
        #expect(result.has(.metadataAAGUIDMismatch))
    }

    @Test func metadataUpdateMarkingTheModelCompromisedReclassifiesAStoredCredential() throws {
        let policy = try Synthetic.policy()
        let stored = Synthetic.attested(at: day("2024-06-01"))
        #expect(Classifier.classify(stored, policy: policy).tier == .one)
        var updated = Synthetic.entry()
        updated.statusReports.append(StatusReport(status: .userKeyPhysicalCompromise, effectiveDate: day("2024-09-01")))
        let later = Classifier.classify(stored.updating(metadata: updated, at: day("2024-10-01")), policy: policy)
        #expect(later.tier == .four)
        #expect(later.reasons.first?.detail.contains("USER_KEY_PHYSICAL_COMPROMISE") == true)
        // The reaction the policy prescribes for that status.
        #expect(statusReaction(.userKeyPhysicalCompromise, policy: policy) == [.pauseRegistrations, .flagCredentials, .revokeSessions])
    }
}

@Suite("Registration decisions and status reactions")
struct RegistrationDecisionTests {
    @Test func defaultTierTableAcceptsTiers1And2AndMarks3And4() throws {
        let policy = try Synthetic.policy()
        let outcomes = [Synthetic.attested(), Synthetic.claimed(Synthetic.googlePasswordManager), Synthetic.claimed(Synthetic.onePassword),
                        Synthetic.claimed(.zero)].map { registrationDecision(Classifier.classify($0, policy: policy), policy: policy).outcome }
        #expect(outcomes == [.accept, .accept, .acceptWithMarking, .acceptWithMarking])
    }

    @Test func tierRejectedByThePolicyIsRejectedWithTheTableAsReason() throws {
        let policy = try Synthetic.policy { $0.registration.byTier[.four] = .reject }
        let decision = registrationDecision(Classifier.classify(Synthetic.claimed(.zero), policy: policy), policy: policy)
        #expect(decision.outcome == .reject)
        #expect(decision.reasons.first == Reason(.registrationTierPolicy, "registration.tier_4 is reject"))
        #expect(decision.reasons.contains { $0.rule == .zeroAAGUIDUnattested })
    }

    @Test func compromisedModelIsRejectedEvenWhenItsTierWouldBeAccepted() throws {
        let policy = try Synthetic.policy { $0.registration.byTier[.four] = .accept }
        let entry = Synthetic.entry(reports: [StatusReport(status: .attestationKeyCompromise, effectiveDate: day("2023-01-01"))])
        let decision = registrationDecision(Classifier.classify(Synthetic.attested(entry: entry), policy: policy), policy: policy)
        #expect(decision.outcome == .reject)
        #expect(decision.reasons.first?.rule == .registrationCompromisedModel)
    }

    @Test func onlyAllowListedRejectsEverythingElse() throws {
        let policy = try Synthetic.policy {
            $0.registration.onlyAllowListed = true
            $0.allowList = [AllowEntry(aaguid: Synthetic.yubiKey5, tier: .one)]
        }
        #expect(registrationDecision(Classifier.classify(Synthetic.attested(), policy: policy), policy: policy).outcome == .accept)
        let other = registrationDecision(Classifier.classify(Synthetic.claimed(Synthetic.googlePasswordManager), policy: policy), policy: policy)
        #expect(other.outcome == .reject)
        #expect(other.reasons.first?.rule == .registrationNotAllowListed)
    }

    @Test func statusReactionsFollowThePolicyAndIgnoreUnknownStatuses() throws {
        let policy = try Synthetic.policy()
        #expect(statusReaction(.userKeyRemoteCompromise, policy: policy) == [.pauseRegistrations, .suspendCredentials, .revokeSessions])
        #expect(statusReaction(.fidoCertifiedL2, policy: policy) == [])
        #expect(statusReaction(.unknown("SOMETHING_NEW"), policy: policy) == [])
    }

    @Test func tierOrdersByStrength() {
        #expect(Tier.one > Tier.two)
        #expect(Tier.four < Tier.three)
        #expect(Tier.two >= Tier.two)
        #expect(Tier.one.cappedAt(.two) == .two)
        #expect(Tier(0) == nil && Tier(5) == nil)
    }

    @Test func decisionsAndReasonsEncodeAsStableStrings() throws {
        let decision = Decision(.stepUp(minTier: .one, methods: [.strongerPasskey, .boundDevice]), reasons: [Reason(.tierTooLow, "x")])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(decision), as: UTF8.self)
        #expect(json == #"{"outcome":"step_up","reasons":[{"detail":"x","rule":"tier_too_low"}],"stepUp":{"methods":["stronger_passkey","bound_device"],"minTier":1}}"#)
        #expect(try JSONDecoder().decode(Decision.self, from: Data(json.utf8)) == decision)
        let classification = Classifier.classify(Synthetic.attested(), policy: try Synthetic.policy())
        let round = try JSONDecoder().decode(Classification.self, from: try JSONEncoder().encode(classification))
        #expect(round == classification)
    }
}
