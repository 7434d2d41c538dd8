import Crypto
import Foundation
import Testing
import X509
@testable import ClavigerTesting
@testable import WebAuthn

/// WebAuthn L3 §7.1 "Registering a new credential": every step `RegistrationCeremony.verify`
/// performs refuses what it must, with its exact code, and the same set-up verifies untampered.
@Suite("§7.1 registration steps reject with the exact code")
struct RegistrationStepTests {
    typealias Fixture = CeremonyStepFixture

    // MARK: Step 3: credential type

    @Test func registration_with_a_credential_type_other_than_public_key_is_rejected() async throws {
        let scenario = RegistrationStepScenario()
        try await scenario.attempt().mustVerify()
        for type in ["password", "", "Public-Key", "federated"] {
            try await scenario.attempt { $0.type = type }.mustFail(with: .credentialTypeMismatch, type)
        }
    }

    // MARK: Steps 5–6: clientDataJSON parses

    static let malformedClientData: [CeremonyStepCase<Tampering>] = [
        .init("not JSON", Tampering { $0.clientDataJSON = Array("not json".utf8) }),
        .init("a JSON array", Tampering { $0.clientDataJSON = Array(#"["webauthn.create"]"#.utf8) }),
        .init("truncated JSON", Tampering { $0.clientDataJSON = Array(#"{"type":"webauthn.create","challenge":"AA""#.utf8) }),
        .init("type missing", Tampering { $0.type = .omitted }),
        .init("challenge missing", Tampering { $0.challenge = .omitted }),
        .init("origin missing", Tampering { $0.origin = .omitted }),
        .init("type not a string", Tampering { $0.type = .value(.number(1)) }),
        .init("origin not a string", Tampering { $0.origin = .value(.null) }),
        .init("crossOrigin not a boolean", Tampering { $0.crossOrigin = .string("false") }),
        .init("topOrigin not a string", Tampering { $0.topOrigin = .value(.bool(true)) }),
        .init("challenge given twice", Tampering { $0.extraClientDataMembers = [.init("challenge", .string(Base64URL.encode([1, 2, 3])))] }),
        .init("origin given twice", Tampering { $0.extraClientDataMembers = [.init("origin", "https://evil.example")] }),
        .init("tokenBinding with an unknown status", Tampering { $0.extraClientDataMembers = [.init("tokenBinding", .object(["status": "bogus"]))] }),
    ]

    @Test(arguments: malformedClientData)
    func registration_with_malformed_client_data_is_rejected(_ tampering: CeremonyStepCase<Tampering>) async throws {
        let scenario = RegistrationStepScenario()
        try await scenario.attempt().mustVerify()
        try await scenario.attempt(tampering.value).mustFail(with: .malformedClientData)
    }

    @Test func registration_client_data_members_a_browser_may_add_are_ignored() async throws {
        let scenario = RegistrationStepScenario()
        let tampering = Tampering { $0.extraClientDataMembers = [.init("other_keys_can_be_added_here", "do not compare clientDataJSON against a template"),
                                                                  .init("tokenBinding", .object(["status": "supported"]))] }
        try await scenario.attempt(tampering).mustVerify()
    }

    // MARK: Step 7: type

    @Test(arguments: ["webauthn.get", "payment.get", "webauthn.create ", "WEBAUTHN.CREATE"])
    func registration_with_client_data_type_of_another_ceremony_is_rejected(_ type: String) async throws {
        let scenario = RegistrationStepScenario()
        try await scenario.attempt().mustVerify()
        try await scenario.attempt(Tampering { $0.type = .string(type) }).mustFail(with: .typeMismatch)
    }

    // MARK: Step 8: challenge

    @Test func registration_with_challenge_of_another_ceremony_is_rejected() async throws {
        var scenario = RegistrationStepScenario()
        try await scenario.attempt().mustVerify()
        scenario.challengeSent = Fixture.challenge()
        try await scenario.attempt().mustFail(with: .challengeMismatch)
        // A prefix of the right challenge is not the challenge.
        scenario.challengeSent = Array(scenario.expectations.challenge.dropLast())
        try await scenario.attempt().mustFail(with: .challengeMismatch)
    }

    @Test func registration_with_challenge_that_is_not_base64url_is_rejected() async throws {
        let scenario = RegistrationStepScenario()
        try await scenario.attempt().mustVerify()
        // Standard base64 of the same bytes ('+', '/', '=') is not the base64url the spec requires.
        let standard = Data(scenario.expectations.challenge).base64EncodedString()
        try await scenario.attempt(Tampering { $0.challenge = .string(standard + "==") }).mustFail(with: .challengeMismatch)
    }

    // MARK: Step 9: origin

    @Test func registration_from_an_origin_of_another_site_is_rejected() async throws {
        var scenario = RegistrationStepScenario()
        try await scenario.attempt().mustVerify()
        for origin in ["https://evil.example", "http://bank.example", "https://bank.example:8443", "https://bank.example.evil.example", "https://BANK.example"] {
            scenario.origin = origin
            try await scenario.attempt().mustFail(with: .originMismatch, origin)
        }
    }

    @Test func registration_origin_must_be_one_of_several_listed_origins() async throws {
        var scenario = RegistrationStepScenario()
        scenario.relyingParty = RelyingParty(id: Fixture.rpID, origins: ["https://bank.example", "https://m.bank.example", "android:apk-key-hash:Zm9vYmFy"])
        for accepted in ["https://bank.example", "https://m.bank.example", "android:apk-key-hash:Zm9vYmFy"] {
            scenario.origin = accepted
            try await scenario.attempt().mustVerify(accepted)
        }
        for refused in ["https://app.bank.example", "android:apk-key-hash:YmFyYmF6", "https://m.bank.example/"] {
            scenario.origin = refused
            try await scenario.attempt().mustFail(with: .originMismatch, refused)
        }
    }

    @Test func registration_from_a_subdomain_is_refused_by_default_and_accepted_with_allowSubdomainOrigins() async throws {
        var scenario = RegistrationStepScenario()
        scenario.origin = "https://login.bank.example"
        try await scenario.attempt().mustFail(with: .originMismatch)
        scenario.relyingParty.allowSubdomainOrigins = true
        try await scenario.attempt().mustVerify()
        scenario.origin = "https://a.b.bank.example"
        try await scenario.attempt().mustVerify()
    }

    @Test(arguments: ["http://login.bank.example", "https://evilbank.example", "https://login.bank.example:8443", "https://bank.example.evil.example",
                      "https://.bank.example", "https://user@login.bank.example", "https://evil.example/.bank.example"])
    func subdomain_opt_in_does_not_accept_lookalike_origins(_ origin: String) async throws {
        var scenario = RegistrationStepScenario()
        scenario.relyingParty.allowSubdomainOrigins = true
        scenario.origin = "https://login.bank.example"
        try await scenario.attempt().mustVerify()
        scenario.origin = origin
        try await scenario.attempt().mustFail(with: .originMismatch)
    }

    // MARK: Step 10: crossOrigin / topOrigin

    @Test func cross_origin_registration_is_refused_unless_the_rp_allows_it() async throws {
        var scenario = RegistrationStepScenario()
        scenario.crossOrigin = true
        try await scenario.attempt().mustFail(with: .crossOriginNotAllowed)
        scenario.relyingParty.allowCrossOrigin = true
        try await scenario.attempt().mustVerify()
    }

    @Test func registration_with_a_top_origin_not_in_topOrigins_is_rejected() async throws {
        var scenario = RegistrationStepScenario()
        scenario.relyingParty = RelyingParty(id: Fixture.rpID, origins: [Fixture.origin], topOrigins: ["https://shop.example"], allowCrossOrigin: true)
        scenario.topOrigin = "https://shop.example"
        let verified = try await scenario.attempt().mustVerify()
        #expect(verified.topOrigin == "https://shop.example")
        for top in ["https://evil.example", "https://shop.example.evil.example", "http://shop.example"] {
            scenario.topOrigin = top
            try await scenario.attempt().mustFail(with: .topOriginMismatch, top)
        }
    }

    @Test func registration_framed_under_a_top_origin_is_refused_when_cross_origin_is_not_allowed() async throws {
        var scenario = RegistrationStepScenario()
        scenario.relyingParty = RelyingParty(id: Fixture.rpID, origins: [Fixture.origin], topOrigins: ["https://shop.example"], allowCrossOrigin: true)
        scenario.topOrigin = "https://shop.example"
        try await scenario.attempt().mustVerify()
        scenario.relyingParty.allowCrossOrigin = false
        try await scenario.attempt().mustFail(with: .crossOriginNotAllowed)
        // A topOrigin claimed with crossOrigin false is still a framed ceremony.
        try await scenario.attempt(Tampering { $0.crossOrigin = .bool(false) }).mustFail(with: .crossOriginNotAllowed)
    }

    // MARK: Step 12: attestation object

    @Test func registration_with_attestation_object_that_is_not_cbor_is_rejected() async throws {
        let scenario = RegistrationStepScenario()
        try await scenario.attempt().mustVerify()
        try await scenario.attempt { $0.response.attestationObject = Base64URL.encode(Array("not cbor".utf8)) }.mustFail(with: .malformedCBOR)
        try await scenario.attempt { $0.response.attestationObject = Base64URL.encode([0xFF]) }.mustFail(with: .malformedCBOR)
        try await scenario.attempt { $0.response.attestationObject = "" }.mustFail(with: .malformedCBOR)
        // A truncated object.
        try await scenario.attempt { try $0.ceremonyStepEditAttestationObjectBytes { $0.removeLast(3) } }.mustFail(with: .malformedCBOR)
    }

    @Test func registration_with_bytes_after_the_attestation_object_is_rejected() async throws {
        let scenario = RegistrationStepScenario()
        try await scenario.attempt { try $0.ceremonyStepEditAttestationObjectBytes { _ in } }.mustVerify("re-encoded untouched")
        try await scenario.attempt { try $0.ceremonyStepEditAttestationObjectBytes { $0.append(0x00) } }.mustFail(with: .malformedCBOR)
        try await scenario.attempt { try $0.ceremonyStepEditAttestationObjectBytes { $0 += $0 } }.mustFail(with: .malformedCBOR)
    }

    @Test func registration_with_attestation_object_members_other_than_fmt_attStmt_authData_is_rejected() async throws {
        let scenario = RegistrationStepScenario()
        try await scenario.attempt { try $0.ceremonyStepEditAttestationObject { _ in } }.mustVerify("re-encoded untouched")
        try await scenario.attempt { try $0.ceremonyStepEditAttestationObject { $0 = $0.ceremonyStepSetting("extra", 1) } }.mustFail(with: .malformedCBOR)
        try await scenario.attempt { try $0.ceremonyStepEditAttestationObject { $0 = .map(($0.mapValue ?? []) + [CBORPair(1, "x")]) } }.mustFail(with: .malformedCBOR)
        // The same member twice (a second fmt a lax parser might read instead of the first).
        try await scenario.attempt { try $0.ceremonyStepEditAttestationObject { $0 = .map(($0.mapValue ?? []) + [CBORPair("fmt", "packed")]) } }.mustFail(with: .malformedCBOR)
    }

    @Test func registration_with_attestation_object_missing_or_mistyped_members_is_rejected() async throws {
        let scenario = RegistrationStepScenario()
        try await scenario.attempt().mustVerify()
        let edits: [CeremonyStepCase<@Sendable (CBOR) -> CBOR>] = [
            .init("fmt missing", { $0.ceremonyStepSetting("fmt", nil) }),
            .init("fmt not text", { $0.ceremonyStepSetting("fmt", .bytes(Array("none".utf8))) }),
            .init("attStmt missing", { $0.ceremonyStepSetting("attStmt", nil) }),
            .init("attStmt an array", { $0.ceremonyStepSetting("attStmt", .array([])) }),
            .init("authData missing", { $0.ceremonyStepSetting("authData", nil) }),
            .init("authData text", { $0.ceremonyStepSetting("authData", "authData") }),
            .init("an array instead of a map", { item in .array((item.mapValue ?? []).map(\.value)) }),
        ]
        for edit in edits {
            try await scenario.attempt { try $0.ceremonyStepEditAttestationObject { $0 = edit.value($0) } }.mustFail(with: .malformedCBOR, edit.label)
        }
    }

    // MARK: Step 13: rpIdHash

    @Test func registration_with_rpIdHash_of_another_rp_is_rejected() async throws {
        let scenario = RegistrationStepScenario()
        try await scenario.attempt().mustVerify()
        for rpID in ["evil.example", "login.bank.example", "example", "BANK.EXAMPLE"] {
            try await scenario.attempt(Tampering { $0.rpIDForHash = rpID }).mustFail(with: .rpIdMismatch, rpID)
        }
        try await scenario.attempt(Tampering { $0.rpIDHash = [UInt8](repeating: 0, count: 32) }).mustFail(with: .rpIdMismatch)
    }

    // MARK: Step 14: UP

    @Test func registration_without_user_presence_is_rejected_unless_the_rp_asked_for_conditional_create() async throws {
        var scenario = RegistrationStepScenario(SoftwareAuthenticator { $0.userPresent = false })
        try await scenario.attempt().mustFail(with: .userPresenceMissing)
        scenario.expectations.requireUserPresence = false
        let verified = try await scenario.attempt().mustVerify()
        #expect(!verified.flags.userPresent)
        // An authenticator that does report UP is accepted either way.
        scenario.authenticator.userPresent = true
        try await scenario.attempt().mustVerify()
    }

    // MARK: Step 15: UV

    @Test func registration_without_user_verification_is_rejected_when_required() async throws {
        var scenario = RegistrationStepScenario(SoftwareAuthenticator { $0.userVerified = false })
        try await scenario.attempt().mustFail(with: .userVerificationMissing)
        for requirement in [UserVerificationRequirement.preferred, .discouraged] {
            scenario.expectations.userVerification = requirement
            let verified = try await scenario.attempt().mustVerify(requirement.rawValue)
            #expect(!verified.userVerified)
        }
        scenario.expectations.userVerification = .required
        scenario.authenticator.userVerified = true
        #expect(try await scenario.attempt().mustVerify().userVerified)
    }

    // MARK: Step 16: BE / BS

    @Test func registration_with_backup_state_without_backup_eligibility_is_rejected() async throws {
        var scenario = RegistrationStepScenario(SoftwareAuthenticator { $0.backupEligible = true; $0.backupState = true })
        let verified = try await scenario.attempt().mustVerify()
        #expect(verified.backupEligible && verified.backupState)
        scenario.authenticator.backupEligible = false
        try await scenario.attempt().mustFail(with: .backupStateInvalid)
    }

    @Test func registration_with_backup_eligibility_alone_is_accepted() async throws {
        let scenario = RegistrationStepScenario(SoftwareAuthenticator { $0.backupEligible = true })
        let verified = try await scenario.attempt().mustVerify()
        #expect(verified.backupEligible && !verified.backupState)
    }

    // MARK: Attested credential data

    @Test func registration_without_attested_credential_data_is_rejected() async throws {
        let scenario = RegistrationStepScenario()
        try await scenario.attempt().mustVerify()
        // AT clear and nothing after the counter: well-formed authenticator data without a credential.
        let stripped = Tampering { $0.mutateAuthenticatorData = { bytes in
            var header = Array(bytes.prefix(37))
            header[32] &= ~AuthenticatorData.Flags.attestedCredentialData.rawValue
            return header
        } }
        try await scenario.attempt(stripped).mustFail(with: .attestedCredentialDataMissing)
        // AT clear while the data is still there is malformed authenticator data, not a missing credential.
        let flagOnly = Tampering { $0.mutateAuthenticatorData = { bytes in
            var bytes = bytes
            bytes[32] &= ~AuthenticatorData.Flags.attestedCredentialData.rawValue
            return bytes
        } }
        try await scenario.attempt(flagOnly).mustFail(with: .malformedAuthData)
    }

    // MARK: id / rawId name the credential

    @Test func registration_whose_id_or_rawId_is_not_the_credential_is_rejected() async throws {
        let scenario = RegistrationStepScenario()
        try await scenario.attempt().mustVerify()
        let other = Base64URL.encode(Fixture.randomBytes(32))
        try await scenario.attempt { $0.id = other; $0.rawId = other }.mustFail(with: .credentialIdMismatch, "both replaced")
        try await scenario.attempt { $0.id = other }.mustFail(with: .credentialIdMismatch, "id differs from rawId")
        try await scenario.attempt { $0.rawId = other }.mustFail(with: .credentialIdMismatch, "rawId differs from id")
        try await scenario.attempt { response in
            let truncated = Base64URL.encode(Array(try #require(Base64URL.decode(response.rawId)).dropLast()))
            response.id = truncated
            response.rawId = truncated
        }.mustFail(with: .credentialIdMismatch, "truncated")
    }

    // MARK: Step 25: credential ID length

    @Test func credential_id_of_1024_bytes_is_rejected_and_1023_bytes_accepted() async throws {
        var scenario = RegistrationStepScenario(SoftwareAuthenticator { $0.credentialIDLength = 1023 })
        let verified = try await scenario.attempt().mustVerify()
        #expect(verified.credentialID.count == 1023)
        scenario.authenticator.credentialIDLength = 1024
        try await scenario.attempt().mustFail(with: .credentialIdTooLong)
        scenario.authenticator.credentialIDLength = 2048
        try await scenario.attempt().mustFail(with: .credentialIdTooLong)
    }

    // MARK: Step 19: algorithm

    @Test func credential_algorithm_not_in_pubKeyCredParams_is_rejected() async throws {
        var scenario = RegistrationStepScenario(SoftwareAuthenticator(algorithm: .edDSA))
        try await scenario.attempt().mustVerify()
        scenario.expectations.allowedAlgorithms = [.es256]
        try await scenario.attempt().mustFail(with: .algorithmNotAllowed)
        scenario.authenticator.algorithm = .es256
        try await scenario.attempt().mustVerify()
        scenario.authenticator.algorithm = .es384
        try await scenario.attempt().mustFail(with: .algorithmNotAllowed)
    }

    @Test func rs1_credential_is_refused_unless_sha1_is_allowed() async throws {
        var scenario = RegistrationStepScenario(SoftwareAuthenticator(algorithm: .rs1) { $0.credentialKey = try? Fixture.rsaCredentialKey(.rs1) })
        scenario.expectations.allowedAlgorithms = [.es256, .rs256, .rs1]
        try await scenario.attempt().mustFail(with: .insecureAlgorithm)
        scenario.policy.allowSHA1 = true
        #expect(try await scenario.attempt().mustVerify().algorithm == .rs1)
        // Allowing SHA-1 does not make an algorithm the RP did not offer acceptable.
        scenario.expectations.allowedAlgorithms = [.es256, .rs256]
        try await scenario.attempt().mustFail(with: .algorithmNotAllowed)
    }

    // MARK: Steps 21–22: format

    @Test func registration_with_an_unknown_attestation_format_is_rejected() async throws {
        let scenario = RegistrationStepScenario()
        try await scenario.attempt().mustVerify()
        for format in ["x-claviger-unknown", "Packed", "NONE", "tpm ", ""] {
            try await scenario.attempt(Tampering { $0.format = format }).mustFail(with: .unsupportedFormat, format)
        }
    }

    @Test func registration_in_a_format_outside_allowedFormats_is_rejected() async throws {
        var scenario = RegistrationStepScenario(SoftwareAuthenticator(attestation: .packedSelf))
        scenario.policy.allowedFormats = ["packed", "tpm"]
        try await scenario.attempt().mustVerify()
        scenario.policy.allowedFormats = ["none", "tpm"]
        try await scenario.attempt().mustFail(with: .formatNotAllowed)
        scenario.policy.allowedFormats = []
        try await scenario.attempt().mustFail(with: .formatNotAllowed)
    }

    // MARK: Steps 23–24: trust

    @Test func required_trusted_attestation_without_anchors_is_rejected() async throws {
        var scenario = RegistrationStepScenario(SoftwareAuthenticator(attestation: .packedBasic))
        scenario.policy = try Fixture.trustedPolicy()
        let verified = try await scenario.attempt().mustVerify()
        #expect(verified.attestation.trusted)
        scenario.policy.trustAnchors = .none
        try await scenario.attempt().mustFail(with: .attestationUntrusted)
        // Without the requirement the same registration verifies, untrusted.
        scenario.policy.requireTrustedAttestation = false
        let untrusted = try await scenario.attempt().mustVerify()
        #expect(!untrusted.attestation.trusted)
        #expect(untrusted.attestation.untrustedReason?.code == .attestationUntrusted)
        #expect(untrusted.attestation.type == .basic)
    }

    @Test func required_trusted_attestation_with_another_vendors_roots_is_rejected() async throws {
        let pki = try TestPKI.shared()
        var scenario = RegistrationStepScenario(SoftwareAuthenticator(attestation: .packedBasic))
        scenario.policy = try Fixture.trustedPolicy()
        try await scenario.attempt().mustVerify()
        scenario.policy.trustAnchors = TrustAnchors(general: [pki.apple.root, pki.tpm.root, pki.u2f.root])
        try await scenario.attempt().mustFail(with: .attestationUntrusted, "other vendors' roots")
        // The right root, scoped to another format, does not anchor a packed statement.
        scenario.policy.trustAnchors = TrustAnchors(byFormat: ["tpm": [pki.packed.root]])
        try await scenario.attempt().mustFail(with: .attestationUntrusted, "packed root scoped to tpm")
        // The same root as a general (all-format) anchor is trusted.
        scenario.policy.trustAnchors = TrustAnchors(general: [pki.packed.root])
        try await scenario.attempt().mustVerify("packed root as a general anchor")
    }

    @Test(arguments: [AttestationKindForTrust.none, .packedSelf])
    func required_trusted_attestation_refuses_statements_without_a_trust_path(_ kind: AttestationKindForTrust) async throws {
        var scenario = RegistrationStepScenario(SoftwareAuthenticator(attestation: kind.attestation))
        scenario.policy = try Fixture.trustedPolicy { $0.requireTrustedAttestation = false }
        let verified = try await scenario.attempt().mustVerify()
        #expect(!verified.attestation.trusted)
        #expect(verified.attestation.trustPath.isEmpty)
        scenario.policy.requireTrustedAttestation = true
        try await scenario.attempt().mustFail(with: .attestationUntrusted)
    }

    enum AttestationKindForTrust: String, Sendable, CaseIterable {
        case none, packedSelf
        var attestation: TestAttestation { self == .none ? .none : .packedSelf }
    }

    @Test func attestation_certificate_expired_at_now_is_rejected() async throws {
        let pki = try TestPKI.shared()
        var scenario = RegistrationStepScenario(SoftwareAuthenticator(attestation: .packedBasic))
        scenario.policy = try Fixture.trustedPolicy()
        scenario.now = pki.createdAt.addingTimeInterval(300 * 86400)
        try await scenario.attempt().mustVerify("within the leaf's one-year validity")
        scenario.now = pki.createdAt.addingTimeInterval(400 * 86400)
        try await scenario.attempt().mustFail(with: .certificateExpired, "leaf expired")
        scenario.now = pki.createdAt.addingTimeInterval(-2 * 3600)
        try await scenario.attempt().mustFail(with: .certificateExpired, "leaf not yet valid")
    }

    @Test func authenticator_model_outside_allowedAAGUIDs_is_rejected() async throws {
        var scenario = RegistrationStepScenario(SoftwareAuthenticator(attestation: .packedBasic))
        scenario.policy = try Fixture.trustedPolicy { $0.allowedAAGUIDs = [SoftwareAuthenticator.testAAGUID, Fixture.otherAAGUID] }
        #expect(try await scenario.attempt().mustVerify().aaguid == SoftwareAuthenticator.testAAGUID)
        scenario.policy.allowedAAGUIDs = [Fixture.otherAAGUID]
        try await scenario.attempt().mustFail(with: .aaguidNotAllowed)
        scenario.policy.allowedAAGUIDs = []
        try await scenario.attempt().mustFail(with: .aaguidNotAllowed)
    }

    @Test func zero_aaguid_of_a_none_attestation_is_refused_by_an_allow_list() async throws {
        var scenario = RegistrationStepScenario(SoftwareAuthenticator(aaguid: .zero))
        try await scenario.attempt().mustVerify()
        scenario.policy.allowedAAGUIDs = [SoftwareAuthenticator.testAAGUID]
        try await scenario.attempt().mustFail(with: .aaguidNotAllowed)
    }

    // MARK: Result

    @Test func verified_registration_reports_what_the_rp_stores() async throws {
        let authenticator = SoftwareAuthenticator(attestation: .packedBasic) {
            $0.backupEligible = true
            $0.initialSignCount = 7
            $0.transports = ["usb", "nfc"]
            $0.clientExtensionResults = ClientExtensionResults(credProps: .init(rk: true))
        }
        var scenario = RegistrationStepScenario(authenticator)
        scenario.policy = try Fixture.trustedPolicy()
        let response = try scenario.response()
        let verified = try await scenario.verify(response).mustVerify()
        #expect(Base64URL.encode(verified.credentialID) == response.rawId)
        #expect(verified.signCount == 7)
        #expect(verified.format == "packed")
        #expect(verified.transports == ["usb", "nfc"])
        #expect(verified.authenticatorAttachment == "cross-platform")
        #expect(verified.discoverable == true)
        #expect(verified.origin == Fixture.origin)
        #expect(verified.topOrigin == nil)
        #expect(verified.backupEligible && !verified.backupState)
        #expect(verified.algorithm == .es256)
        #expect(try COSEKey(cose: verified.publicKey.encoded).algorithm == .es256)
    }
}
