import Foundation
import TrustPolicy
import WebAuthn

/// Persistence the domain services need. One implementation per engine family lives in the
/// `Storage` module; every method is a single atomic statement so that instances sharing a
/// database stay correct without coordination.
public protocol ClavigerStore: Sendable {
    /// Creates or upgrades the schema (idempotent).
    func migrate() async throws(StoreError)
    /// A cheap round trip: the database answers.
    func ping() async throws(StoreError)
    /// The per-deployment secret shared by every instance: `candidate` when none was stored yet,
    /// else the one stored first (instances starting together agree).
    func deploymentSecret(candidate: [UInt8]) async throws(StoreError) -> [UInt8]

    func user(id: [UInt8]) async throws(StoreError) -> UserRecord?
    func user(username: String) async throws(StoreError) -> UserRecord?
    /// Fails with `.conflict` when the username is taken.
    func insert(user: UserRecord) async throws(StoreError)
    /// Undoes an account whose first passkey could not be stored (no-op once it has one).
    func deleteAccountWithoutCredentials(userID: [UInt8]) async throws(StoreError)

    func credentials(userID: [UInt8]) async throws(StoreError) -> [StoredCredential]
    /// The ids and transports of an account's passkeys (what options list), without the rest.
    func credentialReferences(userID: [UInt8]) async throws(StoreError) -> [CredentialReference]
    /// The account with this username and its passkeys' references, in one read (sign-in options).
    func signInReferences(username: String) async throws(StoreError) -> (userID: [UInt8], credentials: [CredentialReference])?
    func credential(id: [UInt8]) async throws(StoreError) -> StoredCredential?
    /// Fails with `.conflict` when the credential id exists.
    func insert(credential: StoredCredential) async throws(StoreError)
    /// What a sign-in needs of a credential and its account, in one read (the hot path).
    func signInCandidate(credentialID: [UInt8]) async throws(StoreError) -> SignInCandidate?
    /// Compare-and-set of the signature counter: true only when the stored counter was still `expected`.
    func updateAfterSignIn(credentialID: [UInt8], expectedSignCount: UInt32, newSignCount: UInt32, backupState: Bool,
                           at date: Date) async throws(StoreError) -> Bool
    func rename(credentialID: [UInt8], userID: [UInt8], name: String) async throws(StoreError) -> Bool
    /// Deletes the credential unless it is the account's last one.
    /// Ends the other sessions that credential opened (all but `keepingSession`, the one asking).
    func delete(credentialID: [UInt8], userID: [UInt8], keepingSession: [UInt8]?) async throws(StoreError) -> CredentialDeletion
    /// Forgets consumed ceremonies once they have expired (their tokens are refused by then) and sessions past their limits.
    func purgeExpired(at date: Date, idleTimeout: TimeInterval) async throws(StoreError)

    /// Records a ceremony as used: true for exactly one caller across all instances.
    func markConsumed(ceremonyID: String, kind: CeremonyRecord.Kind, expiresAt: Date, at date: Date) async throws(StoreError) -> Bool

    func insert(session: SessionRecord) async throws(StoreError)
    /// The session, when it is still valid at `date` (absolute and idle limits), touched to `date`.
    func touchSession(tokenHash: [UInt8], at date: Date, idleTimeout: TimeInterval) async throws(StoreError) -> SessionRecord?
    func deleteSession(tokenHash: [UInt8]) async throws(StoreError)

    /// Counts a failed sign-in; locks passkey sign-in until `date + lockFor` when `threshold` is reached.
    func recordFailedSignIn(_ subject: SignInSubject, at date: Date, threshold: Int, lockFor: TimeInterval) async throws(StoreError) -> SignInLock
    /// The failed sign-ins and lock of an account or an unknown username.
    func signInLock(_ subject: SignInSubject) async throws(StoreError) -> SignInLock
    func resetFailedSignIns(userID: [UInt8]) async throws(StoreError)

    func save(metadata: StoredMetadataBLOB) async throws(StoreError)
    func latestMetadata() async throws(StoreError) -> StoredMetadataBLOB?
}

/// A passkey as options name it: its id and transports.
public struct CredentialReference: Sendable, Equatable {
    public var id: [UInt8]
    public var transports: [String]

    public init(id: [UInt8], transports: [String]) {
        self.id = id
        self.transports = transports
    }
}

/// A credential as the sign-in path reads it, with its account's failed sign-ins.
public struct SignInCandidate: Sendable, Equatable {
    public var id: [UInt8]
    public var userID: [UInt8]
    public var publicKey: [UInt8]
    public var signCount: UInt32
    public var backupEligible: Bool
    public var backupState: Bool
    public var paymentEnabled: Bool
    public var tier: Tier
    public var status: StoredCredential.Status
    public var lock: SignInLock

    public init(id: [UInt8], userID: [UInt8], publicKey: [UInt8], signCount: UInt32, backupEligible: Bool, backupState: Bool,
                paymentEnabled: Bool, tier: Tier, status: StoredCredential.Status, lock: SignInLock) {
        self.id = id
        self.userID = userID
        self.publicKey = publicKey
        self.signCount = signCount
        self.backupEligible = backupEligible
        self.backupState = backupState
        self.paymentEnabled = paymentEnabled
        self.tier = tier
        self.status = status
        self.lock = lock
    }

    /// What the §7.2 ceremony checks an assertion against.
    public var record: CredentialRecord {
        CredentialRecord(id: id, publicKey: publicKey, signCount: signCount, backupEligible: backupEligible,
                         backupState: backupState, userHandle: userID, paymentEnabled: paymentEnabled)
    }
}

public enum CredentialDeletion: Sendable, Equatable {
    case deleted
    case notFound
    case lastCredential
}

/// Whose failed sign-ins count: an account, or a username no account has (keyed by a MAC of
/// it, so the store keeps no attacker-typed names), which locks exactly like an account so that
/// the sixth answer does not tell whether the name exists.
public enum SignInSubject: Sendable, Equatable {
    case account([UInt8])
    case unknownUsername(key: [UInt8])
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

