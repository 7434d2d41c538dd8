import Crypto
import X509

/// `fido-u2f` (WebAuthn L3 §8.6): a U2F key's batch certificate signs the U2F registration data.
public enum FIDOU2FAttestation: AttestationFormatVerifier {
    public static let identifier = "fido-u2f"

    public static func verify(_ input: AttestationInput) throws(WebAuthnError) -> AttestationStatementResult {
        let reader = StatementReader(format: identifier, statement: input.statement)
        try reader.allowOnly(["sig", "x5c"])
        let signature = try reader.bytes("sig")
        guard let chain = try reader.certificateChain(), chain.count == 1, let leaf = chain.first else {
            throw .statement("fido-u2f: x5c must hold exactly one certificate")
        }
        // Step 2: the certificate key must be an EC P-256 key.
        guard P256.Signing.PublicKey(leaf.publicKey) != nil else {
            throw .statement("fido-u2f: attestation certificate key is not EC P-256")
        }
        // Step 3: the credential key must be P-256, converted to the raw U2F point.
        guard input.credential.publicKey.algorithm == .es256, let point = input.credential.publicKey.x963Representation else {
            throw .statement("fido-u2f: credential key must be ES256 (P-256)")
        }
        // Step 5: verificationData = 0x00 || rpIdHash || clientDataHash || credentialId || publicKeyU2F.
        let verificationData = [0x00] + input.authenticatorData.rpIDHash + input.clientDataHash + input.credential.credentialID + point
        let key = try COSEKey(certificateKey: leaf.publicKey, algorithm: .es256)
        guard key.isValidSignature(signature, over: verificationData) else {
            throw WebAuthnError(.badSignature, "fido-u2f: attestation signature does not verify")
        }
        // Step 7: basic or AttCA cannot be told apart here; U2F batch certificates are basic.
        return AttestationStatementResult(type: .basic, trustPath: chain)
    }
}
