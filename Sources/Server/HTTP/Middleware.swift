import ClavigerCore
import HTTPTypes
import Hummingbird
import Logging

/// Outermost: every failure becomes a problem document, and every response gets the security headers.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let problem as APIProblem {
            response = try problem.response(from: request, context: context)
        } catch let error as ClavigerError {
            if error.code == .storageUnavailable { context.logger.error("storage: \(error.message)") }
            response = try APIProblem(error).response(from: request, context: context)
        } catch let error as HTTPError {
            response = try Self.problem(for: error).response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error: \(String(reflecting: error))")
            response = try APIProblem(.internalServerError, code: "internal_error", title: "Internal error",
                                      detail: "Something went wrong on our side.").response(from: request, context: context)
        }
        SecurityHeaders.apply(to: &response.headers)
        return response
    }

    static func problem(for error: HTTPError) -> APIProblem {
        switch error.status {
        case .notFound: return APIProblem(.notFound, code: "not_found", title: "Not found", detail: "No such resource.")
        case .contentTooLarge: return JSONWire.bodyTooLarge
        case .methodNotAllowed: return APIProblem(.methodNotAllowed, code: "method_not_allowed", title: "Method not allowed", detail: "This resource does not support that method.")
        case .badRequest: return APIProblem.malformed(error.body ?? "The request could not be understood.")
        default:
            return APIProblem(error.status, code: "http_error", title: error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase)
        }
    }
}

enum SecurityHeaders {
    static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    /// Names validated once, not per response.
    static let fixed: [(HTTPField.Name, String)] = [
        ("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "publickey-credentials-get=(self), publickey-credentials-create=(self), camera=(), microphone=(), geolocation=()"),
    ].compactMap { name, value in HTTPField.Name(name).map { ($0, value) } }

    static func apply(to headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        for (name, value) in fixed { headers[name] = value }
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
    }
}

/// CSRF defence for state-changing requests: an `Origin` header, when present, must be one of
/// the RP's origins; a request that carries the session cookie must have one.
struct OriginCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedOrigins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch, .delete].contains(request.method) else { return try await next(request, context) }
        if let origin = request.headers[.origin] {
            guard allowedOrigins.contains(origin) else { throw Self.refusal("Requests from \(origin) are not accepted.") }
        } else if request.cookies[SessionCookie.name] != nil {
            throw Self.refusal("A request carrying the session cookie must say where it comes from (Origin).")
        }
        return try await next(request, context)
    }

    static func refusal(_ detail: String) -> APIProblem {
        APIProblem(.forbidden, code: "origin_not_allowed", title: "Origin not allowed", detail: detail)
    }
}
