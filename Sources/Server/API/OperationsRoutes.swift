import ClavigerCore
import Hummingbird

/// Health, readiness, metrics and the related-origins document.
struct OperationsRoutes {
    let service: PasskeyService
    let metrics: CeremonyMetrics
    let relatedOrigins: [String]

    func register(on router: Router<some RequestContext>) {
        router.get("/.well-known/webauthn") { _, _ in
            try JSONWire.response(WellKnownWebAuthn(origins: relatedOrigins), headers: [.cacheControl: "public, max-age=3600"])
        }
        router.get("/healthz") { _, _ in try JSONWire.response(HealthResponse(status: "ok")) }
        router.get("/readyz") { _, _ in
            do {
                try await service.ready()
                return try JSONWire.response(HealthResponse(status: "ok"))
            } catch {
                throw APIProblem(.serviceUnavailable, code: "not_ready", title: "Not ready", detail: "The database does not answer.")
            }
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
    }
}
