@preconcurrency import AsyncKit
import ClavigerCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// Where the data lives: a SQLite file (the embedded default) or a PostgreSQL URL.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// `postgres://…` or `postgresql://…` is PostgreSQL; anything else is a SQLite file path.
    public init(_ text: String) {
        self = text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") ? .postgres(url: text) : .sqlite(path: text)
    }

    /// For logs: the password of a URL is never printed.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url):
            guard var parts = URLComponents(string: url) else { return "postgres:(unparsable url)" }
            if parts.password != nil { parts.password = "***" }
            return parts.string ?? "postgres"
        }
    }
}

/// An open database: the store, and how to close it.
public final class StorageEngine: Sendable {
    public let store: SQLStore
    public let location: DatabaseLocation
    private let close: @Sendable () async -> Void

    init(store: SQLStore, location: DatabaseLocation, close: @escaping @Sendable () async -> Void) {
        self.store = store
        self.location = location
        self.close = close
    }

    public func shutdown() async { await close() }

    /// Opens (and, for SQLite, creates) the database. Does not migrate.
    public static func open(_ location: DatabaseLocation, logger: Logger) async throws(StoreError) -> StorageEngine {
        switch location {
        case .sqlite(let path): return try await openSQLite(path: path, logger: logger)
        case .postgres(let url): return try await openPostgres(url: url, logger: logger)
        }
    }

    /// One connection: SQLite serialises writers anyway, and one connection never sees SQLITE_BUSY
    /// from itself. WAL lets other processes (`claviger migrate`, a backup) read meanwhile.
    private static func openSQLite(path: String, logger: Logger) async throws(StoreError) -> StorageEngine {
        do {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            let database = connection.sql(queryLogLevel: nil)
            // WAL with synchronous=NORMAL: durable across a process crash, a power cut may lose the last
            // commits; a 64 MiB page cache and memory-mapped reads keep hot tables off read syscalls.
            for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA busy_timeout = 5000", "PRAGMA foreign_keys = ON",
                           "PRAGMA cache_size = -65536", "PRAGMA mmap_size = 268435456", "PRAGMA temp_store = MEMORY"] {
                _ = try await database.raw(SQLQueryString(pragma)).all()
            }
            let store = SQLStore(database: database, engine: .sqlite) { body in try await body(database) }
            return StorageEngine(store: store, location: .sqlite(path: path)) { try? await connection.close() }
        } catch {
            throw StoreError(.unavailable, "cannot open SQLite database \(path): \(error)")
        }
    }

    private static func openPostgres(url: String, logger: Logger) async throws(StoreError) -> StorageEngine {
        let configuration: SQLPostgresConfiguration
        do {
            configuration = try SQLPostgresConfiguration(url: url)
        } catch {
            throw StoreError(.unavailable, "invalid PostgreSQL URL \(DatabaseLocation.postgres(url: url)): \(error)")
        }
        let pool = EventLoopGroupConnectionPool(source: PostgresConnectionSource(sqlConfiguration: configuration),
                                                maxConnectionsPerEventLoop: 8, requestTimeout: .seconds(10), pruneInterval: nil,
                                                logger: logger, on: MultiThreadedEventLoopGroup.singleton)
        let database = pool.database(logger: logger).sql(queryLogLevel: nil)
        let store = SQLStore(database: database, engine: .postgres) { body in
            try await pool.withConnection(logger: logger) { connection in
                connection.eventLoop.makeFutureWithTask {
                    let session = connection.sql(queryLogLevel: nil)
                    _ = try await session.raw("BEGIN").all()
                    do {
                        try await body(session)
                    } catch {
                        _ = try? await session.raw("ROLLBACK").all()
                        throw error
                    }
                    _ = try await session.raw("COMMIT").all()
                }
            }.get()
        }
        return StorageEngine(store: store, location: .postgres(url: url)) { try? await pool.shutdownAsync() }
    }

    /// "CLAVIGER" as a 64-bit advisory lock key.
    static let migrationLockKey: Int64 = 0x434C_4156_4947_4552
}
