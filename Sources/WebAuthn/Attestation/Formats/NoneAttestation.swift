/// `none` (WebAuthn L3 §8.7): no statement, nothing proved about the authenticator.
public enum NoneAttestation: AttestationFormatVerifier {
    public static let identifier = "none"

    public static func verify(_ input: AttestationInput) throws(WebAuthnError) -> AttestationStatementResult {
        guard input.statement.mapValue?.isEmpty == true else { throw .statement("none: attStmt must be an empty map") }
        return AttestationStatementResult(type: .none)
    }
}
