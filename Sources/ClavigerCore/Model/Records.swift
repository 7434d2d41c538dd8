import Foundation
import TrustPolicy
import WebAuthn

/// An account. `id` is the WebAuthn user handle (random, 16 bytes, never the username).
public struct UserRecord: Sendable, Equatable {
    public var id: [UInt8]
    public var username: String
    public var displayName: String
    public var createdAt: Date

    public init(id: [UInt8], username: String, displayName: String, createdAt: Date) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.createdAt = createdAt
    }
}

/// A registered passkey with what it was classified as at registration (§7.1 step 27 and the tier).
public struct StoredCredential: Sendable, Equatable {
    public enum Status: String, Sendable, Codable { case active, suspended }

    public var id: [UInt8]
    public var userID: [UInt8]
    public var name: String
    /// COSE_Key bytes.
    public var publicKey: [UInt8]
    public var algorithm: Int64
    public var signCount: UInt32
    public var backupEligible: Bool
    public var backupState: Bool
    public var transports: [String]
    public var aaguid: AAGUID
    public var aaguidVerified: Bool
    public var authenticatorName: String?
    public var tier: Tier
    public var reasons: [Reason]
    public var decision: String
    public var attestationFormat: String
    public var attestationType: String
    public var attestationTrusted: Bool
    public var paymentEnabled: Bool
    public var status: Status
    public var createdAt: Date
    public var lastUsedAt: Date?

    public init(id: [UInt8], userID: [UInt8], name: String, publicKey: [UInt8], algorithm: Int64, signCount: UInt32,
                backupEligible: Bool, backupState: Bool, transports: [String], aaguid: AAGUID, aaguidVerified: Bool,
                authenticatorName: String?, tier: Tier, reasons: [Reason], decision: String, attestationFormat: String,
                attestationType: String, attestationTrusted: Bool, paymentEnabled: Bool, status: Status, createdAt: Date,
                lastUsedAt: Date?) {
        self.id = id
        self.userID = userID
        self.name = name
        self.publicKey = publicKey
        self.algorithm = algorithm
        self.signCount = signCount
        self.backupEligible = backupEligible
        self.backupState = backupState
        self.transports = transports
        self.aaguid = aaguid
        self.aaguidVerified = aaguidVerified
        self.authenticatorName = authenticatorName
        self.tier = tier
        self.reasons = reasons
        self.decision = decision
        self.attestationFormat = attestationFormat
        self.attestationType = attestationType
        self.attestationTrusted = attestationTrusted
        self.paymentEnabled = paymentEnabled
        self.status = status
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}

/// A started ceremony: the challenge and what the options promised, until it is consumed once.
public struct CeremonyRecord: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable { case registration, authentication }

    /// What the verify step needs besides the challenge (carried in the ceremony token).
    public struct State: Sendable, Equatable {
        /// Registration: the account the passkey is for; `newAccount` when verify creates it.
        public var username: String?
        public var displayName: String?
        public var newAccount: Bool
        /// Authentication: the credential ids offered (empty: discoverable sign-in).
        public var allowCredentials: [String]

        public init(username: String? = nil, displayName: String? = nil, newAccount: Bool = false, allowCredentials: [String] = []) {
            self.username = username
            self.displayName = displayName
            self.newAccount = newAccount
            self.allowCredentials = allowCredentials
        }
    }

    public var id: String
    public var kind: Kind
    public var challenge: [UInt8]
    /// The account (user handle) the ceremony is for; nil for a discoverable sign-in or an unknown username.
    public var userID: [UInt8]?
    public var state: State
    public var createdAt: Date
    public var expiresAt: Date

    public init(id: String, kind: Kind, challenge: [UInt8], userID: [UInt8]?, state: State, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.kind = kind
        self.challenge = challenge
        self.userID = userID
        self.state = state
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// A signed-in session. Only the SHA-256 of the token is stored.
public struct SessionRecord: Sendable, Equatable {
    public var tokenHash: [UInt8]
    public var userID: [UInt8]
    public var credentialID: [UInt8]
    public var tier: Tier
    public var userVerified: Bool
    public var createdAt: Date
    public var lastSeenAt: Date
    public var expiresAt: Date

    public init(tokenHash: [UInt8], userID: [UInt8], credentialID: [UInt8], tier: Tier, userVerified: Bool, createdAt: Date,
                lastSeenAt: Date, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.userID = userID
        self.credentialID = credentialID
        self.tier = tier
        self.userVerified = userVerified
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
    }
}

/// A verified FIDO metadata BLOB as downloaded, kept so that every instance uses the same one.
public struct StoredMetadataBLOB: Sendable, Equatable {
    public var serialNumber: Int
    public var blob: String
    public var storedAt: Date

    public init(serialNumber: Int, blob: String, storedAt: Date) {
        self.serialNumber = serialNumber
        self.blob = blob
        self.storedAt = storedAt
    }
}
