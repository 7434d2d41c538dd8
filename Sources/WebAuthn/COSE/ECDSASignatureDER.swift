/// Converts a DER `Ecdsa-Sig-Value` (SEQUENCE { INTEGER r, INTEGER s }) to the fixed-width
/// r || s form, strictly: definite short or one/two-byte lengths, minimal positive integers,
/// nothing trailing. Doing it here saves swift-crypto a BIGNUM round trip on every sign-in.
enum ECDSASignatureDER {
    static func rawRepresentation(_ der: [UInt8], coordinateLength: Int) -> [UInt8]? {
        var offset = 0
        guard der.count >= 8, der[0] == 0x30, let sequenceLength = length(der, &offset, start: 1),
              offset + sequenceLength == der.count else { return nil }
        guard let r = integer(der, &offset, coordinateLength: coordinateLength),
              let s = integer(der, &offset, coordinateLength: coordinateLength), offset == der.count else { return nil }
        return r + s
    }

    /// Reads a DER length at `start`, leaving `offset` after it.
    private static func length(_ der: [UInt8], _ offset: inout Int, start: Int) -> Int? {
        guard start < der.count else { return nil }
        let first = der[start]
        if first < 0x80 {
            offset = start + 1
            return Int(first)
        }
        let count = Int(first & 0x7F)
        guard count == 1 || count == 2, start + count < der.count else { return nil }
        var value = 0
        for index in (start + 1)...(start + count) { value = value << 8 | Int(der[index]) }
        // Minimal encoding: long form only for lengths that need it.
        guard value >= 0x80, count == 1 || value > 0xFF else { return nil }
        offset = start + 1 + count
        return value
    }

    private static func integer(_ der: [UInt8], _ offset: inout Int, coordinateLength: Int) -> [UInt8]? {
        guard offset < der.count, der[offset] == 0x02 else { return nil }
        var end = 0
        guard let count = length(der, &end, start: offset + 1), count > 0, end + count <= der.count else { return nil }
        var bytes = der[end..<(end + count)]
        offset = end + count
        guard bytes[bytes.startIndex] & 0x80 == 0 else { return nil }                      // negative
        if bytes.count > 1, bytes[bytes.startIndex] == 0, bytes[bytes.startIndex + 1] & 0x80 == 0 { return nil } // not minimal
        if bytes.first == 0, bytes.count > 1 { bytes = bytes.dropFirst() }
        guard bytes.count <= coordinateLength else { return nil }
        return [UInt8](repeating: 0, count: coordinateLength - bytes.count) + bytes
    }
}
