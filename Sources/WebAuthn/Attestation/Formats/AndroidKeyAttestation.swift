import X509

/// `android-key` (WebAuthn L3 §8.4): Android Keystore attests the credential key with a
/// certificate chain whose leaf certifies that key and carries the Key Description extension.
///
/// Statement: `{alg, sig, x5c}`; `sig` is over `authenticatorData || clientDataHash`.
public enum AndroidKeyAttestation: AttestationFormatVerifier {
    public static let identifier = "android-key"

    /// Which authorization list(s) of the key description must show `origin` =
    /// KM_ORIGIN_GENERATED and `purpose` ∋ KM_PURPOSE_SIGN (§8.4: "use only the teeEnforced
    /// authorization list if the RP wants to accept only keys from a trusted execution
    /// environment, otherwise use the union of teeEnforced and softwareEnforced").
    enum AuthorizationListPolicy: Sendable {
        /// Only `teeEnforced` (hardwareEnforced) counts: the default.
        case teeEnforcedOnly
        /// The union of `teeEnforced` and `softwareEnforced`.
        case teeOrSoftwareEnforced
    }

    /// The default: keys whose origin and purpose the TEE or StrongBox enforces.
    public static func verify(_ input: AttestationInput) throws(WebAuthnError) -> AttestationStatementResult {
        try verify(input, authorizationLists: .teeEnforcedOnly)
    }

    static func verify(_ input: AttestationInput, authorizationLists: AuthorizationListPolicy) throws(WebAuthnError) -> AttestationStatementResult {
        // Step 1: attStmt is CBOR conforming to the syntax above; extract its members.
        let reader = StatementReader(format: identifier, statement: input.statement)
        try reader.allowOnly(["alg", "sig", "x5c"])
        let alg = try reader.algorithm()
        let signature = try reader.bytes("sig")
        guard let chain = try reader.certificateChain(), let leaf = chain.first else {
            throw .statement("android-key: attStmt.x5c is required")
        }
        if alg.isSHA1 && !input.options.allowSHA1 {
            throw WebAuthnError(.insecureAlgorithm, "android-key: attestation signature uses SHA-1")
        }

        // Step 2: sig is a valid signature over authenticatorData || clientDataHash with the
        // leaf certificate's key under alg.
        let key = try COSEKey(certificateKey: leaf.publicKey, algorithm: alg)
        guard key.isValidSignature(signature, over: input.signedData) else {
            throw WebAuthnError(.badSignature, "android-key: attestation signature does not verify with the x5c leaf key")
        }

        // Step 3: the leaf certificate's key is the credential public key.
        guard bytesEqual(input.credential.publicKey.subjectPublicKeyInfoDER, leaf.publicKey.subjectPublicKeyInfoBytes) else {
            throw .statement("android-key: credential public key differs from the attestation certificate key")
        }

        // Step 4: attestationChallenge == clientDataHash.
        let description = try AndroidKeyDescription(certificate: leaf)
        guard bytesEqual(description.attestationChallenge, input.clientDataHash) else {
            throw .statement("android-key: key description attestationChallenge differs from clientDataHash")
        }

        // Step 5: allApplications is in neither list: the credential is scoped to the RP ID.
        guard !description.softwareEnforced.allApplications, !description.teeEnforced.allApplications else {
            throw .statement("android-key: key description has allApplications; the key is not bound to this application")
        }

        // Step 6: origin is KM_ORIGIN_GENERATED and purpose is KM_PURPOSE_SIGN.
        try checkOriginAndPurpose(description, policy: authorizationLists)

        // Step 7: attestation type Basic, trust path x5c.
        return AttestationStatementResult(type: .basic, trustPath: chain)
    }

    /// §8.4 step 6. Absent fields fail: the authorization list must affirm both facts.
    /// When both lists count, every origin present must be KM_ORIGIN_GENERATED.
    static func checkOriginAndPurpose(_ description: AndroidKeyDescription, policy: AuthorizationListPolicy) throws(WebAuthnError) {
        let lists: [AndroidKeyDescription.AuthorizationList]
        let scope: String
        switch policy {
        case .teeEnforcedOnly:
            lists = [description.teeEnforced]
            scope = "teeEnforced"
        case .teeOrSoftwareEnforced:
            lists = [description.teeEnforced, description.softwareEnforced]
            scope = "teeEnforced or softwareEnforced"
        }
        let origins = lists.compactMap(\.origin)
        guard !origins.isEmpty, origins.allSatisfy({ $0 == AndroidKeyDescription.originGenerated }) else {
            throw .statement("android-key: \(scope) origin is not KM_ORIGIN_GENERATED")
        }
        let purposes = lists.compactMap(\.purposes).flatMap { $0 }
        guard purposes.contains(AndroidKeyDescription.purposeSign) else {
            throw .statement("android-key: \(scope) purpose does not include KM_PURPOSE_SIGN")
        }
    }

    /// The key description of a verified statement's leaf certificate: its
    /// `attestationSecurityLevel` says whether Software, a TEE or StrongBox attested the key.
    static func keyDescription(of result: AttestationStatementResult) throws(WebAuthnError) -> AndroidKeyDescription {
        guard let leaf = result.trustPath.first else { throw .statement("android-key: no attestation certificate") }
        return try AndroidKeyDescription(certificate: leaf)
    }
}
