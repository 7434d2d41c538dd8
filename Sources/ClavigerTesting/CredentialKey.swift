import Crypto
import _CryptoExtras
import Foundation
import WebAuthn
import X509

/// Errors raised by the test authenticators and the test PKI. They only ever signal a bug in
/// a test's set-up (an algorithm a format cannot carry, a key that failed to generate).
public struct TestAuthenticatorError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A credential private key for any COSE algorithm the verifier knows, able to sign the way
/// an authenticator does (ECDSA as DER, EdDSA raw, RSA raw) and to encode its public half as
/// a COSE_Key in CTAP2 canonical order.
public struct CredentialPrivateKey: Sendable {
    public let algorithm: COSEAlgorithm
    let backing: Backing

    enum Backing: Sendable {
        case p256(P256.Signing.PrivateKey)
        case p384(P384.Signing.PrivateKey)
        case p521(P521.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)
        case mlDSA65(MLDSA65.PrivateKey)
        case mlDSA87(MLDSA87.PrivateKey)
    }

    /// Generates a fresh key for `algorithm` (RSA keys are 2048-bit; generating one takes a while).
    public init(generating algorithm: COSEAlgorithm) throws {
        self.algorithm = algorithm
        switch algorithm {
        case .es256, .esp256: backing = .p256(P256.Signing.PrivateKey())
        case .es384, .esp384: backing = .p384(P384.Signing.PrivateKey())
        case .es512, .esp512: backing = .p521(P521.Signing.PrivateKey())
        case .edDSA, .ed25519: backing = .ed25519(Curve25519.Signing.PrivateKey())
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512, .rs1:
            backing = .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048))
        case .mlDSA65: backing = .mlDSA65(try MLDSA65.PrivateKey())
        case .mlDSA87: backing = .mlDSA87(try MLDSA87.PrivateKey())
        }
    }

    public init(p256 key: P256.Signing.PrivateKey, algorithm: COSEAlgorithm = .es256) {
        self.algorithm = algorithm
        backing = .p256(key)
    }

    /// Wraps an existing RSA key (to reuse one slow-to-generate key across tests).
    public init(rsa key: _RSA.Signing.PrivateKey, algorithm: COSEAlgorithm = .rs256) throws {
        guard [.rs256, .rs384, .rs512, .ps256, .ps384, .ps512, .rs1].contains(algorithm) else {
            throw TestAuthenticatorError("\(algorithm.name) is not an RSA algorithm")
        }
        self.algorithm = algorithm
        backing = .rsa(key)
    }

    /// The same key material used under another COSE algorithm of the same key type (RS256 ↔ PS256 ↔ RS1).
    public func reinterpreted(as algorithm: COSEAlgorithm) -> CredentialPrivateKey {
        CredentialPrivateKey(algorithm: algorithm, backing: backing)
    }

    init(algorithm: COSEAlgorithm, backing: Backing) {
        self.algorithm = algorithm
        self.backing = backing
    }

    /// Signs `data` as an authenticator does for this COSE algorithm.
    public func sign(_ data: [UInt8]) throws -> [UInt8] {
        switch backing {
        case .p256(let key): return Array(try key.signature(for: data).derRepresentation)
        case .p384(let key): return Array(try key.signature(for: data).derRepresentation)
        case .p521(let key): return Array(try key.signature(for: data).derRepresentation)
        case .ed25519(let key): return Array(try key.signature(for: data))
        case .rsa(let key):
            switch algorithm {
            case .rs1: return Array(try key.signature(for: Insecure.SHA1.hash(data: data), padding: .insecurePKCS1v1_5).rawRepresentation)
            case .rs384: return Array(try key.signature(for: SHA384.hash(data: data), padding: .insecurePKCS1v1_5).rawRepresentation)
            case .rs512: return Array(try key.signature(for: SHA512.hash(data: data), padding: .insecurePKCS1v1_5).rawRepresentation)
            case .ps256: return Array(try key.signature(for: SHA256.hash(data: data), padding: .PSS).rawRepresentation)
            case .ps384: return Array(try key.signature(for: SHA384.hash(data: data), padding: .PSS).rawRepresentation)
            case .ps512: return Array(try key.signature(for: SHA512.hash(data: data), padding: .PSS).rawRepresentation)
            default: return Array(try key.signature(for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5).rawRepresentation)
            }
        case .mlDSA65(let key): return Array(try key.signature(for: data))
        case .mlDSA87(let key): return Array(try key.signature(for: data))
        }
    }

    /// The public key as a COSE_Key map (CTAP2 canonical order).
    public func coseKey() throws -> CBOR {
        var pairs: [CBORPair] = []
        func ec(_ curve: COSECurve, _ x963: Data) {
            let point = Array(x963.dropFirst())
            let half = point.count / 2
            pairs = [CBORPair(1, .int(COSEKeyType.ec2.rawValue)), CBORPair(3, .int(algorithm.rawValue)),
                     CBORPair(-1, .int(curve.rawValue)), CBORPair(-2, .bytes(Array(point[..<half]))), CBORPair(-3, .bytes(Array(point[half...])))]
        }
        switch backing {
        case .p256(let key): ec(.p256, key.publicKey.x963Representation)
        case .p384(let key): ec(.p384, key.publicKey.x963Representation)
        case .p521(let key): ec(.p521, key.publicKey.x963Representation)
        case .ed25519(let key):
            pairs = [CBORPair(1, .int(COSEKeyType.okp.rawValue)), CBORPair(3, .int(algorithm.rawValue)),
                     CBORPair(-1, .int(COSECurve.ed25519.rawValue)), CBORPair(-2, .bytes(Array(key.publicKey.rawRepresentation)))]
        case .rsa(let key):
            let (n, e) = try rsaPrimitives(key.publicKey)
            pairs = [CBORPair(1, .int(COSEKeyType.rsa.rawValue)), CBORPair(3, .int(algorithm.rawValue)),
                     CBORPair(-1, .bytes(n)), CBORPair(-2, .bytes(e))]
        case .mlDSA65(let key):
            pairs = [CBORPair(1, .int(COSEKeyType.akp.rawValue)), CBORPair(3, .int(algorithm.rawValue)),
                     CBORPair(-1, .bytes(Array(key.publicKey.rawRepresentation)))]
        case .mlDSA87(let key):
            pairs = [CBORPair(1, .int(COSEKeyType.akp.rawValue)), CBORPair(3, .int(algorithm.rawValue)),
                     CBORPair(-1, .bytes(Array(key.publicKey.rawRepresentation)))]
        }
        return CBOR.map(pairs).canonicalized()
    }

    /// The COSE_Key bytes that go into attested credential data.
    public func cosePublicKey() throws -> [UInt8] { CBOREncoder.encode(try coseKey()) }

    /// The public key as a DER SubjectPublicKeyInfo (the L3 `response.publicKey` member);
    /// `nil` for ML-DSA, which browsers do not expose that way.
    public var subjectPublicKeyInfo: [UInt8]? {
        switch backing {
        case .p256(let key): Array(key.publicKey.derRepresentation)
        case .p384(let key): Array(key.publicKey.derRepresentation)
        case .p521(let key): Array(key.publicKey.derRepresentation)
        case .ed25519(let key): [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00] + Array(key.publicKey.rawRepresentation)
        case .rsa(let key): Array(key.publicKey.derRepresentation)
        case .mlDSA65, .mlDSA87: nil
        }
    }

    /// The public key for a certificate (android-key and apple leaves certify the credential key).
    public func certificatePublicKey() throws -> Certificate.PublicKey {
        switch backing {
        case .p256(let key): return Certificate.PublicKey(key.publicKey)
        case .p384(let key): return Certificate.PublicKey(key.publicKey)
        case .p521(let key): return Certificate.PublicKey(key.publicKey)
        case .ed25519(let key): return Certificate.PublicKey(key.publicKey)
        case .rsa(let key): return Certificate.PublicKey(key.publicKey)
        case .mlDSA65, .mlDSA87: throw TestAuthenticatorError("ML-DSA keys cannot be put in an X.509 certificate here")
        }
    }

    /// Modulus and exponent of an RSA key, big-endian without leading zeros.
    var rsaPublicNumbers: (n: [UInt8], e: [UInt8])? {
        guard case .rsa(let key) = backing else { return nil }
        return try? rsaPrimitives(key.publicKey)
    }

    /// The raw EC point coordinates of an EC key.
    var ecCoordinates: (curve: COSECurve, x: [UInt8], y: [UInt8])? {
        func split(_ curve: COSECurve, _ x963: Data) -> (COSECurve, [UInt8], [UInt8]) {
            let point = Array(x963.dropFirst())
            return (curve, Array(point[..<(point.count / 2)]), Array(point[(point.count / 2)...]))
        }
        switch backing {
        case .p256(let key): return split(.p256, key.publicKey.x963Representation)
        case .p384(let key): return split(.p384, key.publicKey.x963Representation)
        case .p521(let key): return split(.p521, key.publicKey.x963Representation)
        default: return nil
        }
    }

    /// The uncompressed X9.62 point of a P-256 key (fido-u2f).
    var p256Point: [UInt8]? {
        guard case .p256(let key) = backing else { return nil }
        return Array(key.publicKey.x963Representation)
    }
}

