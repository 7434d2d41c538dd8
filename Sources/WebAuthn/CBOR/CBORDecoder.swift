/// A strict, bounded CBOR decoder. It never traps: every malformed or oversized input
/// ends in a `malformed_cbor` error.
///
/// Limits are per decode call: nesting depth, total item count, and byte-string/text length
/// (a length can never exceed the remaining input, so a hostile header cannot make it
/// allocate). Duplicate map keys and invalid UTF-8 are always refused. `canonical` adds
/// the CTAP2 canonical rules (CTAP 2.2 §8): shortest-form heads, definite lengths only,
/// map keys in canonical order.
public struct CBORDecoder {
    public struct Limits: Sendable {
        public var maxDepth: Int
        public var maxItems: Int
        public var maxInputBytes: Int
        public var canonical: Bool

        public init(maxDepth: Int = 16, maxItems: Int = 4096, maxInputBytes: Int = 1 << 20, canonical: Bool = false) {
            self.maxDepth = maxDepth
            self.maxItems = maxItems
            self.maxInputBytes = maxInputBytes
            self.canonical = canonical
        }

        public static let `default` = Limits()
        public static let ctap2Canonical = Limits(canonical: true)
    }

    private let input: [UInt8]
    private let limits: Limits
    private(set) var offset: Int
    private var items = 0

    public init(_ input: [UInt8], startingAt offset: Int = 0, limits: Limits = .default) {
        self.input = input
        self.limits = limits
        self.offset = offset
    }

    /// Decodes exactly one item spanning the whole input; trailing bytes are an error.
    public static func decode(_ input: [UInt8], limits: Limits = .default) throws(WebAuthnError) -> CBOR {
        var decoder = CBORDecoder(input, limits: limits)
        let item = try decoder.decodeItem()
        guard decoder.offset == input.count else {
            throw .cbor("\(input.count - decoder.offset) trailing bytes after the CBOR item")
        }
        return item
    }

    /// Decodes one item starting at `start`, returning it and the offset just past it.
    public static func decodePrefix(_ input: [UInt8], at start: Int, limits: Limits = .default) throws(WebAuthnError) -> (CBOR, end: Int) {
        var decoder = CBORDecoder(input, startingAt: start, limits: limits)
        let item = try decoder.decodeItem()
        return (item, decoder.offset)
    }

    public mutating func decodeItem() throws(WebAuthnError) -> CBOR {
        guard input.count <= limits.maxInputBytes else {
            throw .cbor("input of \(input.count) bytes exceeds the limit of \(limits.maxInputBytes)")
        }
        guard offset >= 0, offset <= input.count else { throw .cbor("start offset out of range") }
        return try item(depth: 0)
    }

    // MARK: - Items

    private static let breakMarker: UInt8 = 0xFF

    private mutating func item(depth: Int) throws(WebAuthnError) -> CBOR {
        guard depth <= limits.maxDepth else { throw .cbor("nesting deeper than \(limits.maxDepth)") }
        items += 1
        guard items <= limits.maxItems else { throw .cbor("more than \(limits.maxItems) items") }
        let initial = try byte()
        let major = initial >> 5
        let info = initial & 0x1F
        switch major {
        case 0:
            return .unsigned(try argument(info))
        case 1:
            return .negative(try argument(info))
        case 2:
            return .bytes(try byteString(info: info, major: 2))
        case 3:
            let raw = try byteString(info: info, major: 3)
            guard let text = String(validating: raw, as: UTF8.self) else { throw .cbor("text string is not valid UTF-8") }
            return .text(text)
        case 4:
            return .array(try array(info: info, depth: depth))
        case 5:
            return .map(try map(info: info, depth: depth))
        case 6:
            let tag = try argument(info)
            return .tagged(tag, try item(depth: depth + 1))
        default:
            return try simpleOrFloat(info)
        }
    }

