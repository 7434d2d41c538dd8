import Crypto
import X509
import SwiftASN1
import _CryptoExtras

/// Typed access to attestation statement members, naming the format and member in errors.
struct StatementReader {
    let format: String
    let statement: CBOR

    func bytes(_ key: String) throws(WebAuthnError) -> [UInt8] {
        guard let value = statement[text: key]?.bytesValue else { throw .statement("\(format): attStmt.\(key) must be a byte string") }
        return value
    }

    func text(_ key: String) throws(WebAuthnError) -> String {
        guard let value = statement[text: key]?.textValue else { throw .statement("\(format): attStmt.\(key) must be a text string") }
        return value
    }

    func algorithm() throws(WebAuthnError) -> COSEAlgorithm {
        guard let raw = statement[text: "alg"]?.int64 else { throw .statement("\(format): attStmt.alg must be an integer") }
        guard let alg = COSEAlgorithm(rawValue: raw) else {
            throw WebAuthnError(.unsupportedAlgorithm, "\(format): attestation algorithm \(raw) is not supported")
        }
        return alg
    }

    /// `x5c`: a non-empty array of DER certificates, leaf first.
    func certificateChain() throws(WebAuthnError) -> [Certificate]? {
        guard let value = statement[text: "x5c"] else { return nil }
        guard let array = value.arrayValue, !array.isEmpty, array.count <= 8 else {
            throw .statement("\(format): attStmt.x5c must be an array of 1 to 8 certificates")
        }
        var chain: [Certificate] = []
        for (index, element) in array.enumerated() {
            guard let der = element.bytesValue else { throw .statement("\(format): attStmt.x5c[\(index)] is not a byte string") }
            if index == 0 {
                chain.append(try Certificate.parse(der: der, field: "\(format) x5c[0]"))
            } else if let certificate = try? Certificate(derEncoded: der) {
                chain.append(certificate)
            } else {
                // An intermediate swift-certificates cannot parse (e.g. the FIDO conformance TPM CA's
                // negative serial number) only serves chain building: the path stops here, so the
                // statement still verifies but cannot be trusted through that certificate.
                break
            }
        }
        return chain
    }

    /// Refuses members this format does not define, so nothing unverified rides along.
    func allowOnly(_ keys: Set<String>) throws(WebAuthnError) {
        for pair in statement.mapValue ?? [] {
            guard let key = pair.key.textValue, keys.contains(key) else {
                throw .statement("\(format): attStmt has an unexpected member")
            }
        }
    }
}

extension COSEKey {
    /// A verifier for an attestation certificate's key under the COSE algorithm the statement
    /// names; the key type must fit the algorithm.
    init(certificateKey: Certificate.PublicKey, algorithm: COSEAlgorithm) throws(WebAuthnError) {
        let verifier: Verifier?
        switch algorithm {
        case .es256, .esp256: verifier = P256.Signing.PublicKey(certificateKey).map(Verifier.p256)
        case .es384, .esp384: verifier = P384.Signing.PublicKey(certificateKey).map(Verifier.p384)
        case .es512, .esp512: verifier = P521.Signing.PublicKey(certificateKey).map(Verifier.p521)
        case .edDSA, .ed25519: verifier = Curve25519.Signing.PublicKey(certificateKey).map(Verifier.ed25519)
        case .rs256: verifier = _RSA.Signing.PublicKey(certificateKey).map { .rsa($0, .pkcs1SHA256) }
        case .rs384: verifier = _RSA.Signing.PublicKey(certificateKey).map { .rsa($0, .pkcs1SHA384) }
        case .rs512: verifier = _RSA.Signing.PublicKey(certificateKey).map { .rsa($0, .pkcs1SHA512) }
        case .ps256: verifier = _RSA.Signing.PublicKey(certificateKey).map { .rsa($0, .pssSHA256) }
        case .ps384: verifier = _RSA.Signing.PublicKey(certificateKey).map { .rsa($0, .pssSHA384) }
        case .ps512: verifier = _RSA.Signing.PublicKey(certificateKey).map { .rsa($0, .pssSHA512) }
        case .rs1: verifier = _RSA.Signing.PublicKey(certificateKey).map { .rsa($0, .pkcs1SHA1) }
        case .mlDSA65, .mlDSA87: verifier = nil
        }
        guard let verifier else {
            throw .statement("attestation certificate key does not fit algorithm \(algorithm.name)")
        }
        self.algorithm = algorithm
        self.encoded = []
        self.verifier = verifier
    }
}


extension Certificate {
    /// The id-fido-gen-ce-aaguid extension (1.3.6.1.4.1.45724.1.1.4), if present: an OCTET STRING
    /// holding the 16-byte AAGUID.
    func fidoAAGUIDExtension() throws(WebAuthnError) -> AAGUID? {
        guard let ext = extensions.first(where: { $0.oid == .fidoGenCeAAGUID }) else { return nil }
        if ext.critical { throw .statement("the AAGUID certificate extension must not be critical") }
        do {
            let octets = try ASN1OctetString(derEncoded: ext.value)
            guard let aaguid = AAGUID(bytes: Array(octets.bytes)) else { throw WebAuthnError.statement("the AAGUID extension is not 16 bytes") }
            return aaguid
        } catch let error as WebAuthnError {
            throw error
        } catch {
            throw .statement("the AAGUID certificate extension is not an OCTET STRING")
        }
    }

    /// §8.2.1 / §8.3.1: when the certificate names an AAGUID, it must be the one in authenticator data.
    func requireAAGUIDMatches(_ aaguid: AAGUID, format: String) throws(WebAuthnError) {
        if let certified = try fidoAAGUIDExtension(), certified != aaguid {
            throw WebAuthnError(.aaguidMismatch, "\(format): certificate AAGUID \(certified) differs from authenticator data AAGUID \(aaguid)")
        }
    }

    var isSelfIssued: Bool { issuer == subject }
}

extension ASN1ObjectIdentifier {
    static let fidoGenCeAAGUID: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4]
}

/// Byte-wise equality of two byte collections (public values only: not constant time).
func bytesEqual(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    a.count == b.count && a.elementsEqual(b)
}
