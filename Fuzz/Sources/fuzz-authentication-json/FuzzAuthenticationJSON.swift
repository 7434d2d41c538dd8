import Foundation
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
    guard let response = try? JSONDecoder().decode(AuthenticationResponseJSON.self, from: Data(bytes)) else { return 0 }
    for policy in policies {
        if let verified = try? AuthenticationCeremony.verify(response, expecting: expectations, credential: record,
                                                             relyingParty: FuzzFixtures.relyingParty, policy: policy) {
            fuzzCheck(verified.credentialID == FuzzFixtures.credentialID, "accepted an assertion for another credential")
            fuzzCheck(verified.flags.userPresent, "accepted an assertion without UP")
            fuzzCheck(verified.counterRegression || verified.newSignCount > record.signCount || verified.newSignCount == 0,
                      "counter regression neither flagged nor refused")
        }
    }
    return 0
}
