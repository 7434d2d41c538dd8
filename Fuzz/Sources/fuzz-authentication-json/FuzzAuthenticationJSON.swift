import Foundation
import FuzzDriver
import FuzzSupport
import WebAuthn

/// Authentication response JSON: `JSONDecoder` → `AuthenticationCeremony.verify` against a fixed
/// credential record (an ES256 key whose private key `gen_seeds.py` signs the seeds with), so a
/// seed passes every step and mutations explore the failure paths around each one.
let expectations = AuthenticationExpectations(
    challenge: FuzzFixtures.challenge,
    userVerification: .preferred,
    allowCredentials: [FuzzFixtures.credentialID],
    appID: "https://localhost/appid",
    type: "webauthn.get")

let record = CredentialRecord(
    id: FuzzFixtures.credentialID,
    publicKey: FuzzFixtures.credentialPublicKeyCOSE,
    signCount: 5,
    backupEligible: nil,
    backupState: false,
    userHandle: FuzzFixtures.userHandle)

let policies: [AuthenticationPolicy] = [
    AuthenticationPolicy(counter: .failDeviceBoundFlagSynced),
    AuthenticationPolicy(counter: .flagOnly, allowSHA1: true),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let response: AuthenticationResponseJSON
    do {
        response = try JSONDecoder().decode(AuthenticationResponseJSON.self, from: Data(bytes))
    } catch {
        fuzzLog("JSON: \(error)")
        return 0
    }
    for policy in policies {
        let verified: VerifiedAuthentication
        do {
            verified = try AuthenticationCeremony.verify(response, expecting: expectations, credential: record,
                                                         relyingParty: FuzzFixtures.relyingParty, policy: policy)
            fuzzLog("authentication: verified, counter regression \(verified.counterRegression), appid \(verified.usedAppID)")
        } catch {
            fuzzLog("authentication: \(error)")
            continue
        }
        fuzzCheck(verified.credentialID == FuzzFixtures.credentialID, "accepted an assertion for another credential")
        fuzzCheck(verified.flags.userPresent, "accepted an assertion without UP")
        fuzzCheck(verified.counterRegression || verified.newSignCount > record.signCount, "counter regression neither flagged nor refused")
    }
    return 0
}

/// The executable's entry point under SwiftPM (see FuzzDriver.h): hands over to libFuzzer.
@_cdecl("fuzz_authentication_json_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    claviger_fuzz_driver_main(argc, argv)
}
