/// Encodes CBOR items with shortest-form heads and definite lengths, keeping map pairs in
/// the order given. `canonicalized()` sorts maps into CTAP2 canonical order first.
public enum CBOREncoder {
    public static func encode(_ item: CBOR) -> [UInt8] {
        var output: [UInt8] = []
        append(item, to: &output)
        return output
    }

    public static func append(_ item: CBOR, to output: inout [UInt8]) {
        switch item {
        case .unsigned(let n): head(0, n, &output)
        case .negative(let n): head(1, n, &output)
        case .bytes(let b): head(2, UInt64(b.count), &output); output.append(contentsOf: b)
        case .text(let t): head(3, UInt64(t.utf8.count), &output); output.append(contentsOf: t.utf8)
        case .array(let a): head(4, UInt64(a.count), &output); for element in a { append(element, to: &output) }
        case .map(let pairs):
            head(5, UInt64(pairs.count), &output)
            for pair in pairs { append(pair.key, to: &output); append(pair.value, to: &output) }
        case .tagged(let tag, let inner): head(6, tag, &output); append(inner, to: &output)
        case .bool(let b): output.append(b ? 0xF5 : 0xF4)
        case .null: output.append(0xF6)
        case .undefined: output.append(0xF7)
        case .simple(let v): if v < 24 { output.append(0xE0 | v) } else { output.append(0xF8); output.append(v) }
        case .float(let d):
            output.append(0xFB)
            withUnsafeBytes(of: d.bitPattern.bigEndian) { output.append(contentsOf: $0) }
        }
    }

    private static func head(_ major: UInt8, _ value: UInt64, _ output: inout [UInt8]) {
        let m = major << 5
        switch value {
        case 0..<24: output.append(m | UInt8(value))
        case 24...0xFF: output.append(m | 24); output.append(UInt8(value))
        case 0x100...0xFFFF: output.append(m | 25); appendBigEndian(UInt16(value), &output)
        case 0x10000...0xFFFF_FFFF: output.append(m | 26); appendBigEndian(UInt32(value), &output)
        default: output.append(m | 27); appendBigEndian(value, &output)
        }
    }

    private static func appendBigEndian<T: FixedWidthInteger>(_ value: T, _ output: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { output.append(contentsOf: $0) }
    }
}

extension CBOR {
    /// The same item with every map sorted into CTAP2 canonical key order.
    public func canonicalized() -> CBOR {
        switch self {
        case .array(let a): return .array(a.map { $0.canonicalized() })
        case .tagged(let t, let inner): return .tagged(t, inner.canonicalized())
        case .map(let pairs):
            let sorted = pairs
                .map { CBORPair($0.key.canonicalized(), $0.value.canonicalized()) }
                .map { (pair: $0, key: ArraySlice(CBOREncoder.encode($0.key))) }
                .sorted { CBORDecoder.canonicallyPrecedes($0.key, $1.key) }
            return .map(sorted.map(\.pair))
        default: return self
        }
    }
}
