import Crypto
import Foundation
import Testing
@testable import ClavigerTesting
@testable import WebAuthn

/// WebAuthn L3 §7.2 "Verifying an authentication assertion": every step
/// `AuthenticationCeremony.verify` performs refuses what it must, with its exact code, and the
/// same set-up verifies untampered.
@Suite("§7.2 authentication steps reject with the exact code")
struct AuthenticationStepTests {
    typealias Fixture = CeremonyStepFixture

    @Test func untampered_assertion_verifies_and_reports_what_the_rp_updates() throws {
        var scenario = try AssertionStepScenario()
        let verified = try scenario.attempt().mustVerify()
        #expect(verified.credentialID == scenario.record.id)
        #expect(verified.userHandle == AssertionStepScenario.ownerHandle)
        #expect(verified.newSignCount == 1)
        #expect(!verified.counterRegression)
        #expect(!verified.backupStateChanged)
        #expect(!verified.usedAppID)
        #expect(verified.userVerified)
        #expect(verified.clientData.type == "webauthn.get")
        #expect(verified.clientData.challengeBytes == scenario.expectations.challenge)
    }

    @Test func assertion_with_a_credential_type_other_than_public_key_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        try scenario.attempt().mustVerify()
        try scenario.attempt { $0.type = "password" }.mustFail(with: .credentialTypeMismatch)
    }

    // MARK: Steps 5–7: the credential

    @Test func assertion_for_a_credential_other_than_the_record_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        try scenario.attempt().mustVerify()
        let other = Base64URL.encode(Fixture.randomBytes(32))
        try scenario.attempt { $0.id = other; $0.rawId = other }.mustFail(with: .credentialIdMismatch, "response names another credential")
        try scenario.attempt { $0.id = other }.mustFail(with: .credentialIdMismatch, "id differs from rawId")
        // The response is honest but the RP looked up another record.
        var otherRecord = scenario
        otherRecord.record.id = Fixture.randomBytes(32)
        otherRecord.expectations.allowCredentials = []
        try otherRecord.attempt().mustFail(with: .credentialIdMismatch, "record of another credential")
    }

    @Test func assertion_with_a_credential_missing_from_allowCredentials_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        scenario.expectations.allowCredentials = [Fixture.randomBytes(32), scenario.record.id]
        try scenario.attempt().mustVerify()
        scenario.expectations.allowCredentials = [Fixture.randomBytes(32), Fixture.randomBytes(16)]
        try scenario.attempt().mustFail(with: .credentialNotAllowed)
        // An empty list is a discoverable (usernameless) sign-in: any credential of the record.
        scenario.expectations.allowCredentials = []
        try scenario.attempt().mustVerify()
    }

    @Test func assertion_with_the_user_handle_of_another_user_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        #expect(try scenario.attempt().mustVerify().userHandle == AssertionStepScenario.ownerHandle)
        try scenario.attempt(Tampering { $0.userHandle = [0x75, 0x73, 0x65, 0x72, 0x2D, 0x32] }).mustFail(with: .userHandleMismatch)
        try scenario.attempt(Tampering { $0.userHandle = [] }).mustVerify("an empty userHandle is no userHandle")
        // Absent (a non-discoverable credential in an identified-user flow) is accepted.
        #expect(try scenario.attempt(Tampering { $0.userHandle = .some(nil) }).mustVerify().userHandle == nil)
    }

    // MARK: Steps 11–14: client data

    @Test(arguments: ["webauthn.create", "payment.get", "webauthn.get.x"])
    func assertion_with_client_data_type_of_another_ceremony_is_rejected(_ type: String) throws {
        var scenario = try AssertionStepScenario()
        try scenario.attempt().mustVerify()
        try scenario.attempt(Tampering { $0.type = .string(type) }).mustFail(with: .typeMismatch)
    }

    @Test func assertion_with_challenge_of_another_ceremony_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        try scenario.attempt().mustVerify()
        scenario.challengeSent = Fixture.challenge()
        try scenario.attempt().mustFail(with: .challengeMismatch)
    }

    @Test func replayed_assertion_for_an_old_challenge_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        let first = try scenario.response()
        try scenario.verify(first).mustVerify()
        // The next sign-in issues a new challenge; the captured response must not pass.
        scenario.expectations.challenge = Fixture.challenge()
        scenario.verify(first).mustFail(with: .challengeMismatch)
    }

    @Test func assertion_from_an_origin_of_another_site_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        try scenario.attempt().mustVerify()
        for origin in ["https://evil.example", "https://login.bank.example", "http://bank.example"] {
            scenario.origin = origin
            try scenario.attempt().mustFail(with: .originMismatch, origin)
        }
        scenario.relyingParty.allowSubdomainOrigins = true
        scenario.origin = "https://login.bank.example"
        try scenario.attempt().mustVerify("subdomain opt-in")
    }

    @Test func assertion_framed_cross_origin_is_refused_unless_allowed() throws {
        var scenario = try AssertionStepScenario()
        scenario.crossOrigin = true
        try scenario.attempt().mustFail(with: .crossOriginNotAllowed)
        scenario.relyingParty.allowCrossOrigin = true
        try scenario.attempt().mustVerify()
    }

    @Test func assertion_with_a_top_origin_not_in_topOrigins_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        scenario.relyingParty = RelyingParty(id: Fixture.rpID, origins: [Fixture.origin], topOrigins: ["https://shop.example", "https://pay.example"],
                                             allowCrossOrigin: true)
        scenario.topOrigin = "https://pay.example"
        #expect(try scenario.attempt().mustVerify().clientData.topOrigin == "https://pay.example")
        scenario.topOrigin = "https://evil.example"
        try scenario.attempt().mustFail(with: .topOriginMismatch)
        scenario.relyingParty.allowCrossOrigin = false
        scenario.topOrigin = "https://pay.example"
        try scenario.attempt().mustFail(with: .crossOriginNotAllowed)
    }

    @Test func assertion_with_malformed_client_data_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        try scenario.attempt().mustVerify()
        try scenario.attempt(Tampering { $0.clientDataJSON = Array("{".utf8) }).mustFail(with: .malformedClientData)
        try scenario.attempt(Tampering { $0.origin = .omitted }).mustFail(with: .malformedClientData)
    }

    // MARK: Step 15: rpIdHash and the appid extension

    @Test func assertion_with_rpIdHash_of_another_rp_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        try scenario.attempt().mustVerify()
        try scenario.attempt(Tampering { $0.rpIDForHash = "evil.example" }).mustFail(with: .rpIdMismatch)
        try scenario.attempt(Tampering { $0.rpIDForHash = "login.bank.example" }).mustFail(with: .rpIdMismatch)
    }

    static let appID = "https://bank.example/u2f/app-id.json"

    /// A U2F-era credential: registered through the appid extension, so it signs SHA-256(AppID).
    func u2fScenario() throws -> AssertionStepScenario {
        var scenario = try AssertionStepScenario(SoftwareAuthenticator.u2fSecurityKey())
        scenario.expectations.userVerification = .discouraged
        scenario.expectations.appID = Self.appID
        return scenario
    }

    @Test func appid_assertion_accepts_the_appid_hash_and_refuses_the_rp_id_hash() throws {
        var scenario = try u2fScenario()
        scenario.rpIDSent = Self.appID
        let verified = try scenario.attempt { $0.clientExtensionResults.appid = true }.mustVerify()
        #expect(verified.usedAppID)
        // The client said it used the AppID; the RP ID hash is then not acceptable.
        scenario.rpIDSent = Fixture.rpID
        try scenario.attempt { $0.clientExtensionResults.appid = true }.mustFail(with: .rpIdMismatch)
    }

    @Test func without_appid_output_the_rp_id_hash_is_required() throws {
        var scenario = try u2fScenario()
        scenario.rpIDSent = Fixture.rpID
        #expect(try scenario.attempt().mustVerify().usedAppID == false)
        #expect(try scenario.attempt { $0.clientExtensionResults.appid = false }.mustVerify().usedAppID == false)
        scenario.rpIDSent = Self.appID
        try scenario.attempt().mustFail(with: .rpIdMismatch, "appid output absent")
        try scenario.attempt { $0.clientExtensionResults.appid = false }.mustFail(with: .rpIdMismatch, "appid output false")
    }

    @Test func appid_output_is_ignored_when_the_rp_did_not_offer_an_appid() throws {
        var scenario = try u2fScenario()
        scenario.rpIDSent = Self.appID
        try scenario.attempt { $0.clientExtensionResults.appid = true }.mustVerify()
        scenario.expectations.appID = nil
        try scenario.attempt { $0.clientExtensionResults.appid = true }.mustFail(with: .rpIdMismatch)
        // And a hash of another AppID than the one offered is refused.
        scenario.expectations.appID = "https://bank.example/other-app-id.json"
        try scenario.attempt { $0.clientExtensionResults.appid = true }.mustFail(with: .rpIdMismatch)
    }

    // MARK: Steps 16–18: flags

    @Test func assertion_without_user_presence_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        try scenario.attempt(Tampering { $0.flags = [.userPresent, .userVerified] }).mustVerify()
        try scenario.attempt(Tampering { $0.flags = [.userVerified] }).mustFail(with: .userPresenceMissing)
        // UP is required whatever the UV requirement.
        scenario.expectations.userVerification = .discouraged
        try scenario.attempt(Tampering { $0.flags = [] }).mustFail(with: .userPresenceMissing)
    }

    @Test func assertion_without_user_verification_is_rejected_when_required() throws {
        var scenario = try AssertionStepScenario()
        scenario.authenticator.userVerified = false
        try scenario.attempt().mustFail(with: .userVerificationMissing)
        scenario.expectations.userVerification = .preferred
        #expect(try scenario.attempt().mustVerify().userVerified == false)
        scenario.expectations.userVerification = .discouraged
        try scenario.attempt().mustVerify()
    }

    @Test func assertion_with_backup_state_without_backup_eligibility_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        scenario.record.backupEligible = nil
        try scenario.attempt(Tampering { $0.flags = [.userPresent, .userVerified, .backupEligible, .backupState] }).mustVerify()
        try scenario.attempt(Tampering { $0.flags = [.userPresent, .userVerified, .backupState] }).mustFail(with: .backupStateInvalid)
    }

    @Test func assertion_whose_backup_eligibility_changed_since_registration_is_rejected() throws {
        // Registered device-bound (BE = 0): BE = 1 now is not the credential we stored.
        var deviceBound = try AssertionStepScenario()
        try deviceBound.attempt().mustVerify()
        try deviceBound.attempt(Tampering { $0.flags = [.userPresent, .userVerified, .backupEligible] }).mustFail(with: .backupEligibilityChanged)
        // Registered backup eligible (BE = 1): BE = 0 now is refused as well.
        var synced = try AssertionStepScenario(SoftwareAuthenticator.syncedPasskey())
        try synced.attempt().mustVerify()
        try synced.attempt(Tampering { $0.flags = [.userPresent, .userVerified] }).mustFail(with: .backupEligibilityChanged)
        // A record imported without BE cannot be compared: either value is accepted.
        synced.record.backupEligible = nil
        try synced.attempt(Tampering { $0.flags = [.userPresent, .userVerified] }).mustVerify()
    }

    // MARK: Step 19: no attested credential data

    @Test func assertion_carrying_attested_credential_data_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        try scenario.attempt().mustVerify()
        let credential = scenario.credential
        var attested = credential.aaguid.bytes
        attested += [UInt8(credential.id.count >> 8), UInt8(credential.id.count & 0xFF)] + credential.id + credential.publicKey
        let withCredential = Tampering { [attested] t in
            t.mutateAuthenticatorData = { bytes in
                var bytes = bytes
                bytes[32] |= AuthenticatorData.Flags.attestedCredentialData.rawValue
                return bytes + attested
            }
        }
        try scenario.attempt(withCredential).mustFail(with: .unexpectedAttestedCredentialData)
    }

    // MARK: Steps 20–21: signature

    @Test func assertion_with_a_corrupted_signature_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        try scenario.attempt().mustVerify()
        // ECDSA DER signature: flip a bit inside s (the last byte), keeping the DER well-formed.
        try scenario.attempt(Tampering { $0.mutateSignature = { var s = $0; s[s.count - 1] ^= 0x01; return s } }).mustFail(with: .badSignature)
        try scenario.attempt(Tampering { $0.mutateSignature = { _ in [] } }).mustFail(with: .badSignature)
        try scenario.attempt(Tampering { $0.mutateSignature = { Array($0.dropLast()) } }).mustFail(with: .badSignature)
    }

    @Test(arguments: [COSEAlgorithm.es256, .edDSA, .es384])
    func assertion_signed_by_another_key_is_rejected(_ algorithm: COSEAlgorithm) throws {
        var scenario = try AssertionStepScenario(SoftwareAuthenticator(algorithm: algorithm))
        try scenario.attempt().mustVerify()
        let other = try CredentialPrivateKey(generating: algorithm)
        try scenario.attempt(Tampering { $0.signingKey = other }).mustFail(with: .badSignature)
    }

    @Test func assertion_signature_over_other_client_data_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        let honest = try scenario.response()
        try scenario.verify(honest).mustVerify()
        // Client data swapped after signing (same challenge, an extra member): the signature no longer covers it.
        let other = try scenario.response(Tampering { $0.extraClientDataMembers = [.init("note", "swapped")] })
        var spliced = honest
        spliced.response.clientDataJSON = other.response.clientDataJSON
        scenario.verify(spliced).mustFail(with: .badSignature)
        // Authenticator data swapped (a later counter): same.
        let later = try scenario.response()
        spliced = honest
        spliced.response.authenticatorData = later.response.authenticatorData
        scenario.verify(spliced).mustFail(with: .badSignature)
    }

    @Test func assertion_against_a_malformed_stored_key_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        try scenario.attempt().mustVerify()
        let key = try CBORDecoder.decode(scenario.record.publicKey)
        var broken = scenario
        broken.record.publicKey = CBOREncoder.encode(.map((key.mapValue ?? []).filter { $0.key != .int(-3) }))
        try broken.attempt().mustFail(with: .malformedPublicKey, "y coordinate missing")
        broken.record.publicKey = CBOREncoder.encode(.map((key.mapValue ?? []).map { $0.key == .int(-2) ? CBORPair(-2, .bytes([UInt8](repeating: 0x01, count: 32))) : $0 }))
        try broken.attempt().mustFail(with: .malformedPublicKey, "point not on the curve")
        broken.record.publicKey = CBOREncoder.encode(.map((key.mapValue ?? []).map { $0.key == .int(1) ? CBORPair(1, .int(COSEKeyType.okp.rawValue)) : $0 }))
        try broken.attempt().mustFail(with: .malformedPublicKey, "kty does not fit alg")
        broken.record.publicKey = scenario.record.publicKey + [0x00]
        try broken.attempt().mustFail(with: .malformedCBOR, "trailing byte")
        broken.record.publicKey = []
        try broken.attempt().mustFail(with: .malformedCBOR, "empty")
    }

    @Test func rs1_stored_key_is_refused_unless_sha1_is_allowed() throws {
        var scenario = try AssertionStepScenario(SoftwareAuthenticator(algorithm: .rs1) { $0.credentialKey = try? Fixture.rsaCredentialKey(.rs1) })
        try scenario.attempt().mustFail(with: .insecureAlgorithm)
        scenario.policy.allowSHA1 = true
        try scenario.attempt().mustVerify()
        // With SHA-1 allowed the signature is still checked.
        try scenario.attempt(Tampering { $0.mutateSignature = { var s = $0; s[0] ^= 0x80; return s } }).mustFail(with: .badSignature)
    }

    // MARK: Malformed response members

    @Test func assertion_with_malformed_authenticator_data_or_encodings_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        try scenario.attempt().mustVerify()
        try scenario.attempt(Tampering { $0.mutateAuthenticatorData = { Array($0.prefix(36)) } }).mustFail(with: .malformedAuthData, "36 bytes")
        try scenario.attempt(Tampering { $0.mutateAuthenticatorData = { $0 + [0x00] } }).mustFail(with: .malformedAuthData, "trailing byte")
        try scenario.attempt(Tampering { t in
            t.mutateAuthenticatorData = { var b = $0; b[32] |= AuthenticatorData.Flags.extensionData.rawValue; return b }
        }).mustFail(with: .malformedAuthData, "ED set without extensions")
        try scenario.attempt { $0.response.signature = "not base64url!" }.mustFail(with: .malformedBase64)
        try scenario.attempt { $0.rawId = "*"; $0.id = "*" }.mustFail(with: .malformedBase64)
    }
}

/// §7.2 step 6 for discoverable (usernameless) sign-in: the user is found through the
/// userHandle, so a response without one cannot be attributed and is refused.
@Suite struct UsernamelessUserHandleTests {
    @Test func usernameless_sign_in_without_a_user_handle_is_rejected() throws {
        var scenario = try AssertionStepScenario()
        scenario.expectations.allowCredentials = []
        scenario.expectations.userIdentified = false
        #expect(try scenario.attempt().mustVerify().userHandle == AssertionStepScenario.ownerHandle)
        try scenario.attempt(Tampering { $0.userHandle = .some(nil) }).mustFail(with: .userHandleMismatch)
        try scenario.attempt(Tampering { $0.userHandle = [] }).mustFail(with: .userHandleMismatch)
    }
}
