import Foundation
import Testing
@testable import ClavigerTesting
@testable import WebAuthn

/// §7.1 step 20 / §7.2 step 19 (extension outputs), §7.2 step 22 (signature counter, §6.1.1) and
/// the backup state the RP tracks (§6.1.3).
@Suite("Extension outputs, signature counter policy and backup state")
struct ExtensionAndCounterPolicyTests {
    typealias Fixture = CeremonyStepFixture

    // MARK: - credProtect (§7.1 step 20, CTAP 2.1 §12.1)

    func credProtectScenario(output: CBOR?, enforced: Int?) -> RegistrationStepScenario {
        var scenario = RegistrationStepScenario(SoftwareAuthenticator(attestation: .packedSelf) {
            $0.registrationExtensions = output.map { .map([CBORPair("credProtect", $0)]) }
        })
        scenario.expectations.requiredCredentialProtection = enforced
        return scenario
    }

    @Test(arguments: [2, 3])
    func enforced_credProtect_is_rejected_when_the_authenticator_does_not_confirm_it(_ level: Int) async throws {
        let confirmed = try await credProtectScenario(output: .int(Int64(level)), enforced: level).attempt().mustVerify()
        #expect(confirmed.authenticatorExtensions?[text: "credProtect"]?.int64 == Int64(level))
        try await credProtectScenario(output: nil, enforced: level).attempt().mustFail(with: .extensionInvalid, "no output")
        try await credProtectScenario(output: .int(Int64(level - 1)), enforced: level).attempt().mustFail(with: .extensionInvalid, "lower level")
    }

    @Test func credProtect_above_the_enforced_level_is_accepted() async throws {
        try await credProtectScenario(output: 3, enforced: 2).attempt().mustVerify()
        try await credProtectScenario(output: 2, enforced: 1).attempt().mustVerify()
        try await credProtectScenario(output: 1, enforced: 2).attempt().mustFail(with: .extensionInvalid)
    }

    @Test func credProtect_output_is_not_needed_when_not_enforced() async throws {
        try await credProtectScenario(output: nil, enforced: nil).attempt().mustVerify()
        try await credProtectScenario(output: 1, enforced: nil).attempt().mustVerify()
    }

    @Test(arguments: [CeremonyStepCase<CBOR>("0", 0), .init("4", 4), .init("-1", .int(-1)), .init("text", "3"), .init("true", true)])
    func credProtect_output_outside_its_range_is_rejected(_ output: CeremonyStepCase<CBOR>) async throws {
        try await credProtectScenario(output: 3, enforced: nil).attempt().mustVerify()
        try await credProtectScenario(output: output.value, enforced: nil).attempt().mustFail(with: .extensionInvalid)
    }

    // MARK: - Unknown extensions (§9: ignored)

    static let unknownExtensions = CBOR.map([
        CBORPair("x-claviger-unknown", .bytes([1, 2, 3])),
        CBORPair("hmac-secret", true),
        CBORPair("minPinLength", 6),
        CBORPair("x-nested", .map([CBORPair(1, .array([1, 2]))])),
    ])

    @Test func unknown_authenticator_extensions_are_ignored_at_registration() async throws {
        let scenario = RegistrationStepScenario(SoftwareAuthenticator(attestation: .packedSelf) { $0.registrationExtensions = Self.unknownExtensions })
        let verified = try await scenario.attempt().mustVerify()
        #expect(verified.authenticatorExtensions?[text: "x-claviger-unknown"]?.bytesValue == [1, 2, 3])
        #expect(verified.authenticatorExtensions?[text: "hmac-secret"] == .bool(true))
        // …but extension data must still be a well-formed map.
        let notAMap = Tampering { t in
            t.mutateAuthenticatorData = { bytes in
                var bytes = bytes
                let encoded = CBOREncoder.encode(Self.unknownExtensions.canonicalized())
                bytes.removeLast(encoded.count)
                return bytes + CBOREncoder.encode(.array([1]))
            }
        }
        try await scenario.attempt(notAMap).mustFail(with: .malformedAuthData)
    }

    @Test func unknown_authenticator_extensions_are_ignored_at_authentication() throws {
        var scenario = try AssertionStepScenario()
        scenario.authenticator.assertionExtensions = Self.unknownExtensions
        let verified = try scenario.attempt().mustVerify()
        #expect(verified.authenticatorExtensions?[text: "minPinLength"]?.int64 == 6)
    }

    @Test func unknown_client_extension_results_are_ignored() async throws {
        let json = #"{"id":"AQ","rawId":"AQ","type":"public-key","response":{"clientDataJSON":"","authenticatorData":"","signature":""},"clientExtensionResults":{"x-unknown":{"a":1},"appid":true}}"#
        let decoded = try JSONDecoder().decode(AuthenticationResponseJSON.self, from: Data(json.utf8))
        #expect(decoded.clientExtensionResults == ClientExtensionResults(appid: true))
    }