func rsaPrimitives(_ key: _RSA.Signing.PublicKey) throws -> (n: [UInt8], e: [UInt8]) {
    let primitives = try key.getKeyPrimitives()
    func trimmed(_ data: Data) -> [UInt8] {
        let bytes = Array(data.drop(while: { $0 == 0 }))
        return bytes.isEmpty ? [0] : bytes
    }
    return (trimmed(primitives.modulus), trimmed(primitives.publicExponent))
}

/// The attestation signing key of a certificate: the private half of x5c[0].
public enum AttestationSigningKey: Sendable {
    case p256(P256.Signing.PrivateKey)
    case rsa(_RSA.Signing.PrivateKey)

    var certificatePrivateKey: Certificate.PrivateKey {
        switch self {
        case .p256(let key): Certificate.PrivateKey(key)
        case .rsa(let key): Certificate.PrivateKey(key)
        }
    }

    var certificatePublicKey: Certificate.PublicKey {
        switch self {
        case .p256(let key): Certificate.PublicKey(key.publicKey)
        case .rsa(let key): Certificate.PublicKey(key.publicKey)
        }
    }

    /// Signs with the COSE algorithm `alg`, which must fit the key type.
    func sign(_ data: [UInt8], alg: COSEAlgorithm) throws -> [UInt8] {
        switch self {
        case .p256(let key):
            guard alg == .es256 || alg == .esp256 else { throw TestAuthenticatorError("a P-256 attestation key cannot sign \(alg.name)") }
            return try CredentialPrivateKey(p256: key, algorithm: alg).sign(data)
        case .rsa(let key):
            return try CredentialPrivateKey(rsa: key, algorithm: alg).sign(data)
        }
    }

    /// The COSE algorithm this key signs with by default.
    var defaultAlgorithm: COSEAlgorithm {
        switch self {
        case .p256: .es256
        case .rsa: .rs256
        }
    }
}
