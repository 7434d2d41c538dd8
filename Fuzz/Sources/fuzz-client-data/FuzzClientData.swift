import FuzzDriver
import FuzzSupport
import WebAuthn

/// The signed-JSON side: `CollectedClientData(bytes)`, `JSONValue.parse` (default and deeper
/// limits) and `Base64URL`. Properties: strict base64url has exactly one encoding per byte
/// string (decode(s) = b ⇒ encode(b) == s), encode/decode round-trips, and a parsed client
/// data's `challengeBytes` are the decoded `challenge`, and `JSONValue.parse` and
/// `JSONValue.parseObjectMembers` accept the same objects with the same members.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)

    if let clientData = try? CollectedClientData(bytes) {
        fuzzCheck(Base64URL.decode(clientData.challenge) == clientData.challengeBytes, "challengeBytes are not the decoded challenge")
        fuzzCheck(clientData.hash.count == 32, "client data hash is not 32 bytes")
    }

    // The dictionary parse and the in-order member parse must agree on every object.
    let parsed = JSONValue.parse(bytes)
    let members = JSONValue.parseObjectMembers(bytes)
    switch (parsed, members) {
    case (.success(.object(let dictionary)), .success(let list)):
        fuzzCheck(list.count == dictionary.count, "member parse and dictionary parse disagree on the member count")
        for member in list {
            fuzzCheck(dictionary[member.key] == member.value, "member parse and dictionary parse disagree on \(member.key)")
        }
    case (.success(.object), .failure(let error)):
        fuzzFail("dictionary parse accepted an object the member parse refused: \(error.reason)")
    case (.success, .success), (.failure, .success):
        fuzzFail("member parse accepted what the dictionary parse did not read as an object")
    default:
        break
    }
    _ = JSONValue.parse(bytes, limits: .init(maxDepth: 512, maxBytes: 1 << 20))

    let decoded = bytes.withUnsafeBufferPointer { Base64URL.decode(utf8: $0) }
    if let decoded {
        let reencoded = Array(Base64URL.encode(decoded).utf8)
        fuzzCheck(reencoded == bytes, "base64url accepted a non-canonical encoding: \(String(decoding: bytes, as: UTF8.self))")
    }
    let encoded = Base64URL.encode(bytes)
    fuzzCheck(Base64URL.decode(encoded) == bytes, "base64url encode/decode does not round-trip")
    if let text = String(validating: bytes, as: UTF8.self) {
        if let standard = Base64URL.decodeStandard(text) {
            fuzzCheck(standard.count <= bytes.count, "decodeStandard produced more bytes than it read")
        }
    }
    return 0
}

/// The executable's entry point under SwiftPM (see FuzzDriver.h): hands over to libFuzzer.
@_cdecl("fuzz_client_data_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    claviger_fuzz_driver_main(argc, argv)
}
