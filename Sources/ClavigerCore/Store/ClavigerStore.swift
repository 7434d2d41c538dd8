import Foundation

/// Persistence the domain services need. One implementation per engine family lives in the
/// `Storage` module; every method is a single atomic statement so that instances sharing a
/// database stay correct without coordination.
public protocol ClavigerStore: Sendable {
    /// Creates or upgrades the schema (idempotent).
    func migrate() async throws(StoreError)
    /// A cheap round trip: the database answers.
    func ping() async throws(StoreError)
    /// A per-deployment secret, created once and shared by every instance.
    func deploymentSecret() async throws(StoreError) -> [UInt8]

    func user(id: [UInt8]) async throws(StoreError) -> UserRecord?
    func user(username: String) async throws(StoreError) -> UserRecord?
    /// Fails with `.conflict` when the username is taken.
    func insert(user: UserRecord) async throws(StoreError)
    /// Undoes an account whose first passkey could not be stored (no-op once it has one).
    func deleteAccountWithoutCredentials(userID: [UInt8]) async throws(StoreError)

    func credentials(userID: [UInt8]) async throws(StoreError) -> [StoredCredential]
    func credential(id: [UInt8]) async throws(StoreError) -> StoredCredential?
    /// Fails with `.conflict` when the credential id exists.
    func insert(credential: StoredCredential) async throws(StoreError)
    /// Compare-and-set of the signature counter: true only when the stored counter was still `expected`.
    func updateAfterSignIn(credentialID: [UInt8], expectedSignCount: UInt32, newSignCount: UInt32, backupState: Bool,
                           at date: Date) async throws(StoreError) -> Bool
    func rename(credentialID: [UInt8], userID: [UInt8], name: String) async throws(StoreError) -> Bool
    /// Deletes the credential unless it is the account's last one.
    /// Ends the other sessions that credential opened (all but `keepingSession`, the one asking).
    func delete(credentialID: [UInt8], userID: [UInt8], keepingSession: [UInt8]?) async throws(StoreError) -> CredentialDeletion
    /// Removes ceremonies a day past expiry and sessions past their limits.
    func purgeExpired(at date: Date, idleTimeout: TimeInterval) async throws(StoreError)

    func insert(ceremony: CeremonyRecord) async throws(StoreError)
    /// Marks the ceremony used and returns it, exactly once across all instances.
    func consume(ceremonyID: String, kind: CeremonyRecord.Kind, at date: Date) async throws(StoreError) -> CeremonyConsumption

    func insert(session: SessionRecord) async throws(StoreError)
    /// The session, when it is still valid at `date` (absolute and idle limits), touched to `date`.
    func touchSession(tokenHash: [UInt8], at date: Date, idleTimeout: TimeInterval) async throws(StoreError) -> SessionRecord?
    func deleteSession(tokenHash: [UInt8]) async throws(StoreError)

    /// Counts a failed sign-in; locks passkey sign-in until `date + lockFor` when `threshold` is reached.
    func recordFailedSignIn(userID: [UInt8], at date: Date, threshold: Int, lockFor: TimeInterval) async throws(StoreError) -> SignInLock
    /// The lock in force at `date`, if any.
    func signInLock(userID: [UInt8], at date: Date) async throws(StoreError) -> SignInLock
    func resetFailedSignIns(userID: [UInt8]) async throws(StoreError)

    func save(metadata: StoredMetadataBLOB) async throws(StoreError)
    func latestMetadata() async throws(StoreError) -> StoredMetadataBLOB?
}

public enum CeremonyConsumption: Sendable, Equatable {
    case consumed(CeremonyRecord)
    case unknown
    case expired
    case alreadyConsumed
}

public enum CredentialDeletion: Sendable, Equatable {
    case deleted
    case notFound
    case lastCredential
}

public struct SignInLock: Sendable, Equatable {
    public var failedAttempts: Int
    public var lockedUntil: Date?

    public init(failedAttempts: Int, lockedUntil: Date?) {
        self.failedAttempts = failedAttempts
        self.lockedUntil = lockedUntil
    }

    public func isLocked(at date: Date) -> Bool { lockedUntil.map { $0 > date } ?? false }
}

/// A storage failure. `conflict` is a unique-key violation; everything else is `unavailable`.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case conflict, unavailable, corrupt }
    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

