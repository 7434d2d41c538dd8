import X509
import SwiftASN1

/// `packed` (WebAuthn L3 §8.2): basic/AttCA with an `x5c` chain, or self attestation.
public enum PackedAttestation: AttestationFormatVerifier {
    public static let identifier = "packed"

    public static func verify(_ input: AttestationInput) throws(WebAuthnError) -> AttestationStatementResult {
        let reader = StatementReader(format: identifier, statement: input.statement)
        try reader.allowOnly(["alg", "sig", "x5c"])
        let alg = try reader.algorithm()
        let signature = try reader.bytes("sig")
        if let chain = try reader.certificateChain() {
            return try verifyCertified(input, alg: alg, signature: signature, chain: chain)
        }
        return try verifySelf(input, alg: alg, signature: signature)
    }

    /// §8.2 verification procedure, x5c present.
    static func verifyCertified(_ input: AttestationInput, alg: COSEAlgorithm, signature: [UInt8], chain: [Certificate]) throws(WebAuthnError) -> AttestationStatementResult {
        guard let leaf = chain.first else { throw .statement("packed: empty x5c") }
        if alg.isSHA1 && !input.options.allowSHA1 {
            throw WebAuthnError(.insecureAlgorithm, "packed: attestation signature uses SHA-1")
        }
        let key = try COSEKey(certificateKey: leaf.publicKey, algorithm: alg)
        guard key.isValidSignature(signature, over: input.signedData) else {
            throw WebAuthnError(.badSignature, "packed: attestation signature does not verify with the x5c leaf key")
        }
        try checkCertificateRequirements(leaf)
        try leaf.requireAAGUIDMatches(input.credential.aaguid, format: identifier)
        return AttestationStatementResult(type: .basic, trustPath: chain)
    }

    /// §8.2 verification procedure, self attestation: the credential key signs.
    static func verifySelf(_ input: AttestationInput, alg: COSEAlgorithm, signature: [UInt8]) throws(WebAuthnError) -> AttestationStatementResult {
        guard alg == input.credential.publicKey.algorithm else {
            throw .statement("packed: self attestation alg \(alg.rawValue) differs from the credential key alg \(input.credential.publicKey.algorithm.rawValue)")
        }
        guard input.credential.publicKey.isValidSignature(signature, over: input.signedData) else {
            throw WebAuthnError(.badSignature, "packed: self attestation signature does not verify with the credential key")
        }
        return AttestationStatementResult(type: .self)
    }

    /// §8.2.1 packed attestation statement certificate requirements.
    static func checkCertificateRequirements(_ leaf: Certificate) throws(WebAuthnError) {
        guard leaf.version == .v3 else { throw .statement("packed: attestation certificate must be X.509 v3") }
        let subject = leaf.subject
        func has(_ oid: ASN1ObjectIdentifier) -> Bool {
            subject.contains { rdn in rdn.contains { $0.type == oid } }
        }
        guard has(.RDNAttributeType.countryName), has(.RDNAttributeType.organizationName),
              has(.RDNAttributeType.commonName), has(.RDNAttributeType.organizationalUnitName) else {
            throw .statement("packed: attestation certificate subject must have C, O, OU and CN")
        }
        let ou = subject.flatMap { $0 }.first { $0.type == .RDNAttributeType.organizationalUnitName }
        guard let ou, String(describing: ou.value) == "Authenticator Attestation" else {
            throw .statement("packed: attestation certificate OU must be \"Authenticator Attestation\"")
        }
        if let constraints = try? leaf.extensions.basicConstraints, case .isCertificateAuthority = constraints {
            throw .statement("packed: attestation certificate must not be a CA")
        }
    }
}
