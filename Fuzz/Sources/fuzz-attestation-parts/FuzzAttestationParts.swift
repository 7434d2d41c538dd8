import Foundation
import FuzzDriver
import FuzzSupport
import SwiftASN1
import X509
@testable import WebAuthn

/// The attestation sub-parsers that the whole-object harness rarely reaches, because they run
/// after a signature check a fuzzer cannot forge: the TPM structures, the Android key
/// description, the certificate requirement checks of packed / tpm / apple / android-safetynet,
/// and the SafetyNet compact JWS. The first input byte selects the parser; the rest is its input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzBytes(data, size)
    guard let selector = input.first else { return 0 }
    let bytes = Array(input.dropFirst())
    switch selector % 5 {
    case 0:
        if let pubArea = try? TPMPublicArea(bytes) {
            // Compare against the fixed ES256 credential key: exercises the ECC and the mismatch branches.
            if let key = try? COSEKey(cose: FuzzFixtures.credentialPublicKeyCOSE) {
                _ = try? TPMAttestation.requireSameKey(pubArea, as: key)
            }
            _ = TPMAlgorithmID.digest(bytes, algorithm: pubArea.nameAlg)
        }
    case 1:
        if let certInfo = try? TPMCertifyInfo(bytes) {
            fuzzCheck(bytes.count >= 4 + 2 + 2 + 2 + 8 + 4 + 4 + 1 + 8 + 2 + 2, "certInfo parsed from too few bytes")
            _ = certInfo.attestedName.count + certInfo.extraData.count
        }
    case 2:
        if let description = try? AndroidKeyDescription(derEncoded: bytes[...]) {
            _ = try? AndroidKeyAttestation.checkOriginAndPurpose(description, policy: .teeEnforcedOnly)
            _ = try? AndroidKeyAttestation.checkOriginAndPurpose(description, policy: .teeOrSoftwareEnforced)
        }
    case 3:
        guard let certificate = try? Certificate(derEncoded: bytes) else { return 0 }
        _ = try? TPMAttestation.checkAIKCertificate(certificate)
        _ = try? PackedAttestation.checkCertificateRequirements(certificate)
        _ = try? certificate.fidoAAGUIDExtension()
        _ = try? certificate.requireAAGUIDMatches(.zero, format: "fuzz")
        _ = try? AppleAttestation.certificateNonce(certificate)
        _ = try? AndroidKeyDescription(certificate: certificate)
        _ = AndroidSafetyNetAttestation.isIssued(to: AndroidSafetyNetAttestation.attestationHostname, certificate)
        _ = certificate.derBytes
        _ = certificate.isSelfIssued
        for algorithm in COSEAlgorithm.allCases {
            if let key = try? COSEKey(certificateKey: certificate.publicKey, algorithm: algorithm) {
                _ = key.isValidSignature([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01], over: [1, 2, 3])
            }
        }
    default:
        guard let jws = try? CompactJWS(bytes) else { return 0 }
        if let chain = try? jws.certificateChain(), let leaf = chain.first {
            _ = try? jws.verifySignature(with: leaf)
        }
        var options = AttestationOptions(now: FuzzFixtures.now)
        options.allowSafetyNet = true
        _ = try? AndroidSafetyNetAttestation.checkTimestamp(jws.payload, options: options)
        if let nonce = jws.payload["nonce"]?.stringValue {
            _ = Base64URL.decodeStandard(nonce)
        }
    }
    return 0
}

/// The executable's entry point under SwiftPM (see FuzzDriver.h): hands over to libFuzzer.
@_cdecl("fuzz_attestation_parts_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    claviger_fuzz_driver_main(argc, argv)
}
