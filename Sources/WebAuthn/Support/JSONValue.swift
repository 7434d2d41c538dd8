/// A small strict JSON parser (RFC 8259) for the JSON that is signed: `clientDataJSON` and
/// JWS payloads. Parsing the signed bytes ourselves keeps one interpretation of them:
/// duplicate keys and invalid UTF-8 are refused, depth and size are bounded, nothing traps.
public enum JSONValue: Sendable, Hashable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    public struct Limits: Sendable {
        public var maxDepth = 16
        public var maxBytes = 64 * 1024
        public init(maxDepth: Int = 16, maxBytes: Int = 64 * 1024) {
            self.maxDepth = maxDepth
            self.maxBytes = maxBytes
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] } else { return nil }
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var numberValue: Double? { if case .number(let n) = self { return n } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }

    /// Parses one JSON value spanning all of `bytes`; `nil` with a reason on failure.
    public static func parse(_ bytes: [UInt8], limits: Limits = Limits()) -> Result<JSONValue, JSONParseError> {
        guard bytes.count <= limits.maxBytes else { return .failure(JSONParseError(offset: 0, reason: "larger than \(limits.maxBytes) bytes")) }
        var parser = JSONParser(bytes: bytes, maxDepth: limits.maxDepth)
        do throws(JSONParseError) {
            parser.skipWhitespace()
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.offset == bytes.count else { throw parser.error("trailing characters") }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}

extension JSONValue {
    /// Parses a JSON object spanning all of `bytes` into its members in order, without building
    /// a dictionary: the fast path for small signed objects such as `clientDataJSON`.
    public static func parseObjectMembers(_ bytes: [UInt8], limits: Limits = Limits()) -> Result<[JSONMember], JSONParseError> {
        guard bytes.count <= limits.maxBytes else { return .failure(JSONParseError(offset: 0, reason: "larger than \(limits.maxBytes) bytes")) }
        var parser = JSONParser(bytes: bytes, maxDepth: limits.maxDepth)
        do throws(JSONParseError) {
            parser.skipWhitespace()
            guard try parser.peek() == UInt8(ascii: "{") else { throw parser.error("not a JSON object") }
            let members = try parser.members(depth: 0)
            parser.skipWhitespace()
            guard parser.offset == bytes.count else { throw parser.error("trailing characters") }
            return .success(members)
        } catch {
            return .failure(error)
        }
    }
}

public struct JSONMember: Sendable, Hashable {
    public let key: String
    public let value: JSONValue
}

extension [JSONMember] {
    public subscript(key: String) -> JSONValue? { first { $0.key == key }?.value }
}

public struct JSONParseError: Error, Sendable {
    public let offset: Int
    public let reason: String
}

private struct JSONParser {
    let bytes: [UInt8]
    let maxDepth: Int
    var offset = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func error(_ reason: String) -> JSONParseError { JSONParseError(offset: offset, reason: reason) }

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    func peek() throws(JSONParseError) -> UInt8 {
        guard offset < bytes.count else { throw error("unexpected end") }
        return bytes[offset]
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error("nested deeper than \(maxDepth)") }
        switch try peek() {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - offset >= count else { throw error("unexpected end") }
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
        for index in 0..<count where bytes[offset + index] != expected[index] { throw error("invalid literal") }
        offset += count
    }

    mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
        let members = try members(depth: depth)
        var dictionary: [String: JSONValue] = [:]
        dictionary.reserveCapacity(members.count)
        for member in members { dictionary[member.key] = member.value }
        return .object(dictionary)
    }

    /// An object's members in order; a repeated name is an error (two readers could disagree).
    mutating func members(depth: Int) throws(JSONParseError) -> [JSONMember] {
        offset += 1
        var members: [JSONMember] = []
        var names = Set<String>()
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") { offset += 1; return members }
        while true {
            skipWhitespace()
            guard try peek() == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try string()
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw error("expected ':'") }
            offset += 1
            skipWhitespace()
            let member = try value(depth: depth + 1)
            // Small objects are checked by scan; a set only pays off for large ones.
            let duplicate: Bool
            if members.count < 16 {
                duplicate = members.contains { $0.key == key }
            } else {
                if names.isEmpty { names = Set(members.map(\.key)) }
                duplicate = !names.insert(key).inserted
            }
            guard !duplicate else { throw error("duplicate member \"\(key)\"") }
            members.append(JSONMember(key: key, value: member))
            skipWhitespace()
            let next = try peek()
            offset += 1
            if next == UInt8(ascii: "}") { return members }
            guard next == UInt8(ascii: ",") else { throw error("expected ',' or '}'") }
        }
    }

    mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
        offset += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") { offset += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth + 1))
            skipWhitespace()
            let next = try peek()
            offset += 1
            if next == UInt8(ascii: "]") { return .array(elements) }
            guard next == UInt8(ascii: ",") else { throw error("expected ',' or ']'") }
        }
    }

    mutating func string() throws(JSONParseError) -> String {
        offset += 1
        let start = offset
        // Fast path: no escapes.
        while offset < bytes.count {
            let c = bytes[offset]
            if c == UInt8(ascii: "\"") {
                let raw = bytes[start..<offset]
                offset += 1
                guard let text = String(validating: raw, as: UTF8.self) else { throw error("invalid UTF-8") }
                return text
            }
            if c == UInt8(ascii: "\\") { break }
            guard c >= 0x20 else { throw error("control character in string") }
            offset += 1
        }
        var out = Array(bytes[start..<min(offset, bytes.count)])
        while true {
            guard offset < bytes.count else { throw error("unterminated string") }
            let c = bytes[offset]
            offset += 1
            switch c {
            case UInt8(ascii: "\""):
                guard let text = String(validating: out, as: UTF8.self) else { throw error("invalid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                let escape = try peek()
                offset += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard bytes.count - offset >= 6, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate")
                        }
                        offset += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw error("unpaired surrogate")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid escape") }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default: throw error("invalid escape")
                }
            default:
                guard c >= 0x20 else { throw error("control character in string") }
                out.append(c)
            }
        }
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[offset]
            offset += 1
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
        }
        return value
    }

    mutating func number() throws(JSONParseError) -> Double {
        let start = offset
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        guard offset < bytes.count else { throw error("invalid number") }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
        } else {
            guard try digits() > 0 else { throw error("invalid value") }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard try digits() > 0 else { throw error("invalid number") }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard try digits() > 0 else { throw error("invalid number") }
        }
        guard offset - start <= 64, let value = Double(String(decoding: bytes[start..<offset], as: UTF8.self)) else {
            throw error("invalid number")
        }
        return value
    }

    mutating func digits() throws(JSONParseError) -> Int {
        var count = 0
        while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) {
            offset += 1
            count += 1
        }
        return count
    }
}