    private mutating func array(info: UInt8, depth: Int) throws(WebAuthnError) -> [CBOR] {
        var elements: [CBOR] = []
        if info == 31 {
            try refuseIndefinite()
            while try peek() != Self.breakMarker { elements.append(try item(depth: depth + 1)) }
            offset += 1
            return elements
        }
        let count = try length(info)
        // Every element takes at least one byte: a count beyond the input is malformed.
        guard count <= input.count - offset else { throw .cbor("array count \(count) exceeds the input") }
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try item(depth: depth + 1)) }
        return elements
    }

    private mutating func map(info: UInt8, depth: Int) throws(WebAuthnError) -> [CBORPair] {
        var pairs: [CBORPair] = []
        // The keys as duplicate detection compares them (`duplicateIdentity`), in order.
        var identities: [CBOR] = []
        var keys = Set<CBOR>()
        var previousKeyEncoding: ArraySlice<UInt8>? = nil
        func add(_ decoder: inout CBORDecoder) throws(WebAuthnError) {
            let keyStart = decoder.offset
            let key = try decoder.item(depth: depth + 1)
            let keyEncoding = decoder.input[keyStart..<decoder.offset]
            if decoder.limits.canonical, let previous = previousKeyEncoding, !Self.canonicallyPrecedes(previous, keyEncoding) {
                throw .cbor("map keys are not in canonical order")
            }
            previousKeyEncoding = keyEncoding
            let identity = Self.duplicateIdentity(key)
            // Small maps (all of WebAuthn's) are checked by scan; a set only pays off for large ones.
            let duplicate: Bool
            if identities.count < 16 {
                duplicate = identities.contains(identity)
            } else {
                if keys.isEmpty { keys = Set(identities) }
                duplicate = !keys.insert(identity).inserted
            }
            guard !duplicate else { throw .cbor("duplicate map key") }
            identities.append(identity)
            let value = try decoder.item(depth: depth + 1)
            pairs.append(CBORPair(key, value))
        }
        if info == 31 {
            try refuseIndefinite()
            while try peek() != Self.breakMarker { try add(&self) }
            offset += 1
            return pairs
        }
        let count = try length(info)
        guard count <= (input.count - offset) / 2 else { throw .cbor("map count \(count) exceeds the input") }
        pairs.reserveCapacity(count)
        for _ in 0..<count { try add(&self) }
        return pairs
    }

    /// A map key as duplicate detection compares it: the key itself, except that NaN becomes
    /// `.simple(24)`. `Double`'s `==` never finds NaN equal to NaN, so `{NaN: 1, NaN: 2}` would
    /// otherwise pass as two different keys (found by the fuzz-cbor harness). No decoded item is
    /// `.simple(24)`: simple values 20–31 never decode as `.simple`, so nothing else can collide.
    static func duplicateIdentity(_ key: CBOR) -> CBOR {
        switch key {
        case .float(let value) where value.isNaN: return .simple(24)
        case .array(let elements): return .array(elements.map(duplicateIdentity))
        case .map(let pairs): return .map(pairs.map { CBORPair(duplicateIdentity($0.key), duplicateIdentity($0.value)) })
        case .tagged(let tag, let inner): return .tagged(tag, duplicateIdentity(inner))
        default: return key
        }
    }

    /// CTAP2 canonical key order: shorter encodings first, then bytewise.
    static func canonicallyPrecedes(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        if a.count != b.count { return a.count < b.count }
        return a.lexicographicallyPrecedes(b)
    }

    private mutating func byteString(info: UInt8, major: UInt8) throws(WebAuthnError) -> [UInt8] {
        if info == 31 {
            try refuseIndefinite()
            var result: [UInt8] = []
            while try peek() != Self.breakMarker {
                let chunkHead = try byte()
                guard chunkHead >> 5 == major, chunkHead & 0x1F != 31 else {
                    throw .cbor("indefinite-length string chunk of the wrong type")
                }
                items += 1
                guard items <= limits.maxItems else { throw .cbor("more than \(limits.maxItems) items") }
                let chunk = try definiteBytes(info: chunkHead & 0x1F)
                // RFC 8949 §3.2.3: each chunk of a text string is itself valid UTF-8 (no character split across chunks).
                if major == 3, String(validating: chunk, as: UTF8.self) == nil { throw .cbor("text string chunk is not valid UTF-8") }
                result.append(contentsOf: chunk)
            }
            offset += 1
            return result
        }
        return try definiteBytes(info: info)
    }

    private mutating func definiteBytes(info: UInt8) throws(WebAuthnError) -> [UInt8] {
        let count = try length(info)
        guard count <= input.count - offset else { throw .cbor("string length \(count) exceeds the input") }
        let bytes = Array(input[offset..<(offset + count)])
        offset += count
        return bytes
    }

    private mutating func simpleOrFloat(_ info: UInt8) throws(WebAuthnError) -> CBOR {
        switch info {
        case 20: return .bool(false)
        case 21: return .bool(true)
        case 22: return .null
        case 23: return .undefined
        case 24:
            let value = try byte()
            guard value >= 32 else { throw .cbor("simple value \(value) in two-byte form") }
            return .simple(value)
        case 25:
            let bits = UInt16(try fixed(2))
            if limits.canonical { throw .cbor("floating-point values are not allowed in canonical CBOR") }
            return .float(Double(Float16Bits.toFloat(bits)))
        case 26:
            if limits.canonical { throw .cbor("floating-point values are not allowed in canonical CBOR") }
            return .float(Double(Float(bitPattern: UInt32(try fixed(4)))))
        case 27:
            if limits.canonical { throw .cbor("floating-point values are not allowed in canonical CBOR") }
            return .float(Double(bitPattern: try fixed(8)))
        case 31:
            throw .cbor("unexpected break")
        default:
            if info < 20 { return .simple(info) }
            throw .cbor("reserved additional information \(info)")
        }
    }

    // MARK: - Heads

    private mutating func argument(_ info: UInt8) throws(WebAuthnError) -> UInt64 {
        let value: UInt64
        switch info {
        case 0..<24: return UInt64(info)
        case 24: value = try fixed(1); if limits.canonical && value < 24 { throw Self.notShortest }
        case 25: value = try fixed(2); if limits.canonical && value <= 0xFF { throw Self.notShortest }
        case 26: value = try fixed(4); if limits.canonical && value <= 0xFFFF { throw Self.notShortest }
        case 27: value = try fixed(8); if limits.canonical && value <= 0xFFFF_FFFF { throw Self.notShortest }
        default: throw .cbor("invalid additional information \(info)")
        }
        return value
    }

    private static let notShortest = WebAuthnError.cbor("integer or length not in shortest form")

    private mutating func length(_ info: UInt8) throws(WebAuthnError) -> Int {
        let value = try argument(info)
        guard value <= UInt64(limits.maxInputBytes) else { throw .cbor("length \(value) exceeds the limit") }
        return Int(value)
    }

    private mutating func refuseIndefinite() throws(WebAuthnError) {
        if limits.canonical { throw .cbor("indefinite lengths are not allowed in canonical CBOR") }
    }

    private mutating func byte() throws(WebAuthnError) -> UInt8 {
        guard offset < input.count else { throw .cbor("unexpected end of input") }
        defer { offset += 1 }
        return input[offset]
    }

    private func peek() throws(WebAuthnError) -> UInt8 {
        guard offset < input.count else { throw .cbor("unexpected end of input") }
        return input[offset]
    }

    private mutating func fixed(_ count: Int) throws(WebAuthnError) -> UInt64 {
        guard count <= input.count - offset else { throw .cbor("unexpected end of input") }
        var value: UInt64 = 0
        for index in offset..<(offset + count) { value = (value << 8) | UInt64(input[index]) }
        offset += count
        return value
    }
}

/// IEEE 754 half precision to Float, without relying on `Float16` (absent on some platforms).
enum Float16Bits {
    static func toFloat(_ bits: UInt16) -> Float {
        let sign: Float = (bits & 0x8000) != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = Float(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * Float(sign: .plus, exponent: -24, significand: 1)
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}
