/// `android-key` — being implemented.
public enum AndroidKeyAttestation: AttestationFormatVerifier {
    public static let identifier = "android-key"

    public static func verify(_ input: AttestationInput) throws(WebAuthnError) -> AttestationStatementResult {
        throw WebAuthnError(.unsupportedFormat, "android-key is not implemented yet")
    }
}
