import ClavigerCore
import Foundation
import Hummingbird
import TrustPolicy

/// An RFC 9457 problem document with Claviger's stable `code`.
public struct APIProblem: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let title: String
    public let detail: String
    /// Registration failures: the WebAuthn step that failed.
    public var webauthnCode: String?
    /// Registration refusals: the tier and why.
    public var tier: Int?
    public var reasons: [Reason]?
    public var retryAfterSeconds: Int?

    public init(_ status: HTTPResponse.Status, code: String, title: String, detail: String) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
    }

    struct Document: Encodable {
        let type: String
        let title: String
        let status: Int
        let detail: String
        let code: String
        let webauthnCode: String?
        let tier: Int?
        let reasons: [Reason]?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        let document = Document(type: "https://claviger.dev/problems/\(code)", title: title, status: Int(status.code), detail: detail,
                                code: code, webauthnCode: webauthnCode, tier: tier, reasons: reasons)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSONWire.encode(document))))
    }

    static func malformed(_ detail: String) -> APIProblem {
        APIProblem(.badRequest, code: "malformed_request", title: "Malformed request", detail: detail)
    }

    static let sessionRequired = APIProblem(ClavigerError.noSession)
}

extension APIProblem {
    /// The problem a domain failure becomes. Sign-in failures say only that sign-in failed.
    init(_ error: ClavigerError) {
        switch error.code {
        case .malformedRequest: self.init(.badRequest, code: error.code.rawValue, title: "Malformed request", detail: error.message)
        case .invalidUsername: self.init(.badRequest, code: error.code.rawValue, title: "Invalid username", detail: error.message)
        case .invalidName: self.init(.badRequest, code: error.code.rawValue, title: "Invalid name", detail: error.message)
        case .sessionRequired: self.init(.unauthorized, code: error.code.rawValue, title: "Sign-in required", detail: error.message)
        case .authenticationFailed:
            self.init(.unauthorized, code: error.code.rawValue, title: "Sign-in failed", detail: "The passkey could not be verified.")
        case .ceremonyUnknown, .ceremonyExpired, .ceremonyConsumed:
            self.init(.unauthorized, code: error.code.rawValue, title: "Please start again", detail: error.message)
        case .ceremonyOfAnotherUser: self.init(.forbidden, code: error.code.rawValue, title: "Not your account", detail: error.message)
        case .registrationRefused:
            self.init(.forbidden, code: error.code.rawValue, title: "Passkey not accepted", detail: error.message)
            tier = error.classification?.tier.level
            reasons = error.classification?.reasons
        case .registrationFailed:
            self.init(.unprocessableContent, code: error.code.rawValue, title: "Passkey registration failed", detail: error.message)
            webauthnCode = error.cause?.code.rawValue
        case .credentialNotFound: self.init(.notFound, code: error.code.rawValue, title: "Passkey not found", detail: error.message)
        case .usernameTaken: self.init(.conflict, code: error.code.rawValue, title: "Username taken", detail: error.message)
        case .lastCredential: self.init(.conflict, code: error.code.rawValue, title: "Last passkey", detail: error.message)
        case .credentialExists: self.init(.conflict, code: error.code.rawValue, title: "Passkey already registered", detail: error.message)
        case .signInLocked:
            self.init(.tooManyRequests, code: error.code.rawValue, title: "Sign-in paused",
                      detail: "Too many failed sign-ins. Try again later or contact the bank.")
            retryAfterSeconds = error.retryAfterSeconds
        case .storageUnavailable:
            self.init(.serviceUnavailable, code: error.code.rawValue, title: "Temporarily unavailable", detail: "Please try again in a moment.")
        }
    }
}
