import Foundation
import FuzzDriver
import FuzzSupport
@testable import WebAuthn

/// Attestation object: `AttestationObject(bytes)`, then, when it has attested credential data,
/// the statement verifier of its format (`AttestationFormats.verify`) with a zero client data
/// hash, SHA-1 and SafetyNet allowed so that every format's code runs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let object: AttestationObject
    do {
        object = try AttestationObject(bytes)
    } catch {
        fuzzLog("attestation object: \(error)")
        return 0
    }
    guard let credential = object.authenticatorData.attestedCredential else { return 0 }
    var options = AttestationOptions(now: Date(timeIntervalSince1970: 1_700_000_000))
    options.allowSHA1 = true
    options.allowSafetyNet = true
    let input = AttestationInput(statement: object.statement, authenticatorData: object.authenticatorData, credential: credential,
                                 clientDataHash: [UInt8](repeating: 0, count: 32), options: options)
    do {
        let result = try AttestationFormats.verify(format: object.format, input)
        _ = result.trustPath.map(\.derBytes)
        fuzzLog("\(object.format): verified, type \(result.type.rawValue), \(result.components.count) components")
    } catch {
        fuzzLog("\(object.format): \(error)")
    }
    if object.format == AndroidKeyAttestation.identifier {
        // The lenient authorization-list policy takes the other branch of step 6.
        _ = try? AndroidKeyAttestation.verify(input, authorizationLists: .teeOrSoftwareEnforced)
    }
    return 0
}

/// The executable's entry point under SwiftPM (see FuzzDriver.h): hands over to libFuzzer.
@_cdecl("fuzz_attestation_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    claviger_fuzz_driver_main(argc, argv)
}
