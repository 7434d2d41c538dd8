/// The lexical layer of strict JSON (RFC 8259) over a byte buffer: whitespace, literals,
/// numbers and strings (escapes, surrogate pairs, UTF-8 validation). The tree parser for signed
/// client data and the streaming reader for FIDO metadata both stand on it. Never traps: every
/// read is bounds-checked and every failure is a `JSONParseError` with its offset.
public struct JSONLexer {
    public let bytes: UnsafeBufferPointer<UInt8>
    public var offset = 0

    /// The caller keeps `bytes` alive while the lexer is in use (`withUnsafeBufferPointer`).
    public init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    public func error(_ reason: String) -> JSONParseError { JSONParseError(offset: offset, reason: reason) }

    public var atEnd: Bool { offset >= bytes.count }

    public func peek() -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    public mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    public mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - offset >= count else { throw error("invalid literal") }
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
        for index in 0..<count where bytes[offset + index] != expected[index] { throw error("invalid literal") }
        offset += count
    }

    public mutating func number() throws(JSONParseError) -> Double {
        let start = offset
        if peek() == UInt8(ascii: "-") { offset += 1 }
        guard let first = peek(), first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { throw error("invalid number") }
        if first == UInt8(ascii: "0") { offset += 1 } else { digits() }
        if peek() == UInt8(ascii: ".") {
            offset += 1
            guard digits() > 0 else { throw error("invalid number") }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            offset += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { offset += 1 }
            guard digits() > 0 else { throw error("invalid number") }
        }
        guard offset - start <= 64, let value = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)) else {
            throw error("invalid number")
        }
        return value
    }

    @discardableResult
    mutating func digits() -> Int {
        let start = offset
        while offset < bytes.count, bytes[offset] >= UInt8(ascii: "0"), bytes[offset] <= UInt8(ascii: "9") { offset += 1 }
        return offset - start
    }

    /// Reads a string starting at its opening quote.
    public mutating func string() throws(JSONParseError) -> String { try string(build: true) }

    /// Skips a string without building it (still validating escapes and control characters).
    public mutating func skipString() throws(JSONParseError) { _ = try string(build: false) }

    private mutating func string(build: Bool) throws(JSONParseError) -> String {
        offset += 1  // the opening quote
        let start = offset
        // Fast path: no escapes.
        while offset < bytes.count {
            let c = bytes[offset]
            if c == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<offset])
                offset += 1
                guard build else { return "" }
                guard let text = String(validating: raw, as: UTF8.self) else { throw error("invalid UTF-8") }
                return text
            }
            if c == UInt8(ascii: "\\") { break }
            guard c >= 0x20 else { throw error("control character in string") }
            offset += 1
        }
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<min(offset, bytes.count)]))
        while true {
            guard offset < bytes.count else { throw error("unterminated string") }
            let c = bytes[offset]
            offset += 1
            switch c {
            case UInt8(ascii: "\""):
                guard build else { return "" }
                guard let text = String(validating: out, as: UTF8.self) else { throw error("invalid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                guard let escape = peek() else { throw error("unterminated string") }
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
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
