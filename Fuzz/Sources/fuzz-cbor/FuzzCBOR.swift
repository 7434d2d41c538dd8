import FuzzDriver
import FuzzSupport
import WebAuthn

/// CBOR decoder: `CBORDecoder.decode` with the default and the CTAP2-canonical limits, plus
/// round-trip properties:
/// 1. default: decode(x) = a  ⇒  decode(encode(a)) = a  (and re-encoding is stable)
/// 2. canonical: decode(x, .ctap2Canonical) = a  ⇒  encode(a) == x  and  decode(x) = a
/// 3. decode(x) = a, a has no floats  ⇒  decode(encode(a.canonicalized()), .ctap2Canonical) = a.canonicalized()
/// 4. no decoded map holds two keys with the same encoding (the decoder refuses duplicate keys)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)

    if let item = try? CBORDecoder.decode(bytes) {
        fuzzCheck(!hasDuplicateKeyEncodings(item), "decoded map has duplicate keys: \(bytes.hexString)")
        let encoded = CBOREncoder.encode(item)
        let again: CBOR
        do {
            again = try CBORDecoder.decode(encoded)
        } catch {
            fuzzFail("re-encoded item does not decode: \(error) (item \(item), encoding \(encoded.hexString))")
        }
        fuzzCheck(CBOREncoder.encode(again) == encoded, "re-encoding is not stable")
        fuzzCheck(containsNaN(item) || again == item, "round trip changed the item: \(item) -> \(again)")
        if !containsFloat(item) {
            let canonical = item.canonicalized()
            let canonicalBytes = CBOREncoder.encode(canonical)
            do {
                let decoded = try CBORDecoder.decode(canonicalBytes, limits: .ctap2Canonical)
                fuzzCheck(decoded == canonical, "canonicalized item does not round-trip through the canonical decoder")
            } catch {
                fuzzFail("canonicalized encoding is refused by the canonical decoder: \(error) (\(canonicalBytes.hexString))")
            }
        }
        // decodePrefix at 0 ends exactly where decode says the item ends.
        if let (prefixItem, end) = try? CBORDecoder.decodePrefix(bytes, at: 0) {
            fuzzCheck(end == bytes.count && (containsNaN(item) || prefixItem == item), "decodePrefix disagrees with decode")
        } else {
            fuzzFail("decodePrefix refused what decode accepted")
        }
    }

    if let item = try? CBORDecoder.decode(bytes, limits: .ctap2Canonical) {
        fuzzCheck(CBOREncoder.encode(item) == bytes, "canonical input does not re-encode to the same bytes: \(bytes.hexString)")
        fuzzCheck((try? CBORDecoder.decode(bytes)) == item, "default decoder disagrees with the canonical decoder")
    }

    // A prefix decode from an arbitrary offset (start offsets come from callers such as authData).
    if let first = bytes.first {
        _ = try? CBORDecoder.decodePrefix(bytes, at: Int(first) % (bytes.count + 1))
    }
    return 0
}

func containsNaN(_ item: CBOR) -> Bool {
    switch item {
    case .float(let d): return d.isNaN
    case .array(let a): return a.contains(where: containsNaN)
    case .map(let pairs): return pairs.contains { containsNaN($0.key) || containsNaN($0.value) }
    case .tagged(_, let inner): return containsNaN(inner)
    default: return false
    }
}

func containsFloat(_ item: CBOR) -> Bool {
    switch item {
    case .float: return true
    case .array(let a): return a.contains(where: containsFloat)
    case .map(let pairs): return pairs.contains { containsFloat($0.key) || containsFloat($0.value) }
    case .tagged(_, let inner): return containsFloat(inner)
    default: return false
    }
}

/// The executable's entry point under SwiftPM (see FuzzDriver.h): hands over to libFuzzer.
@_cdecl("fuzz_cbor_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    claviger_fuzz_driver_main(argc, argv)
}

func hasDuplicateKeyEncodings(_ item: CBOR) -> Bool {
    switch item {
    case .array(let a): return a.contains(where: hasDuplicateKeyEncodings)
    case .tagged(_, let inner): return hasDuplicateKeyEncodings(inner)
    case .map(let pairs):
        var seen = Set<[UInt8]>()
        for pair in pairs {
            guard seen.insert(CBOREncoder.encode(pair.key)).inserted else { return true }
            if hasDuplicateKeyEncodings(pair.key) || hasDuplicateKeyEncodings(pair.value) { return true }
        }
        return false
    default: return false
    }
}
