import ClavigerCore
import Foundation
import SQLKit
import TrustPolicy
import WebAuthn

/// `ClavigerStore` over SQLKit: the same statements on SQLite and PostgreSQL. Almost every
/// operation is one statement (conditional UPDATE/DELETE … RETURNING, INSERT … ON CONFLICT DO
/// NOTHING), so correctness across instances does not depend on transactions; the two that need
/// a row lock on PostgreSQL (migrations, deleting a passkey) run in one (`exclusive`).
public struct SQLStore: ClavigerStore {
    enum Engine: Sendable { case sqlite, postgres }

    let database: any SQLDatabase
    let engine: Engine
    /// Runs `body` in a transaction on one connection (PostgreSQL). SQLite has one connection and
    /// executes each statement atomically, so there `body` runs as is.
    let transaction: @Sendable (@escaping @Sendable (any SQLDatabase) async throws -> Void) async throws -> Void

    init(database: any SQLDatabase, engine: Engine,
         transaction: @escaping @Sendable (@escaping @Sendable (any SQLDatabase) async throws -> Void) async throws -> Void) {
        self.database = database
        self.engine = engine
        self.transaction = transaction
    }

    /// `body` in `transaction`, with its result.
    func exclusive<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let result = ResultBox<T>()
        try await transaction { db in result.set(try await body(db)) }
        guard let value = result.value else { throw StoreError(.unavailable, "transaction produced no result") }
        return value
    }

    // MARK: Schema

    public func migrate() async throws(StoreError) {
        let engine = self.engine
        try await run {
            try await transaction { db in
                // Instances starting together migrate one after the other (released at commit).
                if engine == .postgres { _ = try await db.raw("SELECT pg_advisory_xact_lock(\(bind: StorageEngine.migrationLockKey))").all() }
                try await db.raw(SQLQueryString(Schema.bookkeeping)).run()
                let applied = Set(try await db.raw("SELECT version FROM claviger_schema").all().map { try $0.decode(column: "version", as: Int.self) })
                for migration in Schema.migrations where !applied.contains(migration.version) {
                    for statement in migration.statements {
                        try await db.raw(SQLQueryString(statement)).run()
                    }
                    try await db.raw("""
                        INSERT INTO claviger_schema (version, summary, applied_at) VALUES (\(bind: migration.version), \(bind: migration.summary), \(bind: millis(Date())))
                        ON CONFLICT DO NOTHING
                        """).run()
                }
            }
        }
    }

    /// The schema versions applied, in order (for `claviger migrate`).
    public func appliedMigrations() async throws(StoreError) -> [Int] {
        try await run { try await database.raw("SELECT version FROM claviger_schema ORDER BY version").all().map { try $0.decode(column: "version", as: Int.self) } }
    }

    public func ping() async throws(StoreError) {
        try await run { _ = try await database.raw("SELECT 1 AS one").first() }
    }

    public func deploymentSecret(candidate: [UInt8]) async throws(StoreError) -> [UInt8] {
        try await run {
            try await database.raw("""
                INSERT INTO deployment_secrets (name, value) VALUES ('decoy', \(bind: Base64URL.encode(candidate))) ON CONFLICT DO NOTHING
                """).run()
            guard let row = try await database.raw("SELECT value FROM deployment_secrets WHERE name = 'decoy'").first(),
                  let secret = Base64URL.decode(try row.decode(column: "value", as: String.self)) else {
                throw StoreError(.corrupt, "deployment secret missing")
            }
            return secret
        }
    }

    // MARK: Users

    public func user(id: [UInt8]) async throws(StoreError) -> UserRecord? {
        try await run { try await database.raw("SELECT * FROM users WHERE id = \(bind: Base64URL.encode(id))").first().map(Self.user) }
    }

    public func user(username: String) async throws(StoreError) -> UserRecord? {
        try await run { try await database.raw("SELECT * FROM users WHERE username = \(bind: username)").first().map(Self.user) }
    }

    public func insert(user: UserRecord) async throws(StoreError) {
        let inserted = try await run {
            try await database.raw("""
                INSERT INTO users (id, username, display_name, created_at, failed_sign_ins)
                VALUES (\(bind: Base64URL.encode(user.id)), \(bind: user.username), \(bind: user.displayName), \(bind: millis(user.createdAt)), 0)
                ON CONFLICT DO NOTHING RETURNING id
                """).first()
        }
        if inserted == nil { throw StoreError(.conflict, "username or user id exists") }
    }

    public func deleteAccountWithoutCredentials(userID: [UInt8]) async throws(StoreError) {
        let id = Base64URL.encode(userID)
        try await run {
            try await database.raw("DELETE FROM users WHERE id = \(bind: id) AND NOT EXISTS (SELECT 1 FROM credentials WHERE user_id = \(bind: id))").run()
        }
    }

    // MARK: Credentials

    public func credentials(userID: [UInt8]) async throws(StoreError) -> [StoredCredential] {
        try await run {
            try await database.raw("SELECT * FROM credentials WHERE user_id = \(bind: Base64URL.encode(userID)) ORDER BY created_at, id").all().map(Self.credential)
        }
    }

    public func credentialReferences(userID: [UInt8]) async throws(StoreError) -> [CredentialReference] {
        try await run {
            try await database.raw("SELECT id, transports FROM credentials WHERE user_id = \(bind: Base64URL.encode(userID)) ORDER BY created_at, id")
                .all().map(Self.reference)
        }
    }

    public func signInReferences(username: String) async throws(StoreError) -> (userID: [UInt8], credentials: [CredentialReference])? {
        try await run {
            let rows = try await database.raw("""
                SELECT u.id AS user_id, c.id, c.transports FROM users u LEFT JOIN credentials c ON c.user_id = u.id
                WHERE u.username = \(bind: username) ORDER BY c.created_at, c.id
                """).all()
            guard let first = rows.first else { return nil }
            let credentials = try rows.filter { try $0.decode(column: "id", as: String?.self) != nil }.map(Self.reference)
            return (try Self.bytes(first, "user_id"), credentials)
        }
    }

    public func credential(id: [UInt8]) async throws(StoreError) -> StoredCredential? {
        try await run { try await database.raw("SELECT * FROM credentials WHERE id = \(bind: Base64URL.encode(id))").first().map(Self.credential) }
    }

    public func insert(credential c: StoredCredential) async throws(StoreError) {
        let inserted = try await run {
            try await database.raw("""
                INSERT INTO credentials (id, user_id, name, public_key, algorithm, sign_count, backup_eligible, backup_state, transports,
                    aaguid, aaguid_verified, authenticator_name, tier, reasons, decision, attestation_format, attestation_type,
                    attestation_trusted, payment_enabled, status, created_at, last_used_at)
                VALUES (\(bind: Base64URL.encode(c.id)), \(bind: Base64URL.encode(c.userID)), \(bind: c.name), \(bind: Base64URL.encode(c.publicKey)),
                    \(bind: c.algorithm), \(bind: Int64(c.signCount)), \(bind: c.backupEligible), \(bind: c.backupState), \(bind: try json(c.transports)),
                    \(bind: c.aaguid.description), \(bind: c.aaguidVerified), \(bind: c.authenticatorName), \(bind: c.tier.level), \(bind: try json(c.reasons)),
                    \(bind: c.decision), \(bind: c.attestationFormat), \(bind: c.attestationType), \(bind: c.attestationTrusted), \(bind: c.paymentEnabled),
                    \(bind: c.status.rawValue), \(bind: millis(c.createdAt)), \(bind: c.lastUsedAt.map(millis)))
                ON CONFLICT DO NOTHING RETURNING id
                """).first()
        }
        if inserted == nil { throw StoreError(.conflict, "credential id exists") }
    }

    public func signInCandidate(credentialID: [UInt8]) async throws(StoreError) -> SignInCandidate? {
        try await run {
            try await database.raw("""
                SELECT c.id, c.user_id, c.public_key, c.sign_count, c.backup_eligible, c.backup_state, c.payment_enabled, c.tier, c.status,
                    u.failed_sign_ins, u.locked_until
                FROM credentials c JOIN users u ON u.id = c.user_id WHERE c.id = \(bind: Base64URL.encode(credentialID))
                """).first().map { row in
                let (tier, status, signCount) = try Self.credentialState(row)
                return SignInCandidate(
                    id: try Self.bytes(row, "id"), userID: try Self.bytes(row, "user_id"), publicKey: try Self.bytes(row, "public_key"),
                    signCount: signCount, backupEligible: try row.decode(column: "backup_eligible", as: Bool.self),
                    backupState: try row.decode(column: "backup_state", as: Bool.self), paymentEnabled: try row.decode(column: "payment_enabled", as: Bool.self),
                    tier: tier, status: status, lock: try Self.lock(row))
            }
        }
    }

    public func updateAfterSignIn(credentialID: [UInt8], expectedSignCount: UInt32, newSignCount: UInt32, backupState: Bool,
                                  at date: Date) async throws(StoreError) -> Bool {
        try await run {
            try await database.raw("""
                UPDATE credentials SET sign_count = \(bind: Int64(newSignCount)), backup_state = \(bind: backupState), last_used_at = \(bind: millis(date))
                WHERE id = \(bind: Base64URL.encode(credentialID)) AND sign_count = \(bind: Int64(expectedSignCount)) RETURNING id
                """).first() != nil
        }
    }

    public func rename(credentialID: [UInt8], userID: [UInt8], name: String) async throws(StoreError) -> Bool {
        try await run {
            try await database.raw("""
                UPDATE credentials SET name = \(bind: name) WHERE id = \(bind: Base64URL.encode(credentialID)) AND user_id = \(bind: Base64URL.encode(userID)) RETURNING id
                """).first() != nil
        }
    }

    public func delete(credentialID: [UInt8], userID: [UInt8], keepingSession: [UInt8]?) async throws(StoreError) -> CredentialDeletion {
        let id = Base64URL.encode(credentialID)
        let user = Base64URL.encode(userID)
        let keep = keepingSession.map(Base64URL.encode) ?? ""
        let engine = self.engine
        return try await run {
            try await exclusive { db in
                // Two deletions of an account's last two passkeys must not both succeed: on
                // PostgreSQL the account row is locked first, so the second one counts afresh.
                if engine == .postgres { _ = try await db.raw("SELECT id FROM users WHERE id = \(bind: user) FOR UPDATE").all() }
                let deleted = try await db.raw("""
                    DELETE FROM credentials WHERE id = \(bind: id) AND user_id = \(bind: user)
                    AND (SELECT COUNT(*) FROM credentials WHERE user_id = \(bind: user)) > 1 RETURNING id
                    """).first()
                if deleted != nil {
                    // Sessions the removed passkey opened end with it (all but the one asking).
                    try await db.raw("DELETE FROM sessions WHERE credential_id = \(bind: id) AND token_hash <> \(bind: keep)").run()
                    return CredentialDeletion.deleted
                }
                let exists = try await db.raw("SELECT id FROM credentials WHERE id = \(bind: id) AND user_id = \(bind: user)").first()
                return exists == nil ? CredentialDeletion.notFound : CredentialDeletion.lastCredential
            }
        }
    }

    // MARK: Ceremonies

    public func markConsumed(ceremonyID: String, kind: CeremonyRecord.Kind, expiresAt: Date, at date: Date) async throws(StoreError) -> Bool {
        try await run {
            try await database.raw("""
                INSERT INTO ceremonies (id, kind, consumed_at, expires_at) VALUES (\(bind: ceremonyID), \(bind: kind.rawValue), \(bind: millis(date)), \(bind: millis(expiresAt)))
                ON CONFLICT DO NOTHING RETURNING id
                """).first() != nil
        }
    }

    // MARK: Sessions

    public func insert(session s: SessionRecord) async throws(StoreError) {
        try await run {
            try await database.raw("""
                INSERT INTO sessions (token_hash, user_id, credential_id, tier, user_verified, created_at, last_seen_at, expires_at)
                VALUES (\(bind: Base64URL.encode(s.tokenHash)), \(bind: Base64URL.encode(s.userID)), \(bind: Base64URL.encode(s.credentialID)),
                    \(bind: s.tier.level), \(bind: s.userVerified), \(bind: millis(s.createdAt)), \(bind: millis(s.lastSeenAt)), \(bind: millis(s.expiresAt)))
                """).run()
        }
    }

    public func touchSession(tokenHash: [UInt8], at date: Date, idleTimeout: TimeInterval) async throws(StoreError) -> SessionRecord? {
        try await run {
            let now = millis(date)
            return try await database.raw("""
                UPDATE sessions SET last_seen_at = \(bind: now)
                WHERE token_hash = \(bind: Base64URL.encode(tokenHash)) AND expires_at > \(bind: now) AND last_seen_at > \(bind: now - Int64(idleTimeout * 1000))
                RETURNING token_hash, user_id, credential_id, tier, user_verified, created_at, last_seen_at, expires_at
                """).first().map(Self.session)
        }
    }

    public func deleteSession(tokenHash: [UInt8]) async throws(StoreError) {
        try await run { try await database.raw("DELETE FROM sessions WHERE token_hash = \(bind: Base64URL.encode(tokenHash))").run() }
    }

    public func purgeExpired(at date: Date, idleTimeout: TimeInterval) async throws(StoreError) {
        let now = millis(date)
        try await run {
            try await database.raw("DELETE FROM ceremonies WHERE expires_at < \(bind: now)").run()
            try await database.raw("""
                DELETE FROM unknown_username_locks WHERE updated_at < \(bind: now - 86_400_000) AND (locked_until IS NULL OR locked_until < \(bind: now))
                """).run()
            try await database.raw("DELETE FROM sessions WHERE expires_at < \(bind: now) OR last_seen_at < \(bind: now - Int64(idleTimeout * 1000))").run()
        }
    }

    // MARK: Failed sign-ins

    public func recordFailedSignIn(_ subject: SignInSubject, at date: Date, threshold: Int, lockFor: TimeInterval) async throws(StoreError) -> SignInLock {
        let now = millis(date)
        let until = now + Int64(lockFor * 1000)
        // An expired lock starts the count again; all right-hand sides see the row before the update.
        // Columns are qualified: in PostgreSQL's ON CONFLICT … DO UPDATE a bare name is ambiguous.
        func count(_ table: String) -> SQLQueryString {
            "CASE WHEN \(unsafeRaw: table).locked_until IS NOT NULL AND \(unsafeRaw: table).locked_until <= \(bind: now) THEN 1 ELSE \(unsafeRaw: table).failed_sign_ins + 1 END"
        }
        func lockedUntil(_ table: String) -> SQLQueryString {
            """
            CASE WHEN \(count(table)) >= \(bind: threshold) THEN \(bind: until)
                 WHEN \(unsafeRaw: table).locked_until IS NOT NULL AND \(unsafeRaw: table).locked_until <= \(bind: now) THEN NULL
                 ELSE \(unsafeRaw: table).locked_until END
            """
        }
        return try await run {
            let row: (any SQLRow)?
            switch subject {
            case .account(let userID):
                row = try await database.raw("""
                    UPDATE users SET failed_sign_ins = \(count("users")), locked_until = \(lockedUntil("users"))
                    WHERE id = \(bind: Base64URL.encode(userID)) RETURNING failed_sign_ins, locked_until
                    """).first()
            case .unknownUsername(let key):
                row = try await database.raw("""
                    INSERT INTO unknown_username_locks (key, failed_sign_ins, locked_until, updated_at)
                    VALUES (\(bind: Base64URL.encode(key)), 1, \(bind: threshold <= 1 ? until : nil), \(bind: now))
                    ON CONFLICT (key) DO UPDATE SET failed_sign_ins = \(count("unknown_username_locks")),
                        locked_until = \(lockedUntil("unknown_username_locks")), updated_at = \(bind: now)
                    RETURNING failed_sign_ins, locked_until
                    """).first()
            }
            return try row.map(Self.lock) ?? SignInLock(failedAttempts: 0, lockedUntil: nil)
        }
    }

    public func signInLock(_ subject: SignInSubject) async throws(StoreError) -> SignInLock {
        try await run {
            let row: (any SQLRow)?
            switch subject {
            case .account(let userID):
                row = try await database.raw("SELECT failed_sign_ins, locked_until FROM users WHERE id = \(bind: Base64URL.encode(userID))").first()
            case .unknownUsername(let key):
                row = try await database.raw("SELECT failed_sign_ins, locked_until FROM unknown_username_locks WHERE key = \(bind: Base64URL.encode(key))").first()
            }
            return try row.map(Self.lock) ?? SignInLock(failedAttempts: 0, lockedUntil: nil)
        }
    }

    public func resetFailedSignIns(userID: [UInt8]) async throws(StoreError) {
        try await run {
            try await database.raw("UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE id = \(bind: Base64URL.encode(userID))").run()
        }
    }

    // MARK: Metadata

    public func save(metadata: StoredMetadataBLOB) async throws(StoreError) {
        try await run {
            try await database.raw("""
                INSERT INTO metadata_blobs (serial_number, blob, stored_at) VALUES (\(bind: metadata.serialNumber), \(bind: metadata.blob), \(bind: millis(metadata.storedAt)))
                ON CONFLICT DO NOTHING
                """).run()
        }
    }

    public func latestMetadata() async throws(StoreError) -> StoredMetadataBLOB? {
        try await run {
            try await database.raw("SELECT serial_number, blob, stored_at FROM metadata_blobs ORDER BY serial_number DESC LIMIT 1").first().map { row in
                StoredMetadataBLOB(serialNumber: try row.decode(column: "serial_number", as: Int.self), blob: try row.decode(column: "blob", as: String.self),
                                   storedAt: date(try row.decode(column: "stored_at", as: Int64.self)))
            }
        }
    }

    // MARK: Rows

    static func user(_ row: any SQLRow) throws -> UserRecord {
        UserRecord(id: try bytes(row, "id"), username: try row.decode(column: "username", as: String.self),
                   displayName: try row.decode(column: "display_name", as: String.self), createdAt: date(try row.decode(column: "created_at", as: Int64.self)))
    }

    /// A credential row's tier, status and counter, each checked.
    static func credentialState(_ row: any SQLRow) throws -> (Tier, StoredCredential.Status, UInt32) {
        guard let tier = Tier(try row.decode(column: "tier", as: Int.self)),
              let status = StoredCredential.Status(rawValue: try row.decode(column: "status", as: String.self)),
              let signCount = UInt32(exactly: try row.decode(column: "sign_count", as: Int64.self)) else {
            throw StoreError(.corrupt, "credential row has invalid values")
        }
        return (tier, status, signCount)
    }

    static func credential(_ row: any SQLRow) throws -> StoredCredential {
        let (tier, status, signCount) = try credentialState(row)
        guard let aaguid = AAGUID(try row.decode(column: "aaguid", as: String.self)) else {
            throw StoreError(.corrupt, "credential row has an invalid AAGUID")
        }
        return StoredCredential(
            id: try bytes(row, "id"), userID: try bytes(row, "user_id"), name: try row.decode(column: "name", as: String.self),
            publicKey: try bytes(row, "public_key"), algorithm: try row.decode(column: "algorithm", as: Int64.self), signCount: signCount,
            backupEligible: try row.decode(column: "backup_eligible", as: Bool.self), backupState: try row.decode(column: "backup_state", as: Bool.self),
            transports: try fromJSON([String].self, try row.decode(column: "transports", as: String.self)), aaguid: aaguid,
            aaguidVerified: try row.decode(column: "aaguid_verified", as: Bool.self),
            authenticatorName: try row.decode(column: "authenticator_name", as: String?.self), tier: tier,
            reasons: try fromJSON([Reason].self, try row.decode(column: "reasons", as: String.self)),
            decision: try row.decode(column: "decision", as: String.self),
            attestationFormat: try row.decode(column: "attestation_format", as: String.self),
            attestationType: try row.decode(column: "attestation_type", as: String.self),
            attestationTrusted: try row.decode(column: "attestation_trusted", as: Bool.self),
            paymentEnabled: try row.decode(column: "payment_enabled", as: Bool.self), status: status,
            createdAt: date(try row.decode(column: "created_at", as: Int64.self)),
            lastUsedAt: try row.decode(column: "last_used_at", as: Int64?.self).map(date))
    }

    static func session(_ row: any SQLRow) throws -> SessionRecord {
        guard let tier = Tier(try row.decode(column: "tier", as: Int.self)) else { throw StoreError(.corrupt, "session tier") }
        return SessionRecord(
            tokenHash: try bytes(row, "token_hash"), userID: try bytes(row, "user_id"), credentialID: try bytes(row, "credential_id"), tier: tier,
            userVerified: try row.decode(column: "user_verified", as: Bool.self), createdAt: date(try row.decode(column: "created_at", as: Int64.self)),
            lastSeenAt: date(try row.decode(column: "last_seen_at", as: Int64.self)), expiresAt: date(try row.decode(column: "expires_at", as: Int64.self)))
    }

    static func reference(_ row: any SQLRow) throws -> CredentialReference {
        CredentialReference(id: try bytes(row, "id"), transports: try fromJSON([String].self, try row.decode(column: "transports", as: String.self)))
    }

    static func lock(_ row: any SQLRow) throws -> SignInLock {
        SignInLock(failedAttempts: try row.decode(column: "failed_sign_ins", as: Int.self),
                   lockedUntil: try row.decode(column: "locked_until", as: Int64?.self).map(date))
    }

    static func bytes(_ row: any SQLRow, _ column: String) throws -> [UInt8] {
        guard let decoded = Base64URL.decode(try row.decode(column: column, as: String.self)) else {
            throw StoreError(.corrupt, "\(column) is not base64url")
        }
        return decoded
    }

    private func run<T>(_ body: () async throws -> T) async throws(StoreError) -> T {
        do {
            return try await body()
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, String(describing: error))
        }
    }
}

func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

func json<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
}

func fromJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try JSONDecoder().decode(type, from: Data(text.utf8))
}

/// Carries a transaction body's result out of its `@Sendable` closure.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    var value: T? { lock.withLock { stored } }
    func set(_ value: T) { lock.withLock { stored = value } }
}
