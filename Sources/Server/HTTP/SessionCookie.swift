import ClavigerCore
import Foundation
import Hummingbird

/// The session token travels in an HttpOnly cookie (browsers) or a Bearer header (API clients).
enum SessionCookie {
    static let name = "claviger_session"

    static func token(in request: Request) -> String? {
        if let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("bearer ") {
            let token = authorization.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
            return token.isEmpty ? nil : token
        }
        return request.cookies[name]?.value
    }

    /// `Secure` everywhere but plain-HTTP localhost (development), where browsers would drop it.
    static func setCookie(_ session: NewSession, request: Request, now: Date) -> String {
        let maxAge = max(0, Int(session.record.expiresAt.timeIntervalSince(now)))
        return "\(name)=\(session.token); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (isLocalHTTP(request) ? "" : "; Secure")
    }

    static func clearCookie(request: Request) -> String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (isLocalHTTP(request) ? "" : "; Secure")
    }

    static func isLocalHTTP(_ request: Request) -> Bool {
        let origin = request.headers[.origin] ?? "http://" + ((request.head.authority ?? ""))
        guard origin.hasPrefix("http://"), let host = URLComponents(string: origin)?.host else { return false }
        return host == "localhost" || host == "127.0.0.1" || host == "::1" || host.hasSuffix(".localhost")
    }
}
