import Crypto
import X509
import SwiftASN1

/// `apple` anonymous attestation (WebAuthn L3 §8.8).
public enum AppleAttestation: AttestationFormatVerifier {
    public static let identifier = "apple"
    /// 1.2.840.113635.100.8.2: the nonce extension of Apple's credential certificate.
    static let nonceExtension: ASN1ObjectIdentifier = [1, 2, 840, 113635, 100, 8, 2]

    public static func verify(_ input: AttestationInput) throws(WebAuthnError) -> AttestationStatementResult {
        let reader = StatementReader(format: identifier, statement: input.statement)
        // Apple adds `alg` (the credential key's algorithm); the nonce certificate carries the proof.
        try reader.allowOnly(["x5c", "alg"])
        guard let chain = try reader.certificateChain(), let leaf = chain.first else {
            throw .statement("apple: attStmt.x5c is required")
        }
        // Steps 2–4: nonce = SHA-256(authData || clientDataHash) must equal the extension's value.
        let nonce = Array(SHA256.hash(data: input.signedData))
        guard try certificateNonce(leaf) == nonce else {
            throw .statement("apple: certificate nonce does not match SHA-256(authenticatorData || clientDataHash)")
        }
        // Step 5: the credential public key must be the certificate's key.
        guard bytesEqual(input.credential.publicKey.subjectPublicKeyInfoDER, leaf.publicKey.subjectPublicKeyInfoBytes) else {
            throw .statement("apple: credential public key differs from the certificate key")
        }
        return AttestationStatementResult(type: .anonCA, trustPath: chain)
    }

    /// The extension holds `SEQUENCE { [1] EXPLICIT OCTET STRING nonce }`.
    static func certificateNonce(_ certificate: Certificate) throws(WebAuthnError) -> [UInt8] {
        guard let ext = certificate.extensions.first(where: { $0.oid == nonceExtension }) else {
            throw .statement("apple: certificate has no nonce extension")
        }
        do {
            let root = try DER.parse(ext.value)
            return try DER.sequence(root, identifier: .sequence) { nodes in
                try DER.explicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { node in
                    Array(try ASN1OctetString(derEncoded: node).bytes)
                }
            }
        } catch {
            throw .statement("apple: nonce extension is malformed")
        }
    }
}

extension Certificate.PublicKey {
    var subjectPublicKeyInfoBytes: [UInt8] {
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(self)) != nil else { return [] }
        return serializer.serializedBytes
    }
}
