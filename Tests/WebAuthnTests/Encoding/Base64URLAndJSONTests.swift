import Testing
@testable import WebAuthn

@Suite struct Base64URLTests {
    @Test(arguments: [[UInt8](), [0], [0, 1], [0, 1, 2], [0xFB, 0xFF], Array(0...255)])
    func encoding_round_trips(_ bytes: [UInt8]) {
        #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
    }

    @Test func rfc4648_vectors_without_padding() {
        #expect(Base64URL.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64URL.encode(Array("fo".utf8)) == "Zm8")
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
    }

    @Test(arguments: ["Zm8=", "Zm9v+mFy", "Zm9v/mFy", "Z", "Zm8 ", "Zm9", "Zm\u{00e9}"])
    func padding_standard_alphabet_and_non_canonical_bits_are_refused(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test func standard_base64_decoder_accepts_padding() {
        #expect(Base64URL.decodeStandard("Zm8=") == Array("fo".utf8))
        #expect(Base64URL.decodeStandard("+/8=") == [0xFB, 0xFF])
        #expect(Base64URL.decodeStandard("Zm8===") == nil)
    }
}

@Suite struct StrictJSONTests {
    func parse(_ text: String) -> JSONValue? { try? JSONValue.parse(Array(text.utf8)).get() }

    @Test func client_data_as_chromium_sends_it_parses() throws {
        let value = try #require(parse(#"{"type":"webauthn.get","challenge":"AAEC","origin":"https://bank.example","crossOrigin":false,"other_keys_can_be_added_here":"do not compare clientDataJSON against a template. See https://goo.gl/yabPex"}"#))
        #expect(value["type"] == .string("webauthn.get"))
        #expect(value["crossOrigin"] == .bool(false))
    }

    @Test func escapes_and_surrogate_pairs_decode() {
        #expect(parse(#"{"a":"\u00e9\ud83d\ude00\n\"\/"}"#)?["a"] == .string("é😀\n\"/"))
    }

    @Test(arguments: [
        #"{"type":"a","type":"b"}"#,    // duplicate member: two readers could disagree
        #"{"a":"\ud83d"}"#,             // unpaired surrogate
        #"{"a":1,}"#,                   // trailing comma
        #"{"a":01}"#,                   // leading zero
        #"{"a":"x"} x"#,                // trailing text
        "{\"a\":\"\u{01}\"}",           // raw control character
        #"{"a":tru}"#,
        #"["#,
        "",
    ])
    func malformed_json_is_refused(_ text: String) {
        #expect(parse(text) == nil)
    }

    @Test func deep_nesting_is_refused() {
        #expect(parse(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)) == nil)
        #expect(parse(String(repeating: "[", count: 10) + String(repeating: "]", count: 10)) != nil)
    }

    @Test func client_data_without_required_members_is_malformed() {
        for text in [#"{"challenge":"AA","origin":"https://a"}"#, #"{"type":"webauthn.get","origin":"https://a"}"#, #"[1]"#, #"{"type":"webauthn.get","challenge":"AA","origin":"https://a","crossOrigin":"no"}"#] {
            do {
                _ = try CollectedClientData(Array(text.utf8))
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.code == .malformedClientData, "\(text)")
            }
        }
    }
}
