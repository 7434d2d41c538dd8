import ArgumentParser
import ClavigerCore
import Configuration
import FIDOMetadata
import Foundation
import Hummingbird
import Logging
import Server
import ServiceLifecycle
import Storage
import TrustPolicy
import WebAuthn
import X509

/// Options shared by `serve` and `migrate`: each flag, else its `CLAVIGER_*` environment
/// variable (read through swift-configuration), else the default.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "A SQLite file (default ./claviger.sqlite) or a postgres:// URL. Env: CLAVIGER_DATABASE.")
    var database: String?

    func location(_ config: ConfigReader) -> DatabaseLocation {
        DatabaseLocation(database ?? config.string(forKey: "claviger.database", isSecret: true) ?? "./claviger.sqlite")
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Claviger server: the passkey HTTP API, the demo bank at /, metrics and health.",
        discussion: """
        Every option can also be set in the environment: CLAVIGER_RP_ID, CLAVIGER_RP_NAME, CLAVIGER_ORIGIN (comma-separated),
        CLAVIGER_RELATED_ORIGIN (comma-separated),
        CLAVIGER_DATABASE, CLAVIGER_HOST, CLAVIGER_PORT, CLAVIGER_POLICY, CLAVIGER_METADATA, CLAVIGER_METADATA_ROOT,
        CLAVIGER_ASSETS, CLAVIGER_SESSION_IDLE_SECONDS, CLAVIGER_SESSION_LIFETIME_SECONDS, CLAVIGER_CHALLENGE_SECONDS,
        CLAVIGER_LOCKOUT_SECONDS, CLAVIGER_LOG_LEVEL. Flags win over the environment.
        """)

    @Option(help: "Relying Party ID: the registrable domain passkeys are bound to (default localhost).")
    var rpID: String?
    @Option(help: "Relying Party name shown by authenticators (default \"Claviger Bank\").")
    var rpName: String?
    @Option(help: "An origin allowed to use the RP ID (repeatable; default http://localhost:PORT).")
    var origin: [String] = []
    @Option(help: "An origin listed at /.well-known/webauthn as related (WebAuthn L3 related origins; repeatable; default: the --origin values).")
    var relatedOrigin: [String] = []
    @OptionGroup var storage: DatabaseOptions
    @Option(help: "Address to listen on (default 127.0.0.1).")
    var host: String?
    @Option(help: "Port to listen on (default 8080).")
    var port: Int?
    @Option(help: "Trust policy YAML (default: the built-in policy; see `claviger policy default`).")
    var policy: String?
    @Option(help: "A FIDO MDS3 metadata BLOB (.jwt) to classify authenticators with; verified at start.")
    var metadata: String?
    @Option(help: "PEM root for the metadata BLOB (default: the FIDO Alliance root Claviger ships).")
    var metadataRoot: String?
    @Option(help: "Serve the web pages from this folder instead of the built-in copy (for working on them).")
    var assets: String?
    @Option(help: "Seconds without a request before a session ends (default 300).")
    var sessionIdleSeconds: Int?
    @Option(help: "Seconds a session lasts at most (default 1800).")
    var sessionLifetimeSeconds: Int?
    @Option(help: "Seconds a ceremony challenge stays valid (default 300).")
    var challengeSeconds: Int?
    @Option(help: "Seconds passkey sign-in stays paused after 5 failed attempts (default 900).")
    var lockoutSeconds: Int?
    @Option(help: "trace, debug, info, notice, warning, error or critical (default info).")
    var logLevel: String?

    func run() async throws {
        let config = ConfigReader(provider: EnvironmentVariablesProvider())
        var logger = Logger(label: "claviger")
        logger.logLevel = (logLevel ?? config.string(forKey: "claviger.log_level")).flatMap(Logger.Level.init(rawValue:)) ?? .info

        let port = port ?? config.int(forKey: "claviger.port") ?? 8080
        let host = host ?? config.string(forKey: "claviger.host") ?? "127.0.0.1"
        let rpID = rpID ?? config.string(forKey: "claviger.rp_id") ?? "localhost"
        let origins = !origin.isEmpty ? origin : config.stringArray(forKey: "claviger.origin") ?? ["http://localhost:\(port)"]
        guard port > 0, port < 65536 else { throw usageFailure("--port must be 1–65535") }
        let idle = try seconds(sessionIdleSeconds ?? config.int(forKey: "claviger.session_idle_seconds"), "--session-idle-seconds")
        let lifetime = try seconds(sessionLifetimeSeconds ?? config.int(forKey: "claviger.session_lifetime_seconds"), "--session-lifetime-seconds")
        let challenge = try seconds(challengeSeconds ?? config.int(forKey: "claviger.challenge_seconds"), "--challenge-seconds")
        let lockout = try seconds(lockoutSeconds ?? config.int(forKey: "claviger.lockout_seconds"), "--lockout-seconds")

        let document: PolicyDocument
        switch try loadPolicy(policy ?? config.string(forKey: "claviger.policy")) {
        case .valid(let loaded): document = loaded
        case .invalid(let issues):
            PolicyInvalidReport(file: policy ?? "(policy)", issues: issues).emit()
            throw ExitCode(1)
        }

        let engine = try await openMigrated(storage.location(config), logger: logger)
        do {
            let catalog = try await loadMetadata(path: metadata ?? config.string(forKey: "claviger.metadata"),
                                                 root: metadataRoot ?? config.string(forKey: "claviger.metadata_root"),
                                                 store: engine.store, logger: logger)
            var settings = ClavigerSettings(relyingParty: RelyingParty(id: rpID, origins: origins),
                                            rpName: rpName ?? config.string(forKey: "claviger.rp_name") ?? "Claviger Bank",
                                            policy: document, metadata: catalog)
            if let idle { settings.sessionIdleTimeout = idle }
            if let lifetime { settings.sessionLifetime = lifetime }
            if let challenge { settings.challengeLifetime = challenge }
            if let lockout { settings.lockoutDuration = lockout }

            let service = try await PasskeyService.start(settings: settings, store: engine.store)
            let related = !relatedOrigin.isEmpty ? relatedOrigin : config.stringArray(forKey: "claviger.related_origin")
            let server = ServerConfiguration(host: host, port: port, assetsDirectory: assets ?? config.string(forKey: "claviger.assets"),
                                             relatedOrigins: related)
            let app = ClavigerServer.application(
                service: service, configuration: server,
                services: [ExpiryService(store: engine.store, idleTimeout: settings.sessionIdleTimeout, logger: logger)], logger: logger)
            logger.info("Claviger serving RP \(rpID) for \(origins.joined(separator: ", ")) on http://\(host):\(port) with \(engine.location)")
            try await app.runService()
        } catch {
            await engine.shutdown()
            throw error
        }
        await engine.shutdown()
    }

    /// A duration setting: 1 second to 1 year (times are kept in milliseconds; this bound keeps
    /// every sum and conversion far from overflow).
    func seconds(_ value: Int?, _ option: String) throws -> TimeInterval? {
        guard let value else { return nil }
        guard (1...31_536_000).contains(value) else { throw usageFailure("\(option) must be 1–31536000 seconds") }
        return TimeInterval(value)
    }

    /// The BLOB given, verified now and stored (so every instance can use it); else the newest stored one.
    func loadMetadata(path: String?, root: String?, store: SQLStore, logger: Logger) async throws -> MetadataCatalog? {
        var roots: [Certificate]?
        if let root {
            guard let pem = FileManager.default.contents(atPath: root).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw usageFailure("cannot read metadata root \(root)")
            }
            do { roots = try TrustAnchors.certificates(pem: pem) } catch { throw usageFailure("\(root): \(error.message)") }
        }
        let verifier = MetadataBLOBVerifier(trustRoots: roots)
        if let path {
            guard let bytes = FileManager.default.contents(atPath: path) else { throw usageFailure("cannot read metadata \(path)") }
            do {
                let verified = try await verifier.verify(Array(bytes), at: Date())
                try await store.save(metadata: StoredMetadataBLOB(serialNumber: verified.catalog.serialNumber,
                                                                  blob: String(decoding: bytes, as: UTF8.self), storedAt: Date()))
                logger.info("metadata BLOB no \(verified.catalog.serialNumber): \(verified.catalog.entries.count) entries")
                return verified.catalog
            } catch let error as MetadataError {
                throw usageFailure("metadata BLOB \(path): \(error.code.rawValue): \(error.message)")
            }
        }
        guard let stored = try await store.latestMetadata() else { return nil }
        do {
            let catalog = try await verifier.verify(Array(stored.blob.utf8), at: Date()).catalog
            logger.info("stored metadata BLOB no \(catalog.serialNumber): \(catalog.entries.count) entries")
            return catalog
        } catch {
            logger.warning("the stored metadata BLOB no \(stored.serialNumber) no longer verifies (\(error.code.rawValue)); running without metadata")
            return nil
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema (serve also does this at start).")

    @OptionGroup var storage: DatabaseOptions

    func run() async throws {
        let engine = try await openMigrated(storage.location(ConfigReader(provider: EnvironmentVariablesProvider())),
                                            logger: Logger(label: "claviger"))
        let versions: [Int]
        do {
            versions = try await engine.store.appliedMigrations()
        } catch {
            await engine.shutdown()
            throw error
        }
        await engine.shutdown()
        print("schema of \(engine.location): versions \(versions.map(String.init).joined(separator: ", ")) applied")
    }
}

/// Opens the database and brings its schema up to date; failures are exit 1 with the reason.
func openMigrated(_ location: DatabaseLocation, logger: Logger) async throws -> StorageEngine {
    let engine: StorageEngine
    do {
        engine = try await StorageEngine.open(location, logger: logger)
        try await engine.store.migrate()
    } catch {
        FileHandle.standardError.write(Data("error: database \(location): \(error.message)\n".utf8))
        throw ExitCode(1)
    }
    return engine
}
