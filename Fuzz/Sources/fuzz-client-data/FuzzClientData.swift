import FuzzSupport
import WebAuthn

/// The signed-JSON side: `CollectedClientData(bytes)`, `JSONValue.parse` (default and deeper
/// limits) and `Base64URL`. Properties: strict base64url has exactly one encoding per byte
/// string (decode(s) = b ⇒ encode(b) == s), encode/decode round-trips, and a parsed client
/// data's `challengeBytes` are the decoded `challenge`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)

    if let clientData = try? CollectedClientData(bytes) {
        fuzzCheck(Base64URL.decode(clientData.challenge) == clientData.challengeBytes, "challengeBytes are not the decoded challenge")
        fuzzCheck(clientData.hash.count == 32, "client data hash is not 32 bytes")
        fuzzCheck(clientData.json["origin"]?.stringValue == clientData.origin, "origin is not the JSON member")
    }

    _ = JSONValue.parse(bytes)
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
