import WebAuthn
import TrustPolicy

/// A failure of a domain operation, with a stable code the API puts in its problem documents.
/// Sign-in failures carry the WebAuthn cause for logs and metrics only (`cause`); what the
/// customer sees never says which element was wrong (PSD2 RTS Art. 4).
public struct ClavigerError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case malformedRequest = "malformed_request"
        case invalidUsername = "invalid_username"
        case invalidName = "invalid_name"
        case sessionRequired = "session_required"
        case authenticationFailed = "authentication_failed"
        case ceremonyUnknown = "ceremony_unknown"
        case ceremonyExpired = "ceremony_expired"
        case ceremonyConsumed = "ceremony_consumed"
        case ceremonyOfAnotherUser = "ceremony_of_another_user"
        case registrationRefused = "registration_refused"
        case registrationFailed = "registration_failed"
        case credentialNotFound = "credential_not_found"
        case usernameTaken = "username_taken"
        case lastCredential = "last_credential"
        case credentialExists = "credential_exists"
        case signInLocked = "sign_in_locked"
        case storageUnavailable = "storage_unavailable"
    }

    public let code: Code
    public let message: String
    /// The protocol-level cause (registration failures, and sign-in failures for logs only).
    public var cause: WebAuthnError?
    /// Registration refused by policy: the tier and the reasons.
    public var classification: Classification?
    /// `sign_in_locked`: seconds until sign-in is possible again.
    public var retryAfterSeconds: Int?

    public init(_ code: Code, _ message: String, cause: WebAuthnError? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { "\(code.rawValue): \(message)\(cause.map { " (\($0))" } ?? "")" }

    /// No session, or it has ended: the same answer wherever a session is required.
    public static let noSession = ClavigerError(.sessionRequired, "Please sign in (no session, or it has ended).")

    static func storage(_ error: StoreError) -> ClavigerError {
        ClavigerError(.storageUnavailable, "storage: \(error.message)")
    }
}
