import Crypto
import _CryptoExtras
import Foundation
import WebAuthn
import X509

/// A compact JWS (RFC 7515 §7.1) as the MDS BLOB uses it: `header.payload.signature`, each
/// part base64url without padding. Parsing never traps; every failure is `blob_malformed`.
struct CompactJWS {
    enum Algorithm: String, Sendable {
        case es256 = "ES256"
        case es384 = "ES384"
        case rs256 = "RS256"
        case ps256 = "PS256"
    }

    let algorithm: Algorithm
    let certificateChain: [Certificate]
    /// The payload bytes (decoded from base64url).
    let payload: [UInt8]
    let signature: [UInt8]
    /// `header.payload` as it appeared: the bytes the signature covers.
    let signingInputRange: Range<Int>

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(MetadataError) -> CompactJWS {
        var dots: [Int] = []
        for index in bytes.indices where bytes[index] == UInt8(ascii: ".") {
            dots.append(index)
            if dots.count > 2 { throw MetadataError(.blobMalformed, "the BLOB is not a compact JWS: more than three parts") }
        }
        guard dots.count == 2 else { throw MetadataError(.blobMalformed, "the BLOB is not a compact JWS (header.payload.signature)") }
        let headerPart = UnsafeBufferPointer(rebasing: bytes[0..<dots[0]])
        let payloadPart = UnsafeBufferPointer(rebasing: bytes[(dots[0] + 1)..<dots[1]])
        var end = bytes.count
        // Tolerate the trailing newline a file or HTTP body often carries.
        while end > dots[1] + 1, [0x0A, 0x0D, 0x20, 0x09].contains(bytes[end - 1]) { end -= 1 }
        let signaturePart = UnsafeBufferPointer(rebasing: bytes[(dots[1] + 1)..<end])

        guard let headerBytes = FastBase64.decodeURL(headerPart) else { throw MetadataError(.blobMalformed, "the JWS header is not base64url") }
        guard let payload = FastBase64.decodeURL(payloadPart) else { throw MetadataError(.blobMalformed, "the JWS payload is not base64url") }
        guard let signature = FastBase64.decodeURL(signaturePart), !signature.isEmpty else {
            throw MetadataError(.blobMalformed, "the JWS signature is not base64url")
        }

        let header: JSONValue
        switch JSONValue.parse(headerBytes, limits: .init(maxDepth: 8, maxBytes: 1 << 20)) {
        case .success(let value): header = value
        case .failure(let error): throw MetadataError(.blobMalformed, "the JWS header is not JSON: \(error.reason)")
        }
        guard case .object = header else { throw MetadataError(.blobMalformed, "the JWS header is not a JSON object") }
        guard let alg = header["alg"]?.stringValue else { throw MetadataError(.blobMalformed, "the JWS header has no alg") }
        guard let algorithm = Algorithm(rawValue: alg) else { throw MetadataError(.blobMalformed, "unsupported JWS alg \(alg)") }
        if let typ = header["typ"], typ.stringValue?.uppercased() != "JWT" {
            throw MetadataError(.blobMalformed, "the JWS typ is not JWT")
        }
        guard let x5c = header["x5c"]?.arrayValue, !x5c.isEmpty else {
            // MDS3 §3.1.7: x5u is not used by the MDS; the chain is required.
            throw MetadataError(.blobMalformed, "the JWS header has no x5c certificate chain")
        }
        guard x5c.count <= 8 else { throw MetadataError(.blobMalformed, "the x5c chain has more than 8 certificates") }
        var chain: [Certificate] = []
        for (index, element) in x5c.enumerated() {
            guard let text = element.stringValue, let der = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                throw MetadataError(.blobMalformed, "x5c[\(index)] is not base64")
            }
            do {
                chain.append(try Certificate(derEncoded: Array(der)))
            } catch {
                throw MetadataError(.blobMalformed, "x5c[\(index)] is not an X.509 certificate")
            }
        }
        return CompactJWS(algorithm: algorithm, certificateChain: chain, payload: payload, signature: signature, signingInputRange: 0..<dots[1])
    }

    /// Verifies the signature over `signingInput` with the leaf certificate's key.
    func verifySignature(signingInput: UnsafeBufferPointer<UInt8>) throws(MetadataError) {
        guard let leaf = certificateChain.first else { throw MetadataError(.blobMalformed, "no signing certificate") }
        let valid: Bool
        switch algorithm {
        case .es256:
            guard let key = P256.Signing.PublicKey(leaf.publicKey) else {
                throw MetadataError(.blobSignatureInvalid, "ES256 BLOB signed by a certificate without a P-256 key")
            }
            // JWS ECDSA signatures are r || s (RFC 7518 §3.4), not DER.
            guard signature.count == 64, let raw = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else {
                throw MetadataError(.blobSignatureInvalid, "an ES256 signature is 64 bytes (r || s); this one has \(signature.count)")
            }
            valid = key.isValidSignature(raw, for: SHA256.hash(data: signingInput))
        case .es384:
            guard let key = P384.Signing.PublicKey(leaf.publicKey) else {
                throw MetadataError(.blobSignatureInvalid, "ES384 BLOB signed by a certificate without a P-384 key")
            }
            guard signature.count == 96, let raw = try? P384.Signing.ECDSASignature(rawRepresentation: signature) else {
                throw MetadataError(.blobSignatureInvalid, "an ES384 signature is 96 bytes (r || s); this one has \(signature.count)")
            }
            valid = key.isValidSignature(raw, for: SHA384.hash(data: signingInput))
        case .rs256, .ps256:
            guard let key = _RSA.Signing.PublicKey(leaf.publicKey) else {
                throw MetadataError(.blobSignatureInvalid, "\(algorithm.rawValue) BLOB signed by a certificate without an RSA key")
            }
            guard key.keySizeInBits >= 2048 else { throw MetadataError(.blobSignatureInvalid, "the RSA signing key is shorter than 2048 bits") }
            let raw = _RSA.Signing.RSASignature(rawRepresentation: signature)
            let padding: _RSA.Signing.Padding = algorithm == .rs256 ? .insecurePKCS1v1_5 : .PSS
            valid = key.isValidSignature(raw, for: SHA256.hash(data: signingInput), padding: padding)
        }
        guard valid else { throw MetadataError(.blobSignatureInvalid, "the BLOB signature does not verify with the signing certificate's key") }
    }
}

