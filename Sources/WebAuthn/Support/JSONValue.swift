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

    /// Parses one JSON value spanning all of `bytes`; a failure says where and why.
    public static func parse(_ bytes: [UInt8], limits: Limits = Limits()) -> Result<JSONValue, JSONParseError> {
        guard bytes.count <= limits.maxBytes else { return .failure(JSONParseError(offset: 0, reason: "larger than \(limits.maxBytes) bytes")) }
        return bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(lexer: JSONLexer(buffer), maxDepth: limits.maxDepth)
            do throws(JSONParseError) {
                return .success(try parser.whole { (parser) throws(JSONParseError) in try parser.value(depth: 0) })
            } catch {
                return .failure(error)
            }
        }
    }
}

extension JSONValue {
    /// Parses a JSON object spanning all of `bytes` into its members in order, without building
    /// a dictionary: the fast path for small signed objects such as `clientDataJSON`.
    public static func parseObjectMembers(_ bytes: [UInt8], limits: Limits = Limits()) -> Result<[JSONMember], JSONParseError> {
        guard bytes.count <= limits.maxBytes else { return .failure(JSONParseError(offset: 0, reason: "larger than \(limits.maxBytes) bytes")) }
        return bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(lexer: JSONLexer(buffer), maxDepth: limits.maxDepth)
            do throws(JSONParseError) {
                return .success(try parser.whole { (parser) throws(JSONParseError) in
                    guard parser.lexer.peek() == UInt8(ascii: "{") else { throw parser.lexer.error("not a JSON object") }
                    return try parser.members(depth: 0)
                })
            } catch {
                return .failure(error)
            }
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

/// The tree parser: structure and limits on top of `JSONLexer`.
private struct JSONParser {
    var lexer: JSONLexer
    let maxDepth: Int

    /// Parses with `body`, then requires that nothing but whitespace follows.
    mutating func whole<T>(_ body: (inout JSONParser) throws(JSONParseError) -> T) throws(JSONParseError) -> T {
        lexer.skipWhitespace()
        let value = try body(&self)
        lexer.skipWhitespace()
        guard lexer.atEnd else { throw lexer.error("trailing characters") }
        return value
    }

    func next() throws(JSONParseError) -> UInt8 {
        guard let byte = lexer.peek() else { throw lexer.error("unexpected end") }
        return byte
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw lexer.error("nested deeper than \(maxDepth)") }
        switch try next() {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try lexer.string())
        case UInt8(ascii: "t"): try lexer.literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try lexer.literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try lexer.literal("null"); return .null
        default: return .number(try lexer.number())
        }
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
        lexer.offset += 1
        var members: [JSONMember] = []
        var names = Set<String>()
        lexer.skipWhitespace()
        if try next() == UInt8(ascii: "}") { lexer.offset += 1; return members }
        while true {
            lexer.skipWhitespace()
            guard try next() == UInt8(ascii: "\"") else { throw lexer.error("expected a member name") }
            let key = try lexer.string()
            lexer.skipWhitespace()
            guard try next() == UInt8(ascii: ":") else { throw lexer.error("expected ':'") }
            lexer.offset += 1
            lexer.skipWhitespace()
            let member = try value(depth: depth + 1)
            // Small objects are checked by scan; a set only pays off for large ones.
            let duplicate: Bool
            if members.count < 16 {
                duplicate = members.contains { $0.key == key }
            } else {
                if names.isEmpty { names = Set(members.map(\.key)) }
                duplicate = !names.insert(key).inserted
            }
            guard !duplicate else { throw lexer.error("duplicate member \"\(key)\"") }
            members.append(JSONMember(key: key, value: member))
            lexer.skipWhitespace()
            let separator = try next()
            lexer.offset += 1
            if separator == UInt8(ascii: "}") { return members }
            guard separator == UInt8(ascii: ",") else { throw lexer.error("expected ',' or '}'") }
        }
    }

    mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
        lexer.offset += 1
        var elements: [JSONValue] = []
        lexer.skipWhitespace()
        if try next() == UInt8(ascii: "]") { lexer.offset += 1; return .array(elements) }
        while true {
            lexer.skipWhitespace()
            elements.append(try value(depth: depth + 1))
            lexer.skipWhitespace()
            let separator = try next()
            lexer.offset += 1
            if separator == UInt8(ascii: "]") { return .array(elements) }
            guard separator == UInt8(ascii: ",") else { throw lexer.error("expected ',' or ']'") }
        }
    }
}
