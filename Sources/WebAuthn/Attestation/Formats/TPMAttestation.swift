/// `tpm` — being implemented.
public enum TPMAttestation: AttestationFormatVerifier {
    public static let identifier = "tpm"

    public static func verify(_ input: AttestationInput) throws(WebAuthnError) -> AttestationStatementResult {
        throw WebAuthnError(.unsupportedFormat, "tpm is not implemented yet")
    }
}