/// Base64 decoding without intermediate allocations: the BLOB payload is megabytes.
enum FastBase64 {
    private static let urlTable: [UInt8] = table("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    private static func table(_ alphabet: String) -> [UInt8] {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.utf8.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }

    /// Unpadded base64url; `nil` for any character outside the alphabet or a dangling character.
    static func decodeURL(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = input.count
        guard count % 4 != 1 else { return nil }
        let outputCount = count / 4 * 3 + max(0, count % 4 - 1)
        return urlTable.withUnsafeBufferPointer { table -> [UInt8]? in
            var failed = false
            let output = [UInt8](unsafeUninitializedCapacity: outputCount) { buffer, initialized in
                var i = 0
                var o = 0
                while i + 4 <= count {
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])], c = table[Int(input[i + 2])], d = table[Int(input[i + 3])]
                    if (a | b | c | d) & 0xC0 != 0 { failed = true; break }
                    let word = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    buffer[o] = UInt8(truncatingIfNeeded: word >> 16)
                    buffer[o + 1] = UInt8(truncatingIfNeeded: word >> 8)
                    buffer[o + 2] = UInt8(truncatingIfNeeded: word)
                    i += 4
                    o += 3
                }
                if !failed {
                    let rest = count - i
                    if rest >= 2 {
                        let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                        let c = rest == 3 ? table[Int(input[i + 2])] : 0
                        if (a | b | c) & 0xC0 != 0 {
                            failed = true
                        } else {
                            let word = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
                            buffer[o] = UInt8(truncatingIfNeeded: word >> 16)
                            o += 1
                            if rest == 3 {
                                buffer[o] = UInt8(truncatingIfNeeded: word >> 8)
                                o += 1
                            }
                        }
                    }
                }
                initialized = failed ? 0 : o
            }
            return failed ? nil : output
        }
    }

    static func encodeURL(_ bytes: [UInt8]) -> String {
        Base64URL.encode(bytes)
    }
}
