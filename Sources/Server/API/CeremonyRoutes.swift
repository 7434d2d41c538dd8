import ClavigerCore
import Foundation
import Hummingbird
import WebAuthn

/// POST /v1/registration/{options,verify} and /v1/authentication/{options,verify}.
struct CeremonyRoutes {
    let service: PasskeyService
    let metrics: CeremonyMetrics

    func register(on router: Router<some RequestContext>) {
        router.post("/v1/registration/options") { request, _ in try await registrationOptions(request) }
        router.post("/v1/registration/verify") { request, _ in try await registrationVerify(request) }
        router.post("/v1/authentication/options") { request, _ in try await authenticationOptions(request) }
        router.post("/v1/authentication/verify") { request, _ in try await authenticationVerify(request) }
    }

    func registrationOptions(_ request: Request) async throws -> Response {
        try await measured("registration", "options") {
            let body = try await JSONWire.decode(RegistrationOptionsRequest.self, from: request, emptyAs: "{}")
            let session = try await optionalSession(request)
            let started = try await service.registrationOptions(username: body.username, displayName: body.displayName, session: session)
            return try JSONWire.response(CeremonyOptionsResponse(ceremonyId: started.ceremonyID, publicKey: started.options))
        }
    }

    func registrationVerify(_ request: Request) async throws -> Response {
        try await measuredWithTier("registration", "verify") {
            let body = try await JSONWire.decode(VerifyRequest<RegistrationResponseJSON>.self, from: request)
            let session = try await optionalSession(request)
            let outcome = try await service.finishRegistration(ceremonyID: body.ceremonyId, credential: body.credential, session: session)
            let verified = outcome.assessment.verified
            let classification = outcome.assessment.classification
            let reply = RegistrationVerifyResponse(
                userId: Base64URL.encode(outcome.user.id), credentialId: Base64URL.encode(verified.credentialID),
                tier: classification.tier.level, reasons: classification.reasons,
                decision: DecisionJSON(outcome: outcome.assessment.decision.outcome.code, reasons: outcome.assessment.decision.reasons),
                aaguid: verified.aaguid.description, authenticatorName: outcome.assessment.authenticatorName,
                aaguidVerified: classification.aaguidVerified, backupEligible: verified.backupEligible, backupState: verified.backupState,
                attestation: AttestationJSON(format: verified.format, type: verified.attestation.type.rawValue, trusted: verified.attestation.trusted),
                session: outcome.session.map { SessionJSON($0, idleTimeout: service.settings.sessionIdleTimeout) })
            var headers: HTTPFields = [:]
            if let session = outcome.session { headers[.setCookie] = SessionCookie.setCookie(session, request: request, now: session.record.createdAt) }
            return (try JSONWire.response(reply, headers: headers), classification.tier.level)
        }
    }

    func authenticationOptions(_ request: Request) async throws -> Response {
        try await measured("authentication", "options") {
            let body = try await JSONWire.decode(AuthenticationOptionsRequest.self, from: request, emptyAs: "{}")
            let started = try await service.authenticationOptions(username: body.username)
            return try JSONWire.response(CeremonyOptionsResponse(ceremonyId: started.ceremonyID, publicKey: started.options))
        }
    }

    func authenticationVerify(_ request: Request) async throws -> Response {
        try await measuredWithTier("authentication", "verify") {
            let body = try await JSONWire.decode(VerifyRequest<AuthenticationResponseJSON>.self, from: request)
            let outcome = try await service.finishAuthentication(ceremonyID: body.ceremonyId, credential: body.credential)
            let reply = AuthenticationVerifyResponse(userId: Base64URL.encode(outcome.userID), credentialId: Base64URL.encode(outcome.credentialID),
                                                     tier: outcome.tier.level,
                                                     session: SessionJSON(outcome.session, idleTimeout: service.settings.sessionIdleTimeout))
            let cookie = SessionCookie.setCookie(outcome.session, request: request, now: outcome.session.record.createdAt)
            return (try JSONWire.response(reply, headers: [.setCookie: cookie]), outcome.tier.level)
        }
    }

    /// A session when the request carries a valid one; a stale token is treated as none.
    private func optionalSession(_ request: Request) async throws -> SessionRecord? {
        guard let token = SessionCookie.token(in: request) else { return nil }
        do {
            return try await service.session(token: token)
        } catch where error.code == .sessionRequired {
            return nil
        }
    }

    private func measured(_ ceremony: String, _ step: String, _ body: () async throws -> Response) async throws -> Response {
        try await measuredWithTier(ceremony, step) { (try await body(), nil) }
    }

    /// Counts the step by outcome, code and tier, and times it.
    private func measuredWithTier(_ ceremony: String, _ step: String, _ body: () async throws -> (Response, Int?)) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let (response, tier) = try await body()
            metrics.record(ceremony: ceremony, step: step, code: "ok", tier: tier, duration: clock.now - start)
            return response
        } catch let error as ClavigerError {
            metrics.record(ceremony: ceremony, step: step, code: error.code.rawValue, tier: error.classification?.tier.level, duration: clock.now - start)
            throw error
        } catch let problem as APIProblem {
            metrics.record(ceremony: ceremony, step: step, code: problem.code, tier: nil, duration: clock.now - start)
            throw problem
        }
    }
}