    // MARK: - Signature counter (§7.2 step 22)

    /// A device-bound credential whose record holds `stored`, asserting with counter `received`.
    func counterScenario(synced: Bool, stored: UInt32, policy: CounterPolicy = .failDeviceBoundFlagSynced) throws -> AssertionStepScenario {
        var scenario = try AssertionStepScenario(synced ? SoftwareAuthenticator.syncedPasskey() : SoftwareAuthenticator())
        scenario.record.signCount = stored
        scenario.policy.counter = policy
        return scenario
    }

    @Test func growing_counter_passes_and_is_returned() throws {
        var scenario = try counterScenario(synced: false, stored: 41)
        let verified = try scenario.attempt(Tampering { $0.signCount = 42 }).mustVerify()
        #expect(verified.newSignCount == 42)
        #expect(!verified.counterRegression)
        #expect(try scenario.attempt(Tampering { $0.signCount = .max }).mustVerify().newSignCount == .max)
    }

    @Test(arguments: [UInt32(41), 40, 1, 0])
    func device_bound_counter_regression_fails(_ received: UInt32) throws {
        var scenario = try counterScenario(synced: false, stored: 41)
        try scenario.attempt(Tampering { $0.signCount = 42 }).mustVerify()
        try scenario.attempt(Tampering { $0.signCount = received }).mustFail(with: .counterRegression)
    }

    @Test func synced_passkey_counter_regression_is_flagged_not_failed() throws {
        var scenario = try counterScenario(synced: true, stored: 41)
        let grown = try scenario.attempt(Tampering { $0.signCount = 42 }).mustVerify()
        #expect(!grown.counterRegression)
        for received in [UInt32(41), 7] {
            let flagged = try scenario.attempt(Tampering { $0.signCount = received }).mustVerify("received \(received)")
            #expect(flagged.counterRegression)
            #expect(flagged.newSignCount == received)
        }
    }

    @Test func counter_regression_fails_for_synced_passkeys_under_failAlways() throws {
        var scenario = try counterScenario(synced: true, stored: 41, policy: .failAlways)
        try scenario.attempt(Tampering { $0.signCount = 42 }).mustVerify()
        try scenario.attempt(Tampering { $0.signCount = 41 }).mustFail(with: .counterRegression)
        var deviceBound = try counterScenario(synced: false, stored: 41, policy: .failAlways)
        try deviceBound.attempt(Tampering { $0.signCount = 42 }).mustVerify()
        try deviceBound.attempt(Tampering { $0.signCount = 40 }).mustFail(with: .counterRegression)
    }

    @Test func counter_regression_is_only_flagged_under_flagOnly() throws {
        var scenario = try counterScenario(synced: false, stored: 41, policy: .flagOnly)
        #expect(try scenario.attempt(Tampering { $0.signCount = 42 }).mustVerify().counterRegression == false)
        #expect(try scenario.attempt(Tampering { $0.signCount = 3 }).mustVerify().counterRegression)
    }

    @Test(arguments: [CounterPolicy.failDeviceBoundFlagSynced, .failAlways, .flagOnly])
    func counters_that_stay_zero_never_fail(_ policy: CounterPolicy) throws {
        for synced in [false, true] {
            var scenario = try counterScenario(synced: synced, stored: 0, policy: policy)
            scenario.authenticator.signCountIncrement = 0
            for _ in 0..<3 {
                let verified = try scenario.attempt().mustVerify("synced \(synced)")
                #expect(verified.newSignCount == 0)
                #expect(!verified.counterRegression)
            }
            // Once the RP has seen a non-zero counter, a 0 is a regression.
            scenario.record.signCount = 5
            if policy == .failAlways || (policy == .failDeviceBoundFlagSynced && !synced) {
                try scenario.attempt().mustFail(with: .counterRegression, "stored 5, received 0")
            } else {
                #expect(try scenario.attempt().mustVerify().counterRegression)
            }
        }
    }

    // MARK: - Backup state (§6.1.3)

    @Test func backup_state_change_since_registration_is_reported() throws {
        var scenario = try AssertionStepScenario(SoftwareAuthenticator { $0.backupEligible = true })
        #expect(try scenario.attempt().mustVerify().backupStateChanged == false)
        // The credential was backed up since: BS = 1 against a stored BS = 0.
        scenario.credential.backupState = true
        let synced = try scenario.attempt().mustVerify()
        #expect(synced.backupStateChanged)
        #expect(synced.backupState)
        // The RP updates its record; the next assertion is unchanged again.
        scenario.record.backupState = true
        #expect(try scenario.attempt().mustVerify().backupStateChanged == false)
        // Un-synced: BS = 0 against a stored BS = 1.
        scenario.credential.backupState = false
        #expect(try scenario.attempt().mustVerify().backupStateChanged)
        // No stored state: nothing to compare.
        scenario.record.backupState = nil
        #expect(try scenario.attempt().mustVerify().backupStateChanged == false)
    }
}
