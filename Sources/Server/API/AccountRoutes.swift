import ClavigerCore
import Foundation
import Hummingbird
import WebAuthn

/// The signed-in customer's session and passkeys.
struct AccountRoutes {
    let service: PasskeyService

    func register(on router: Router<some RequestContext>) {
        router.get("/v1/session") { request, _ in try await sessionInfo(request) }
        router.post("/v1/session/logout") { request, _ in try await logout(request) }
        router.get("/v1/credentials") { request, _ in try await list(request) }
        router.patch("/v1/credentials/:id") { request, context in try await rename(request, id: try context.parameters.require("id")) }
        router.delete("/v1/credentials/:id") { request, context in try await delete(request, id: try context.parameters.require("id")) }
    }

    func sessionInfo(_ request: Request) async throws -> Response {
        let session = try await requireSession(request)
        let user = try await service.user(of: session)
        let idle = service.settings.sessionIdleTimeout
        return try JSONWire.response(SessionInfoResponse(
            userId: Base64URL.encode(user.id), username: user.username, displayName: user.displayName,
            credentialId: Base64URL.encode(session.credentialID), tier: session.tier.level, createdAt: session.createdAt,
            expiresAt: session.expiresAt, idleExpiresAt: min(session.expiresAt, session.lastSeenAt.addingTimeInterval(idle)),
            idleTimeoutSeconds: Int(idle)))
    }

    func logout(_ request: Request) async throws -> Response {
        if let token = SessionCookie.token(in: request) { try await service.logout(token: token) }
        return Response(status: .noContent, headers: [.setCookie: SessionCookie.clearCookie(request: request)])
    }

    func list(_ request: Request) async throws -> Response {
        let session = try await requireSession(request)
        return try JSONWire.response(CredentialListResponse(credentials: try await service.credentials(of: session).map(CredentialJSON.init)))
    }

    func rename(_ request: Request, id: String) async throws -> Response {
        let session = try await requireSession(request)
        let body = try await JSONWire.decode(RenameRequest.self, from: request)
        return try JSONWire.response(CredentialJSON(try await service.rename(credentialID: id, to: body.name, session: session)))
    }

    func delete(_ request: Request, id: String) async throws -> Response {
        let session = try await requireSession(request)
        try await service.delete(credentialID: id, session: session)
        return Response(status: .noContent)
    }

    private func requireSession(_ request: Request) async throws -> SessionRecord {
        guard let token = SessionCookie.token(in: request) else { throw APIProblem.sessionRequired }
        return try await service.session(token: token)
    }
}
