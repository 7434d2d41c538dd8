import Testing
import WebAuthn

@Suite struct JSONValueDecoderTests {
    struct Inner: Decodable, Equatable {
        let flag: Bool
        let count: Int?
    }

    struct Outer: Decodable, Equatable {
        let name: String
        let items: [Inner]
        let note: String?
        let tags: [String: String]?
    }

    func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONValueDecoder().decode(type, from: JSONValue.parse(Array(text.utf8)).get())
    }

    func codingPath(of error: any Error) -> String? {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context): (context.codingPath + [key]).map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        default: nil
        }
    }

    @Test func nested_objects_arrays_dictionaries_and_optionals_decode() throws {
        let value = try decode(Outer.self, #"{"name":"é","items":[{"flag":true,"count":3},{"flag":false,"count":null}],"tags":{"a":"b"}}"#)
        #expect(value == Outer(name: "é", items: [Inner(flag: true, count: 3), Inner(flag: false, count: nil)], note: nil, tags: ["a": "b"]))
    }

    @Test func a_missing_member_is_reported_with_its_path() {
        #expect { try decode(Outer.self, #"{"name":"x","items":[{"count":1}]}"#) } throws: { codingPath(of: $0) == "items.0.flag" }
    }

    @Test func a_wrong_type_is_a_type_mismatch_at_its_path() {
        #expect { try decode(Outer.self, #"{"name":"x","items":[{"flag":"yes"}]}"#) } throws: { error in
            guard case .typeMismatch = error as? DecodingError else { return false }
            return codingPath(of: error) == "items.0.flag"
        }
        #expect(throws: DecodingError.self) { try decode(Outer.self, #"{"name":1,"items":[]}"#) }
        #expect(throws: DecodingError.self) { try decode(Outer.self, #"[]"#) }
    }

    @Test func null_for_a_required_member_is_refused() {
        #expect { try decode(Outer.self, #"{"name":null,"items":[]}"#) } throws: { error in
            guard case .valueNotFound = error as? DecodingError else { return false }
            return codingPath(of: error) == "name"
        }
    }

    @Test(arguments: ["1.5", "-1", "1e20", "256"])
    func integers_must_be_whole_and_in_range(_ number: String) {
        #expect(throws: DecodingError.self) { try decode(UInt8.self, number) }
    }

    @Test func whole_numbers_in_range_decode_into_every_integer_type() throws {
        #expect(try decode(UInt8.self, "255") == 255)
        #expect(try decode(Int64.self, "-9007199254740992") == -9_007_199_254_740_992)
        #expect(try decode(Int.self, "1e3") == 1000)
        #expect(try decode(Double.self, "0.25") == 0.25)
    }

    @Test func the_clients_extension_outputs_decode_as_with_foundation() throws {
        let outputs = try decode(ClientExtensionResults.self, #"{"credProps":{"rk":true},"credProtect":2,"unknown":{"x":[1,2]}}"#)
        #expect(outputs.credProps?.rk == true)
        #expect(outputs.credProtect == 2)
        #expect { try decode(ClientExtensionResults.self, #"{"credProtect":2.5}"#) } throws: { codingPath(of: $0) == "credProtect" }
    }
}
