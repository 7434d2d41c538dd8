import ClavigerTesting
import FIDOMetadata
import Foundation
import Testing
import VectorTestSupport
import WebAuthn
@testable import TrustPolicy

/// Real registrations from ../shared/vectors, verified with the ceremony and classified against
/// the real MDS3 BLOB no. 9 (webauthn4j/mds3-blob-no9-2021.jwt).
@Suite("Classification of real registrations with real FIDO metadata", .enabled(if: Vector.available))
struct VectorClassificationTests {
    /// Metadata status is read at a date inside the BLOB's life.
    static let statusTime = RealMetadata.blobTime

    /// Verifies like the server: when the catalog has an entry for the AAGUID, the anchors are
    /// that entry's attestation roots; else the shipped roots.
    func classify(_ vector: Vector, catalog: MetadataCatalog?, policy: PolicyDocument) async throws -> (VerifiedRegistration, Classification) {
        let vectorAAGUID = try #require(vector.authDataAAGUID)
        let entry = catalog?.entry(aaguid: vectorAAGUID)
        let anchors = entry.map(MetadataTrust.anchors(for:)) ?? KnownRoots.attestationAnchors
        let verified = try await vector.verify(anchors: anchors)
        let facts = CredentialFacts(registration: verified, metadata: entry, at: Self.statusTime)
        return (verified, Classifier.classify(facts, policy: policy))
    }

    @Test func realBLOBVerifiesAndHasTheYubiKey5Entry() async throws {
        let catalog = try await RealMetadata.catalog()
        #expect(catalog.serialNumber == 9)
        let entry = try #require(catalog.entry(aaguid: aaguid("fa2b99dc-9e39-4257-8f92-4a30d23c4118")))
        #expect(entry.statement?.description == "YubiKey 5 Series with NFC")
        #expect(entry.certificationLevel(at: Self.statusTime) == .l1)
        #expect(!MetadataTrust.anchors(for: entry).general.isEmpty)
    }

    /// yubico-reg-yubi-key5: a YubiKey 5 Series with NFC (AAGUID fa2b99dc-…, packed basic_full, BE=0),
    /// L1 certified with hardware + secure-element key protection in BLOB no. 9.
    @Test func yubiKey5PackedRegistrationWithMetadataIsTier1() async throws {
        let policy = try PolicyDocument.defaultPolicy()
        let (verified, result) = try await classify(try Vector.registration("yubico-reg-yubi-key5"), catalog: try await RealMetadata.catalog(), policy: policy)
        #expect(verified.format == "packed")
        #expect(verified.attestation.trusted)
        #expect(verified.aaguid == aaguid("fa2b99dc-9e39-4257-8f92-4a30d23c4118"))
        #expect(result.tier == .one)
        #expect(result.rule == .attestedHardwareKey)
        #expect(result.aaguidVerified)
        #expect(result.providerName == "YubiKey 5 Series with NFC")
        #expect(registrationDecision(result, policy: policy).outcome == .accept)
    }

    /// wrs-reg-packed-aaguid-ext-valid: another YubiKey 5 Series with NFC (AAGUID 2fc0579f-…), UV, BE=0.
    @Test func secondYubiKey5VectorWithMetadataIsTier1() async throws {
        let (_, result) = try await classify(try Vector.registration("wrs-reg-packed-aaguid-ext-valid"), catalog: try await RealMetadata.catalog(),
                                             policy: try PolicyDocument.defaultPolicy())
        #expect(result.tier == .one)
    }

    /// yubico-reg-yubi-key5 without metadata: the chain verifies to the shipped Yubico root,
    /// so the AAGUID is verified, but certification and key protection are unknown.
    @Test func yubiKey5PackedRegistrationWithoutMetadataIsNotTier1() async throws {
        let (verified, result) = try await classify(try Vector.registration("yubico-reg-yubi-key5"), catalog: nil, policy: try PolicyDocument.defaultPolicy())
        #expect(verified.attestation.trusted)
        #expect(result.aaguidVerified)
        #expect(result.tier != .one)
        #expect(result.has(.noMetadata))
    }

    /// yubico-reg-yubi-key5 with a policy requiring L2: the L1 key is not tier 1.
    @Test func yubiKey5IsNotTier1UnderAnL2Policy() async throws {
        var policy = try PolicyDocument.defaultPolicy()
        policy.classification.tier1MinimumCertification = .l2
        let (_, result) = try await classify(try Vector.registration("yubico-reg-yubi-key5"), catalog: try await RealMetadata.catalog(), policy: policy)
        #expect(result.tier == .three)
        #expect(result.has(.certificationBelowMinimum))
    }

