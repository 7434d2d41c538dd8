import Foundation
import TrustPolicy
import WebAuthn

/// The one JSON object `claviger verify` prints: the outcome, the failure code and the facts.
struct Report: Encodable {
    struct Flags: Encodable {
        let UP: Bool, UV: Bool, BE: Bool, BS: Bool
        init(_ flags: AuthenticatorData.Flags) {
            UP = flags.userPresent
            UV = flags.userVerified
            BE = flags.backupEligible
            BS = flags.backupState
        }
    }

    var outcome = "valid"
    var code: String?
    var message: String?
    var fmt: String?
    var aaguid: String?
    var attestationType: String?
    var attestationTrusted: Bool?
    var trustAnchor: String?
    var trustAnchorSHA256: String?
    var attestationUntrustedReason: String?
    var credentialId: String?
    var publicKey: String?
    var alg: Int64?
    var algName: String?
    var signCount: UInt32?
    var flags: Flags?
    var transports: [String]?
    var counterRegression: Bool?
    var backupStateChanged: Bool?
    var payment: PaymentData?
    // `claviger classify`: the trust policy's view of the credential.
    var tier: Int?
    var aaguidVerified: Bool?
    var providerName: String?
    var reasons: [Reason]?
    var registrationDecision: Decision?
    var metadataEntry: String?
    var metadataSerialNumber: Int?
    /// `metadata` (the MDS statement's roots for the AAGUID) or `shipped` (KnownRoots).
    var trustAnchorsFrom: String?

    init(error: WebAuthnError) {
        outcome = "invalid"
        code = error.code.rawValue
        message = error.message
    }

    init(_ verified: VerifiedRegistration) {
        fmt = verified.format
        aaguid = verified.aaguid.description
        attestationType = verified.attestation.type.rawValue
        attestationTrusted = verified.attestation.trusted
        trustAnchor = verified.attestation.trustAnchor
        trustAnchorSHA256 = verified.attestation.trustAnchorFingerprint
        attestationUntrustedReason = verified.attestation.untrustedReason?.description
        credentialId = Base64URL.encode(verified.credentialID)
        publicKey = Base64URL.encode(verified.publicKey.encoded)
        alg = verified.algorithm.rawValue
        algName = verified.algorithm.name
        signCount = verified.signCount
        flags = Flags(verified.flags)
        transports = verified.transports
    }

    init(_ verified: VerifiedAuthentication, publicKey key: [UInt8], payment: PaymentData?) {
        credentialId = Base64URL.encode(verified.credentialID)
        publicKey = Base64URL.encode(key)
        if let parsed = try? COSEKey(cose: key) {
            alg = parsed.algorithm.rawValue
            algName = parsed.algorithm.name
        }
        signCount = verified.newSignCount
        flags = Flags(verified.flags)
        counterRegression = verified.counterRegression
        backupStateChanged = verified.backupStateChanged
        self.payment = payment
    }

    func print() {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}
