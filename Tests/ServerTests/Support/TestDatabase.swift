import Testing
import ClavigerCore
import Foundation
import Logging
import SQLKit
@testable import Storage

/// The engines the API tests run on: SQLite always; PostgreSQL when `CLAVIGER_TEST_POSTGRES_URL`
/// names a server (`./scripts/test` starts a private one and sets it, and sets
/// `CLAVIGER_REQUIRE_POSTGRES=1` so that a missing server fails instead of skipping).
enum Engine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    static var postgresURL: String? { ProcessInfo.processInfo.environment["CLAVIGER_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 } }
    static var postgresRequired: Bool { ProcessInfo.processInfo.environment["CLAVIGER_REQUIRE_POSTGRES"] == "1" }
    static var available: [Engine] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    var testDescription: String { rawValue }

    /// A fresh, empty, migrated database of this engine (a new SQLite file, or a new PostgreSQL database).
    func freshDatabase() async throws -> DatabaseLocation {
        let name = "claviger_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        switch self {
        case .sqlite:
            return .sqlite(path: FileManager.default.temporaryDirectory.appendingPathComponent(name + ".sqlite").path)
        case .postgres:
            guard let url = Self.postgresURL, var parts = URLComponents(string: url) else { throw TestSetupError("no PostgreSQL URL") }
            let admin = try await StorageEngine.open(.postgres(url: url), logger: Logger(label: "test"))
            try await admin.store.database.raw("CREATE DATABASE \(unsafeRaw: String(name))").run()
            await admin.shutdown()
            parts.path = "/" + name
            guard let fresh = parts.string else { throw TestSetupError("bad PostgreSQL URL") }
            return .postgres(url: fresh)
        }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
