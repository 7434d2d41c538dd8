import Testing
@testable import WebAuthn

@Suite struct CBORDecoderTests {
    func decode(_ hex: String, _ limits: CBORDecoder.Limits = .default) throws -> CBOR {
        try CBORDecoder.decode(try #require([UInt8](hex: hex)), limits: limits)
    }

    func code(of hex: String, _ limits: CBORDecoder.Limits = .default) -> WebAuthnError.Code? {
        do { _ = try decode(hex, limits); return nil } catch let error as WebAuthnError { return error.code } catch { return nil }
    }

    @Test func rfc8949_examples_decode_to_their_values() throws {
        #expect(try decode("00") == .unsigned(0))
        #expect(try decode("1903e8") == .unsigned(1000))
        #expect(try decode("1bffffffffffffffff") == .unsigned(.max))
        #expect(try decode("3863") == .int(-100))
        #expect(try decode("3bffffffffffffffff") == .negative(.max))
        #expect(try decode("4401020304") == .bytes([1, 2, 3, 4]))
        #expect(try decode("6449455446") == .text("IETF"))
        #expect(try decode("83010203") == .array([1, 2, 3]))
        #expect(try decode("a201020304") == .map([CBORPair(1, 2), CBORPair(3, 4)]))
        #expect(try decode("f5") == .bool(true))
        #expect(try decode("f6") == .null)
        #expect(try decode("f93c00") == .float(1.0))
        #expect(try decode("fb3ff199999999999a") == .float(1.1))
        #expect(try decode("c074323031332d30332d32315432303a30343a30305a") == .tagged(0, .text("2013-03-21T20:04:00Z")))
    }

    @Test func indefinite_lengths_decode_unless_canonical_is_required() throws {
        #expect(try decode("5f42010243030405ff") == .bytes([1, 2, 3, 4, 5]))
        #expect(try decode("9f018202039f0405ffff") == .array([1, .array([2, 3]), .array([4, 5])]))
        #expect(try decode("bf61610161629f0203ffff") == .map([CBORPair("a", 1), CBORPair("b", .array([2, 3]))]))
        #expect(code(of: "9f01ff", .ctap2Canonical) == .malformedCBOR)
        #expect(try decode("7f62c3a96161ff") == .text("éa"))
    }

    @Test func canonical_mode_rejects_non_shortest_heads_and_unsorted_keys() {
        #expect(code(of: "1817", .ctap2Canonical) == .malformedCBOR)      // 23 in two bytes
        #expect(code(of: "190017", .ctap2Canonical) == .malformedCBOR)
        #expect(code(of: "a203040102", .ctap2Canonical) == .malformedCBOR) // keys 3 then 1
        #expect(code(of: "a201020304", .ctap2Canonical) == nil)
        // CTAP2 order: shorter encodings first, so 10 (0x0a) precedes -1 (0x20) precedes "a".
        #expect(code(of: "a30a012002616103", .ctap2Canonical) == nil)
        #expect(code(of: "f93c00", .ctap2Canonical) == .malformedCBOR)
    }

    @Test(arguments: [
        "",                     // nothing
        "18",                   // argument missing
        "5a7fffffff",           // byte string claiming 2 GiB
        "5bffffffffffffffff",   // byte string claiming 2^64-1 bytes
        "9bffffffffffffffff",   // array claiming 2^64-1 items
        "ba3b9aca00",           // map claiming 1e9 pairs
        "bf0102",               // indefinite map never closed
        "9f01",                 // indefinite array never closed
        "a201020103",           // duplicate map key
        "0000",                 // trailing byte
        "62c328",               // invalid UTF-8 in text
        "ff",                   // a lone break
        "1c",                   // reserved additional information
        "f818",                 // two-byte simple value below 32
        "5f4101ff4102",         // bytes after the end
        "5f6161ff",             // text chunk inside a byte string
        "7f61c361a9ff",         // "é" split across two text chunks (each chunk must be valid UTF-8)
    ])
    func hostile_input_is_rejected_as_malformed_cbor(_ hex: String) {
        #expect(code(of: hex) == .malformedCBOR)
    }

    @Test func nesting_beyond_the_depth_limit_is_rejected_not_recursed() throws {
        let deep = [UInt8](repeating: 0x81, count: 10_000) + [0x00]
        #expect(throws: WebAuthnError.self) { try CBORDecoder.decode(deep) }
        let shallow = [UInt8](repeating: 0x81, count: 16) + [0x00]
        #expect((try? CBORDecoder.decode(shallow)) != nil)
    }

    @Test func item_count_limit_stops_wide_inputs() {
        let wide = [0x99, 0x27, 0x10] + [UInt8](repeating: 0x00, count: 10_000) // array of 10,000 zeros
        #expect(throws: WebAuthnError.self) { try CBORDecoder.decode(wide) }
        #expect((try? CBORDecoder.decode(wide, limits: .init(maxItems: 20_000))) != nil)
    }

    @Test func encoder_round_trips_and_canonicalizes_maps() throws {
        let item: CBOR = .map([CBORPair("b", 1), CBORPair(-1, .bytes([1])), CBORPair(3, .array([.text("x"), .bool(false), .null]))])
        let encoded = CBOREncoder.encode(item)
        #expect(try CBORDecoder.decode(encoded) == item)
        let canonical = CBOREncoder.encode(item.canonicalized())
        #expect(throws: Never.self) { try CBORDecoder.decode(canonical, limits: .ctap2Canonical) }
        #expect(CBOREncoder.encode(.unsigned(24)) == [0x18, 0x18])
        #expect(CBOREncoder.encode(.int(-257)) == [0x39, 0x01, 0x00])
    }

    @Test func decode_prefix_reports_where_the_item_ends() throws {
        let (item, end) = try CBORDecoder.decodePrefix([0xFF, 0x01, 0x02], at: 1)
        #expect(item == 1)
        #expect(end == 2)
    }
}
