import Foundation
import FuzzDriver
import FuzzSupport
import WebAuthn

/// Registration response JSON: `JSONDecoder` → `RegistrationCeremony.verify` (async, run to
/// completion with a semaphore) against a fixed relying party, challenge and policy. SHA-1 and
/// SafetyNet are allowed so that every attestation format runs; the seeds (gen_seeds.py) carry
/// the fixed challenge, origin and RP ID hash.
let expectations = RegistrationExpectations(
    challenge: FuzzFixtures.challenge,
    userVerification: .preferred,
    requireUserPresence: true,
    allowedAlgorithms: COSEAlgorithm.allCases,
    requiredCredentialProtection: nil)

let policy = RegistrationPolicy(
    trustAnchors: .none,
    requireTrustedAttestation: false,
    allowSHA1: true,
    allowSafetyNet: true,
    safetyNetMaxAgeSeconds: 60,
    safetyNetRequireCTSProfileMatch: true)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let response: RegistrationResponseJSON
    do {
        response = try JSONDecoder().decode(RegistrationResponseJSON.self, from: Data(bytes))
    } catch {
        fuzzLog("JSON: \(error)")
        return 0
    }
    let outcome = runBlocking { () async -> Result<VerifiedRegistration, WebAuthnError> in
        do throws(WebAuthnError) {
            return .success(try await RegistrationCeremony.verify(response, expecting: expectations, relyingParty: FuzzFixtures.relyingParty,
                                                                  policy: policy, now: FuzzFixtures.now))
        } catch {
            return .failure(error)
        }
    }
    fuzzLog("registration: \(outcome.map { "verified \($0.format), \($0.attestation.type.rawValue)" })")
    if case .success(let registration) = outcome {
        fuzzCheck(registration.credentialID.count <= AuthenticatorData.maxCredentialIDLength, "accepted an over-long credential ID")
        fuzzCheck(registration.flags.userPresent, "accepted a registration without UP")
        _ = try? JSONEncoder().encode(response)
    }
    return 0
}

/// The executable's entry point under SwiftPM (see FuzzDriver.h): hands over to libFuzzer.
@_cdecl("fuzz_registration_json_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    claviger_fuzz_driver_main(argc, argv)
}