    /// wrs-reg-macos-openssl-key: fmt none, AAGUID fbfc3007-… (Apple Passwords), BE=1 BS=1.
    @Test func applePasswordsNoneRegistrationIsTier2Claimed() async throws {
        let (verified, result) = try await classify(try Vector.registration("wrs-reg-macos-openssl-key"), catalog: try await RealMetadata.catalog(),
                                                    policy: try PolicyDocument.defaultPolicy())
        #expect(verified.format == "none")
        #expect(result.tier == .two)
        #expect(result.rule == .providerFirstPartyPlatform)
        #expect(!result.aaguidVerified)
        #expect(result.has(.aaguidClaimedOnly))
        #expect(result.has(.syncedCredential))
        #expect(result.providerName == "Apple Passwords")
    }

    /// No vector has a password manager's AAGUID, so this registration is made with ClavigerTesting's
    /// SoftwareAuthenticator: a synced `none` passkey claiming 1Password's AAGUID (bada5566-…).
    @Test func onePasswordNoneRegistrationIsTier3MarkedClaimed() async throws {
        let policy = try PolicyDocument.defaultPolicy()
        let authenticator = SoftwareAuthenticator.syncedPasskey(aaguid: aaguid("bada5566-a7aa-401f-bd96-45619a55120d"))
        let challenge = Array("policy-test-challenge-0123456789".utf8)
        let (response, _) = try authenticator.register(rpID: "bank.example", origin: "https://bank.example", challenge: challenge)
        let verified = try await RegistrationCeremony.verify(response, expecting: RegistrationExpectations(challenge: challenge),
                                                             relyingParty: RelyingParty(id: "bank.example", origins: ["https://bank.example"]),
                                                             policy: RegistrationPolicy(trustAnchors: KnownRoots.attestationAnchors), now: Date())
        let result = Classifier.classify(CredentialFacts(registration: verified, metadata: try await RealMetadata.catalog().entry(aaguid: verified.aaguid),
                                                         at: Self.statusTime), policy: policy)
        #expect(result.tier == .three)
        #expect(result.rule == .providerPasswordManager)
        #expect(result.has(.aaguidClaimedOnly))
        #expect(!result.aaguidVerified)
        #expect(result.providerName == "1Password")
        #expect(registrationDecision(result, policy: policy).outcome == .acceptWithMarking)
    }

    /// pywebauthn-reg-none-01 and wrs-reg-none-yubikey5-bio-eddsa: fmt none, zero AAGUID.
    @Test(arguments: ["pywebauthn-reg-none-01", "wrs-reg-none-yubikey5-bio-eddsa"])
    func zeroAAGUIDNoneRegistrationIsTier4(id: String) async throws {
        let (verified, result) = try await classify(try Vector.registration(id), catalog: try await RealMetadata.catalog(), policy: try PolicyDocument.defaultPolicy())
        #expect(verified.aaguid.isZero)
        #expect(result.tier == .four)
        #expect(result.rule == .zeroAAGUIDUnattested)
    }

    /// yubico-reg-yubi-key5 stored as tier 1; a later BLOB marks AAGUID fa2b99dc-… with
    /// USER_KEY_REMOTE_COMPROMISE: re-classifying the stored facts gives tier 4, and only from the
    /// status's effective date on.
    @Test func metadataUpdateMarkingTheAAGUIDCompromisedReclassifiesTheStoredCredential() async throws {
        let policy = try PolicyDocument.defaultPolicy()
        let catalog = try await RealMetadata.catalog()
        let vector = try Vector.registration("yubico-reg-yubi-key5")
        let vectorAAGUID = try #require(vector.authDataAAGUID)
        let entry = try #require(catalog.entry(aaguid: vectorAAGUID))
        let verified = try await vector.verify(anchors: MetadataTrust.anchors(for: entry))
        let stored = CredentialFacts(registration: verified, metadata: entry, at: Self.statusTime)
        #expect(Classifier.classify(stored, policy: policy).tier == .one)

        var updated = entry
        updated.statusReports.append(StatusReport(status: .userKeyRemoteCompromise, effectiveDate: day("2022-03-01")))
        let next = MetadataCatalog(serialNumber: catalog.serialNumber + 1, nextUpdate: day("2022-04-01"), entries: catalog.entries.map {
            $0.aaguid == updated.aaguid ? updated : $0
        })
        let newEntry = next.entry(aaguid: verified.aaguid)
        let beforeEffective = Classifier.classify(stored.updating(metadata: newEntry, at: day("2022-02-15")), policy: policy)
        #expect(beforeEffective.tier == .one)
        let afterEffective = Classifier.classify(stored.updating(metadata: newEntry, at: day("2022-03-02")), policy: policy)
        #expect(afterEffective.tier == .four)
        #expect(afterEffective.compromised)
        #expect(afterEffective.reasons.first?.rule == .metadataCompromise)
        #expect(afterEffective.reasons.first?.detail.contains("USER_KEY_REMOTE_COMPROMISE") == true)
        #expect(statusReaction(.userKeyRemoteCompromise, policy: policy).contains(.suspendCredentials))
        // A new registration of the model is refused.
        #expect(registrationDecision(afterEffective, policy: policy).outcome == .reject)
    }
}
