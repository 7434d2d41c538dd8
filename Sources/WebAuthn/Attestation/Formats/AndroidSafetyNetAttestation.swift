/// `android-safetynet` — being implemented.
public enum AndroidSafetyNetAttestation: AttestationFormatVerifier {
    public static let identifier = "android-safetynet"

    public static func verify(_ input: AttestationInput) throws(WebAuthnError) -> AttestationStatementResult {
        throw WebAuthnError(.unsupportedFormat, "android-safetynet is not implemented yet")
    }
}
