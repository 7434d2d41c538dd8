import Crypto
import _CryptoExtras
import Foundation

/// A credential public key decoded from its COSE_Key encoding (RFC 9052 §7, WebAuthn L3 §6.5.1.1).
///
/// Construction validates everything that can be validated without a signature: the key type
/// fits the algorithm and the curve, points lie on their curve, RSA moduli are at least 2048 bits.
/// Once built, a key can only verify signatures with the algorithm it was declared for.
public struct COSEKey: Sendable {
    public let algorithm: COSEAlgorithm
    /// The COSE_Key bytes exactly as received, for storage.
    public let encoded: [UInt8]
    let verifier: Verifier

    enum Verifier: Sendable {
        case p256(P256.Signing.PublicKey)
        case p384(P384.Signing.PublicKey)
        case p521(P521.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
        case rsa(_RSA.Signing.PublicKey, RSAScheme)
        case mlDSA65(MLDSA65.PublicKey)
        case mlDSA87(MLDSA87.PublicKey)
    }

    enum RSAScheme: Sendable { case pkcs1SHA1, pkcs1SHA256, pkcs1SHA384, pkcs1SHA512, pssSHA256, pssSHA384, pssSHA512 }

    /// Decodes a COSE_Key that must span all of `bytes`.
    public init(cose bytes: [UInt8]) throws(WebAuthnError) {
        let item = try CBORDecoder.decode(bytes, limits: .init(maxDepth: 2, maxItems: 64))
        try self.init(item: item, encoded: bytes)
    }

    init(item: CBOR, encoded: [UInt8]) throws(WebAuthnError) {
        guard case .map = item else { throw Self.malformed("COSE_Key is not a map") }
        guard let ktyValue = item[int: 1]?.int64 else { throw Self.malformed("COSE_Key has no integer kty (1)") }
        guard let algValue = item[int: 3]?.int64 else { throw Self.malformed("COSE_Key has no integer alg (3)") }
        guard let algorithm = COSEAlgorithm(rawValue: algValue) else {
            throw WebAuthnError(.unsupportedAlgorithm, "COSE algorithm \(algValue) is not supported")
        }
        guard let kty = COSEKeyType(rawValue: ktyValue) else { throw Self.malformed("COSE key type \(ktyValue) is not supported") }
        self.algorithm = algorithm
        self.encoded = encoded
        self.verifier = try Self.verifier(kty: kty, algorithm: algorithm, key: item)
    }

