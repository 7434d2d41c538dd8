import Crypto
import Testing
@testable import WebAuthn

/// The strict DER → r||s conversion on the sign-in hot path accepts exactly what BoringSSL's
/// DER parser accepts for P-256, so the fast path cannot widen what verifies.
@Suite struct ECDSASignatureDERTests {
    @Test func real_signatures_convert_to_the_same_raw_form_as_swift_crypto() throws {
        let key = P256.Signing.PrivateKey()
        for index in 0..<200 {
            let signature = try key.signature(for: Array("message \(index)".utf8))
            let der = Array(signature.derRepresentation)
            #expect(ECDSASignatureDER.rawRepresentation(der, coordinateLength: 32) == Array(signature.rawRepresentation))
        }
    }

    @Test(arguments: [
        "3006020101020101" + "00",          // trailing byte inside the input
        "3007020101020101",                 // sequence length too long
        "3106020101020101",                 // not a SEQUENCE
        "3006030101020101",                 // not an INTEGER
        "30060201ff020101",                 // negative r
        "300702020001020101",               // r with a needless leading zero
        "3081060201010201 01",              // long-form length where short form fits
        "3008020101020101",                 // length past the end
        "3046022100" + String(repeating: "ff", count: 33) + "020101", // r longer than 32 bytes
    ])
    func non_der_or_oversized_encodings_are_refused(_ hex: String) throws {
        let bytes = try #require([UInt8](hex: hex.replacingOccurrences(of: " ", with: "")))
        #expect(ECDSASignatureDER.rawRepresentation(bytes, coordinateLength: 32) == nil)
        #expect((try? P256.Signing.ECDSASignature(derRepresentation: bytes)) == nil || bytes.count < 8)
    }

    @Test func short_integers_are_left_padded() throws {
        let raw = try #require(ECDSASignatureDER.rawRepresentation([0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07], coordinateLength: 32))
        #expect(raw.count == 64)
        #expect(raw[31] == 5 && raw[63] == 7 && raw[0..<31].allSatisfy { $0 == 0 })
    }
}
