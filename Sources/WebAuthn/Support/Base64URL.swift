/// Base64url (RFC 4648 §5) without padding, as WebAuthn's JSON serialization uses it.
///
/// Decoding is strict: no padding, no whitespace, no standard-alphabet characters, and the
/// unused low bits of the last character must be zero, so each byte string has exactly one
/// encoding (a challenge compared as a string and as bytes gives the same answer).
public enum Base64URL {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var output = [UInt8]()
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var iterator = bytes.makeIterator()
        while let b0 = iterator.next() {
            let b1 = iterator.next()
            let b2 = iterator.next()
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int(((b0 & 0x03) << 4) | ((b1 ?? 0) >> 4))])
            if let b1 {
                output.append(alphabet[Int(((b1 & 0x0F) << 2) | ((b2 ?? 0) >> 6))])
            }
            if let b2 {
                output.append(alphabet[Int(b2 & 0x3F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes unpadded base64url; `nil` for any other input.
    public static func decode(_ string: String) -> [UInt8]? {
        var string = string
        return string.withUTF8 { decode(utf8: $0) }
    }

    public static func decode(utf8 input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = input.count
        let remainder = count % 4
        if remainder == 1 { return nil }
        let outputCount = count / 4 * 3 + (remainder == 0 ? 0 : remainder - 1)
        var valid = true
        let output = reverse.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: outputCount) { buffer, initialized in
                var i = 0
                var o = 0
                // Four characters to three bytes; an invalid character maps to 0xFF, which sets
                // a bit no valid 6-bit value has.
                while i + 4 <= count {
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])], c = table[Int(input[i + 2])], d = table[Int(input[i + 3])]
                    if (a | b | c | d) & 0xC0 != 0 { valid = false; break }
                    buffer[o] = a << 2 | b >> 4
                    buffer[o + 1] = b << 4 | c >> 2
                    buffer[o + 2] = c << 6 | d
                    i += 4
                    o += 3
                }
                if valid && remainder >= 2 {
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                    let c = remainder == 3 ? table[Int(input[i + 2])] : 0
                    // Leftover bits must be zero: each byte string has exactly one encoding.
                    if (a | b | c) & 0xC0 != 0 || (remainder == 2 ? b & 0x0F : c & 0x03) != 0 {
                        valid = false
                    } else {
                        buffer[o] = a << 2 | b >> 4
                        if remainder == 3 { buffer[o + 1] = b << 4 | c >> 2 }
                    }
                }
                initialized = valid ? outputCount : 0
            }
        }
        return valid ? output : nil
    }

    /// Standard base64 with optional padding (certificates in SafetyNet JWS headers use it).
    public static func decodeStandard(_ string: String) -> [UInt8]? {
        var trimmed = Substring(string)
        while trimmed.last == "=" { trimmed = trimmed.dropLast() }
        if string.count - trimmed.count > 2 { return nil }
        var mapped = [UInt8]()
        mapped.reserveCapacity(trimmed.utf8.count)
        for character in trimmed.utf8 {
            switch character {
            case UInt8(ascii: "+"): mapped.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): mapped.append(UInt8(ascii: "_"))
            case UInt8(ascii: "-"), UInt8(ascii: "_"): return nil
            default: mapped.append(character)
            }
        }
        return mapped.withUnsafeBufferPointer { decode(utf8: $0) }
    }
}

extension WebAuthnError {
    static func base64(_ field: String) -> WebAuthnError {
        WebAuthnError(.malformedBase64, "\(field) is not unpadded base64url")
    }
}

/// Decodes a base64url field of a response, naming the field in the error.
func decodeBase64URL(_ value: String, field: String) throws(WebAuthnError) -> [UInt8] {
    guard let bytes = Base64URL.decode(value) else { throw .base64(field) }
    return bytes
}
