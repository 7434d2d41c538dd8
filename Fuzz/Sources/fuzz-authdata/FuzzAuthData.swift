import FuzzDriver
import FuzzSupport
import WebAuthn

/// Authenticator data (`AuthenticatorData(bytes)`, which parses the COSE credential key), and the
/// COSE key parser on its own. Properties: the flags agree with what was parsed, and the stored
/// COSE bytes of a parsed key parse again to a key of the same algorithm.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)

    if let authData = try? AuthenticatorData(bytes) {
        fuzzCheck(authData.rpIDHash.count == 32, "rpIDHash is not 32 bytes")
        fuzzCheck(authData.flags.contains(.attestedCredentialData) == (authData.attestedCredential != nil), "AT flag disagrees with the parse")
        fuzzCheck(authData.flags.contains(.extensionData) == (authData.extensions != nil), "ED flag disagrees with the parse")
        if let credential = authData.attestedCredential {
            fuzzCheck(credential.credentialID.count <= AuthenticatorData.maxCredentialIDLength, "credential ID too long")
            fuzzCheck(credential.aaguid.bytes.count == 16, "AAGUID is not 16 bytes")
            _ = credential.aaguid.description
            exercise(credential.publicKey)
        }
        if let extensions = authData.extensions {
            _ = extensions[text: "credProtect"]?.int64
        }
    }

    if let key = try? COSEKey(cose: bytes) {
        exercise(key)
    }
    return 0
}

func exercise(_ key: COSEKey) {
    do {
        let reparsed = try COSEKey(cose: key.encoded)
        fuzzCheck(reparsed.algorithm == key.algorithm, "COSE key re-parse changed the algorithm")
    } catch {
        fuzzFail("stored COSE key bytes do not parse again: \(error)")
    }
    _ = key.x963Representation
    _ = key.subjectPublicKeyInfoDER
    _ = key.isValidSignature([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01], over: [1, 2, 3])
}

/// The executable's entry point under SwiftPM (see FuzzDriver.h): hands over to libFuzzer.
@_cdecl("fuzz_authdata_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    claviger_fuzz_driver_main(argc, argv)
}