    private static func verifier(kty: COSEKeyType, algorithm: COSEAlgorithm, key: CBOR) throws(WebAuthnError) -> Verifier {
        func ec2(_ curve: COSECurve, coordinateLength: Int) throws(WebAuthnError) -> [UInt8] {
            guard kty == .ec2 else { throw mismatch(algorithm, "kty \(kty.rawValue)") }
            guard key[int: -1]?.int64 == curve.rawValue else { throw mismatch(algorithm, "crv \(key[int: -1]?.int64.map(String.init) ?? "missing")") }
            guard let x = key[int: -2]?.bytesValue, let y = key[int: -3]?.bytesValue else {
                throw malformed("EC2 key needs byte-string x (-2) and y (-3); compressed points are not accepted")
            }
            guard x.count == coordinateLength, y.count == coordinateLength else {
                throw malformed("EC2 coordinates must be \(coordinateLength) bytes, got \(x.count) and \(y.count)")
            }
            return [0x04] + x + y
        }
        func rsa(_ scheme: RSAScheme) throws(WebAuthnError) -> Verifier {
            guard kty == .rsa else { throw mismatch(algorithm, "kty \(kty.rawValue)") }
            guard let n = key[int: -1]?.bytesValue, let e = key[int: -2]?.bytesValue, !n.isEmpty, !e.isEmpty, e.count <= 8 else {
                throw malformed("RSA key needs byte-string n (-1) and e (-2)")
            }
            let bits = (n.drop(while: { $0 == 0 }).count) * 8
            guard bits >= 2048 else { throw WebAuthnError(.insecureAlgorithm, "RSA modulus of about \(bits) bits is below 2048") }
            guard bits <= 16384 else { throw malformed("RSA modulus larger than 16384 bits") }
            do {
                return .rsa(try _RSA.Signing.PublicKey(n: n, e: e), scheme)
            } catch {
                throw malformed("RSA key is invalid")
            }
        }
        func okp() throws(WebAuthnError) -> Verifier {
            guard kty == .okp else { throw mismatch(algorithm, "kty \(kty.rawValue)") }
            guard key[int: -1]?.int64 == COSECurve.ed25519.rawValue else { throw mismatch(algorithm, "crv \(key[int: -1]?.int64.map(String.init) ?? "missing")") }
            guard let x = key[int: -2]?.bytesValue, x.count == 32 else { throw malformed("Ed25519 key needs a 32-byte x (-2)") }
            do { return .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: x)) } catch { throw malformed("Ed25519 key is invalid") }
        }
        func akp() throws(WebAuthnError) -> [UInt8] {
            guard kty == .akp else { throw mismatch(algorithm, "kty \(kty.rawValue)") }
            guard let pub = key[int: -1]?.bytesValue else { throw malformed("AKP key needs a byte-string pub (-1)") }
            return pub
        }
        do {
            switch algorithm {
            case .es256, .esp256: return .p256(try P256.Signing.PublicKey(x963Representation: try ec2(.p256, coordinateLength: 32)))
            case .es384, .esp384: return .p384(try P384.Signing.PublicKey(x963Representation: try ec2(.p384, coordinateLength: 48)))
            case .es512, .esp512: return .p521(try P521.Signing.PublicKey(x963Representation: try ec2(.p521, coordinateLength: 66)))
            case .edDSA, .ed25519: return try okp()
            case .rs256: return try rsa(.pkcs1SHA256)
            case .rs384: return try rsa(.pkcs1SHA384)
            case .rs512: return try rsa(.pkcs1SHA512)
            case .ps256: return try rsa(.pssSHA256)
            case .ps384: return try rsa(.pssSHA384)
            case .ps512: return try rsa(.pssSHA512)
            case .rs1: return try rsa(.pkcs1SHA1)
            case .mlDSA65: return .mlDSA65(try MLDSA65.PublicKey(rawRepresentation: try akp()))
            case .mlDSA87: return .mlDSA87(try MLDSA87.PublicKey(rawRepresentation: try akp()))
            }
        } catch let error as WebAuthnError {
            throw error
        } catch {
            throw malformed("\(algorithm.name) public key is invalid (point not on the curve or wrong size)")
        }
    }

    /// Verifies `signature` over `data` with this key's algorithm.
    public func verify(signature: [UInt8], over data: [UInt8]) throws(WebAuthnError) {
        guard isValidSignature(signature, over: data) else {
            throw WebAuthnError(.badSignature, "\(algorithm.name) signature does not verify")
        }
    }

    public func isValidSignature(_ signature: [UInt8], over data: [UInt8]) -> Bool {
        switch verifier {
        case .p256(let key):
            guard let raw = ECDSASignatureDER.rawRepresentation(signature, coordinateLength: 32),
                  let sig = try? P256.Signing.ECDSASignature(rawRepresentation: raw) else { return false }
            return key.isValidSignature(sig, for: SHA256.hash(data: data))
        case .p384(let key):
            guard let sig = try? P384.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(sig, for: data)
        case .p521(let key):
            guard let sig = try? P521.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(sig, for: data)
        case .ed25519(let key):
            return key.isValidSignature(signature, for: data)
        case .rsa(let key, let scheme):
            let sig = _RSA.Signing.RSASignature(rawRepresentation: signature)
            switch scheme {
            case .pkcs1SHA1: return key.isValidSignature(sig, for: Insecure.SHA1.hash(data: data), padding: .insecurePKCS1v1_5)
            case .pkcs1SHA256: return key.isValidSignature(sig, for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
            case .pkcs1SHA384: return key.isValidSignature(sig, for: SHA384.hash(data: data), padding: .insecurePKCS1v1_5)
            case .pkcs1SHA512: return key.isValidSignature(sig, for: SHA512.hash(data: data), padding: .insecurePKCS1v1_5)
            case .pssSHA256: return key.isValidSignature(sig, for: SHA256.hash(data: data), padding: .PSS)
            case .pssSHA384: return key.isValidSignature(sig, for: SHA384.hash(data: data), padding: .PSS)
            case .pssSHA512: return key.isValidSignature(sig, for: SHA512.hash(data: data), padding: .PSS)
            }
        case .mlDSA65(let key):
            return key.isValidSignature(signature, for: data)
        case .mlDSA87(let key):
            return key.isValidSignature(signature, for: data)
        }
    }

    /// The key as X9.62 uncompressed point, when it is an EC2 key (fido-u2f and apple need it).
    public var x963Representation: [UInt8]? {
        switch verifier {
        case .p256(let key): Array(key.x963Representation)
        case .p384(let key): Array(key.x963Representation)
        case .p521(let key): Array(key.x963Representation)
        default: nil
        }
    }

    /// The key as a DER SubjectPublicKeyInfo, to compare with a certificate's key.
    public var subjectPublicKeyInfoDER: [UInt8] {
        switch verifier {
        case .p256(let key): Array(key.derRepresentation)
        case .p384(let key): Array(key.derRepresentation)
        case .p521(let key): Array(key.derRepresentation)
        case .ed25519(let key): [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00] + Array(key.rawRepresentation)
        case .rsa(let key, _): Array(key.derRepresentation)
        case .mlDSA65(let key): Array(key.rawRepresentation)
        case .mlDSA87(let key): Array(key.rawRepresentation)
        }
    }

    private static func malformed(_ message: String) -> WebAuthnError { WebAuthnError(.malformedPublicKey, message) }
    private static func mismatch(_ algorithm: COSEAlgorithm, _ what: String) -> WebAuthnError {
        WebAuthnError(.malformedPublicKey, "\(algorithm.name) does not fit \(what)")
    }
}
