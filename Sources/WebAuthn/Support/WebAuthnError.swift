/// A verification failure: a stable machine-readable `code` and a human `message`.
///
/// Codes never change meaning once published; the API, the CLI and the audit log use them.
public struct WebAuthnError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public enum Code: String, Sendable, CaseIterable, Codable {
        // Encodings
        case malformedCBOR = "malformed_cbor"
        case malformedJSON = "malformed_json"
        case malformedBase64 = "malformed_base64"
        case malformedResponse = "malformed_response"
        case malformedClientData = "malformed_client_data"
        case malformedAuthData = "malformed_auth_data"
        case malformedPublicKey = "malformed_public_key"
        case malformedAttestation = "malformed_attestation"
        // §7.1 / §7.2 ceremony steps
        case credentialTypeMismatch = "credential_type_mismatch"
        case credentialIdMismatch = "credential_id_mismatch"
        case credentialIdTooLong = "credential_id_too_long"
        case credentialNotAllowed = "credential_not_allowed"
        case userHandleMismatch = "user_handle_mismatch"
        case typeMismatch = "type_mismatch"
        case challengeMismatch = "challenge_mismatch"
        case originMismatch = "origin_mismatch"
        case topOriginMismatch = "top_origin_mismatch"
        case crossOriginNotAllowed = "cross_origin_not_allowed"
        case tokenBindingInvalid = "token_binding_invalid"
        case rpIdMismatch = "rp_id_mismatch"
        case userPresenceMissing = "user_presence_missing"
        case userVerificationMissing = "user_verification_missing"
        case backupStateInvalid = "backup_state_invalid"
        case backupEligibilityChanged = "backup_eligibility_changed"
        case attestedCredentialDataMissing = "attested_credential_data_missing"
        case unexpectedAttestedCredentialData = "unexpected_attested_credential_data"
        case unsupportedAlgorithm = "unsupported_alg"
        case algorithmNotAllowed = "alg_not_allowed"
        case insecureAlgorithm = "insecure_algorithm"
        case extensionInvalid = "extension_invalid"
        case badSignature = "bad_signature"
        case counterRegression = "counter_regression"
        // Attestation
        case unsupportedFormat = "unsupported_format"
        case formatNotAllowed = "format_not_allowed"
        case attestationStatementInvalid = "attestation_statement_invalid"
        case attestationUntrusted = "attestation_untrusted"
        case certificateInvalid = "certificate_invalid"
        case certificateExpired = "certificate_expired"
        case certificateRevoked = "certificate_revoked"
        case aaguidMismatch = "aaguid_mismatch"
        case aaguidNotAllowed = "aaguid_not_allowed"
        // Secure Payment Confirmation
        case paymentDataMissing = "payment_data_missing"
        case paymentMismatch = "payment_mismatch"
        case paymentNotEnabled = "payment_not_enabled"
    }
}

extension WebAuthnError {
    static func cbor(_ message: String) -> WebAuthnError { WebAuthnError(.malformedCBOR, message) }
    static func authData(_ message: String) -> WebAuthnError { WebAuthnError(.malformedAuthData, message) }
    static func statement(_ message: String) -> WebAuthnError { WebAuthnError(.attestationStatementInvalid, message) }
}
