import ClavigerCore
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// How the HTTP server listens and where its pages come from.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Serve the pages from this folder instead of the built-in copy (for working on them).
    public var assetsDirectory: String?
    /// Origins listed at /.well-known/webauthn (WebAuthn L3 related origins); default: the RP's origins.
    public var relatedOrigins: [String]?
    /// A connection that sends nothing for this long is closed, mid-request too, so a slow or
    /// silent client cannot hold sockets open for ever.
    public var idleConnectionTimeout: Duration

    public init(host: String = "127.0.0.1", port: Int = 8080, assetsDirectory: String? = nil, relatedOrigins: [String]? = nil,
                idleConnectionTimeout: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.assetsDirectory = assetsDirectory
        self.relatedOrigins = relatedOrigins
        self.idleConnectionTimeout = idleConnectionTimeout
    }
}

/// The Hummingbird application: HTTP API, demo bank pages and browser SDK, metrics, health.
public enum ClavigerServer {
    public static func router(service: PasskeyService, configuration: ServerConfiguration, metrics: CeremonyMetrics,
                              logger: Logger) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: OriginCheckMiddleware(allowedOrigins: Set(service.settings.relyingParty.origins)))
        router.add(middleware: FileMiddleware(configuration.assetsDirectory ?? publicDirectory, cacheControl: .init([(MediaType(type: .any), [.noCache])]),
                                              searchForIndexHtml: true, logger: logger))
        CeremonyRoutes(service: service, metrics: metrics).register(on: router)
        AccountRoutes(service: service).register(on: router)
        OperationsRoutes(service: service, metrics: metrics,
                         relatedOrigins: configuration.relatedOrigins ?? service.settings.relyingParty.origins).register(on: router)
        return router
    }

    public static func application(service: PasskeyService, configuration: ServerConfiguration, metrics: CeremonyMetrics = CeremonyMetrics(),
                                   services: [any Service] = [], logger: Logger) -> some ApplicationProtocol {
        Application(router: router(service: service, configuration: configuration, metrics: metrics, logger: logger),
                    server: .http1(configuration: .init(idleTimeout: TimeAmount(configuration.idleConnectionTimeout))),
                    configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Claviger"),
                    services: services, logger: logger)
    }

    /// The demo bank, the browser SDK and openapi.json as shipped (a copy of Sources/Server/Public).
    public static var publicDirectory: String {
        Bundle.module.resourceURL?.appendingPathComponent("Public").path ?? "Public"
    }
}

/// Removes spent ceremonies and ended sessions every minute.
public struct ExpiryService: Service {
    let store: any ClavigerStore
    let idleTimeout: TimeInterval
    let logger: Logger

    public init(store: any ClavigerStore, idleTimeout: TimeInterval, logger: Logger) {
        self.store = store
        self.idleTimeout = idleTimeout
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await store.purgeExpired(at: Date(), idleTimeout: idleTimeout)
            } catch where !Task.isCancelled && !Task.isShuttingDownGracefully {
                logger.warning("purging expired ceremonies and sessions failed: \(error)")
            } catch {
                return  // stopping: the purge was interrupted, not failed
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(60)) }
        }
    }
}
