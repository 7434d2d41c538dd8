/// The schema, as numbered migrations. One set of statements serves SQLite and PostgreSQL:
/// only types both understand (TEXT, BIGINT, INTEGER, BOOLEAN), identifiers as base64url text,
/// times as milliseconds since 1970 (UTC). Applied migrations are recorded in `claviger_schema`.
enum Schema {
    struct Migration {
        let version: Int
        let summary: String
        let statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(version: 1, summary: "accounts, passkeys, ceremonies, sessions, metadata", statements: [
            """
            CREATE TABLE IF NOT EXISTS users (
                id TEXT PRIMARY KEY,
                username TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                failed_sign_ins INTEGER NOT NULL DEFAULT 0,
                locked_until BIGINT
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS credentials (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                public_key TEXT NOT NULL,
                algorithm BIGINT NOT NULL,
                sign_count BIGINT NOT NULL,
                backup_eligible BOOLEAN NOT NULL,
                backup_state BOOLEAN NOT NULL,
                transports TEXT NOT NULL,
                aaguid TEXT NOT NULL,
                aaguid_verified BOOLEAN NOT NULL,
                authenticator_name TEXT,
                tier INTEGER NOT NULL,
                reasons TEXT NOT NULL,
                decision TEXT NOT NULL,
                attestation_format TEXT NOT NULL,
                attestation_type TEXT NOT NULL,
                attestation_trusted BOOLEAN NOT NULL,
                payment_enabled BOOLEAN NOT NULL,
                status TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT,
                device_id TEXT
            )
            """,
            "CREATE INDEX IF NOT EXISTS credentials_by_user ON credentials (user_id)",
            // Ceremonies travel as signed tokens; a row records that one was used (single use). No index
            // on expiry: the purge scans a table of minutes' worth of rows once a minute, while every
            // sign-in would pay for the index.
            """
            CREATE TABLE IF NOT EXISTS ceremonies (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                consumed_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS sessions (
                token_hash TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                credential_id TEXT NOT NULL,
                tier INTEGER NOT NULL,
                user_verified BOOLEAN NOT NULL,
                created_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX IF NOT EXISTS sessions_by_credential ON sessions (credential_id)",
            """
            CREATE TABLE IF NOT EXISTS metadata_blobs (
                serial_number BIGINT PRIMARY KEY,
                blob TEXT NOT NULL,
                stored_at BIGINT NOT NULL
            )
            """,
            "CREATE TABLE IF NOT EXISTS deployment_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
            // Failed sign-ins against usernames no account has, keyed by a MAC of the name.
            """
            CREATE TABLE IF NOT EXISTS unknown_username_locks (
                key TEXT PRIMARY KEY,
                failed_sign_ins INTEGER NOT NULL,
                locked_until BIGINT,
                updated_at BIGINT NOT NULL
            )
            """,
            // Room for the next issues: bound devices, SCA transactions, the audit chain.
            """
            CREATE TABLE IF NOT EXISTS devices (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                public_key TEXT NOT NULL,
                attestation_kind TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                rotated_at BIGINT
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS transactions (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                type TEXT NOT NULL,
                amount_minor BIGINT,
                currency TEXT,
                payee TEXT,
                status TEXT NOT NULL,
                challenge TEXT,
                failed_attempts INTEGER NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                authorized_at BIGINT
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS audit_events (
                sequence BIGINT PRIMARY KEY,
                occurred_at BIGINT NOT NULL,
                kind TEXT NOT NULL,
                subject TEXT,
                payload TEXT NOT NULL,
                previous_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
        ]),
    ]

    static let bookkeeping = "CREATE TABLE IF NOT EXISTS claviger_schema (version INTEGER PRIMARY KEY, summary TEXT NOT NULL, applied_at BIGINT NOT NULL)"
}
