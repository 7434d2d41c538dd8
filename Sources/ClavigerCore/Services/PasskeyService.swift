import Crypto
import Foundation
import TrustPolicy
import WebAuthn

/// A ceremony the client must now run: its id and the options for `navigator.credentials`.
public struct StartedCeremony<Options: Sendable>: Sendable {
    public let ceremonyID: String
    public let options: Options
}

/// A session just created, with the token the client presents (shown once, stored hashed).
public struct NewSession: Sendable {
    public let token: String
    public let record: SessionRecord
}

public struct RegistrationResult: Sendable {
    public let user: UserRecord
    public let credential: StoredCredential
    public let assessment: RegistrationAssessment
    /// Set when this registration created the account (the customer is signed in).
    public let session: NewSession?
}

public struct SignInResult: Sendable {
    public let userID: [UInt8]
    public let credentialID: [UInt8]
    public let tier: Tier
    public let session: NewSession
}

/// Accounts, passkeys, ceremonies and sessions: the product's rules around the WebAuthn
/// ceremonies. State lives in the store only, so any instance can finish a ceremony another began.
public struct PasskeyService: Sendable {
    public let settings: ClavigerSettings
    let store: any ClavigerStore
    let keys: DeploymentKeys
    let now: @Sendable () -> Date

    public init(settings: ClavigerSettings, store: any ClavigerStore, keys: DeploymentKeys, now: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.store = store
        self.keys = keys
        self.now = now
    }

    /// A service with the deployment's keys, read from (or created in) the store.
    public static func start(settings: ClavigerSettings, store: any ClavigerStore,
                             now: @escaping @Sendable () -> Date = { Date() }) async throws(ClavigerError) -> PasskeyService {
        let secret: [UInt8]
        do { secret = try await store.deploymentSecret(candidate: Identifiers.random(32)) } catch { throw .storage(error) }
        return PasskeyService(settings: settings, store: store, keys: DeploymentKeys(secret: secret), now: now)
    }

    // MARK: Registration

    /// Starts a registration. A new username starts an account (created only when the passkey
    /// verifies); an existing account needs a session of that account.
    public func registrationOptions(username rawUsername: String?, displayName rawDisplayName: String?,
                                    session: SessionRecord?) async throws(ClavigerError) -> StartedCeremony<PublicKeyCredentialCreationOptionsJSON> {
        let user: UserRecord
        var state = CeremonyRecord.State()
        if let rawUsername {
            guard let username = Identifiers.normalizedUsername(rawUsername) else {
                throw ClavigerError(.invalidUsername, "A username is 1 to 64 characters, without control characters.")
            }
            if let existing = try await storage({ () async throws(StoreError) in try await store.user(username: username) }) {
                guard let session else { throw ClavigerError(.usernameTaken, "This username is taken. Sign in to add a passkey to it.") }
                guard session.userID == existing.id else { throw ClavigerError(.ceremonyOfAnotherUser, "You are signed in as another account.") }
                user = existing
            } else {
                let displayName = try rawDisplayName.map { (raw: String) throws(ClavigerError) -> String in
                    guard let name = Identifiers.normalizedName(raw) else {
                        throw ClavigerError(.invalidName, "A display name is 1 to 64 characters, without control characters.")
                    }
                    return name
                } ?? username
                user = UserRecord(id: Identifiers.random(16), username: username, displayName: displayName, createdAt: now())
                state.newAccount = true
            }
        } else {
            guard let session else { throw ClavigerError(.invalidUsername, "Choose a username to open an account.") }
            guard let existing = try await storage({ () async throws(StoreError) in try await store.user(id: session.userID) }) else {
                throw ClavigerError(.sessionRequired, "This account no longer exists.")
            }
            user = existing
        }
        state.username = user.username
        state.displayName = user.displayName
        let existingCredentials = state.newAccount ? [] : try await storage { () async throws(StoreError) in try await store.credentialReferences(userID: user.id) }

        let challenge = Identifiers.random(32)
        var builder = RegistrationOptionsBuilder(rpID: settings.relyingParty.id, rpName: settings.rpName, userHandle: user.id,
                                                 userName: user.username, userDisplayName: user.displayName, challenge: challenge)
        builder.excludeCredentials = existingCredentials.map { CredentialDescriptor(id: $0.id, transports: $0.transports.isEmpty ? nil : $0.transports) }
        builder.timeoutMilliseconds = Int(settings.challengeLifetime * 1000)
        let ceremony = try begin(.registration, challenge: challenge, userID: user.id, state: state)
        return StartedCeremony(ceremonyID: ceremony.id, options: builder.json)
    }

    /// Finishes a registration: §7.1, then classification and the registration policy.
    public func finishRegistration(ceremonyID: String, credential response: RegistrationResponseJSON,
                                   session: SessionRecord?) async throws(ClavigerError) -> RegistrationResult {
        let ceremony = try await consume(ceremonyID, kind: .registration)
        guard let userID = ceremony.userID, let username = ceremony.state.username else {
            throw ClavigerError(.ceremonyUnknown, "This request has no account. Please start again.")
        }
        if !ceremony.state.newAccount {
            guard let session else { throw ClavigerError(.sessionRequired, "Sign in to add a passkey to this account.") }
            guard session.userID == userID else { throw ClavigerError(.ceremonyOfAnotherUser, "This request belongs to another account.") }
        }
        let at = now()
        let assessment: RegistrationAssessment
        do {
            assessment = try await RegistrationAssessment.assess(
                response, expecting: RegistrationExpectations(challenge: ceremony.challenge), relyingParty: settings.relyingParty,
                catalog: settings.metadata, fallbackAnchors: settings.trustAnchors, policy: settings.policy, now: at)
        } catch {
            throw ClavigerError(.registrationFailed, "The passkey could not be registered: \(error.message).", cause: error)
        }
        guard assessment.decision.isPermitted else {
            var refusal = ClavigerError(.registrationRefused, "This kind of passkey is not accepted here (tier \(assessment.classification.tier.level)). Please use another one.")
            refusal.classification = assessment.classification
            throw refusal
        }
        let verified = assessment.verified
        let user = UserRecord(id: userID, username: username, displayName: ceremony.state.displayName ?? username, createdAt: at)
        let credential = StoredCredential(
            id: verified.credentialID, userID: userID, name: assessment.authenticatorName ?? "Passkey",
            publicKey: verified.publicKey.encoded, algorithm: verified.algorithm.rawValue, signCount: verified.signCount,
            backupEligible: verified.backupEligible, backupState: verified.backupState, transports: verified.transports,
            aaguid: verified.aaguid, aaguidVerified: assessment.classification.aaguidVerified,
            authenticatorName: assessment.authenticatorName, tier: assessment.classification.tier,
            reasons: assessment.classification.reasons, decision: assessment.decision.outcome.code,
            attestationFormat: verified.format, attestationType: verified.attestation.type.rawValue,
            attestationTrusted: verified.attestation.trusted, paymentEnabled: verified.paymentEnabled, status: .active,
            createdAt: at, lastUsedAt: nil)

        if ceremony.state.newAccount {
            do throws(StoreError) {
                try await store.insert(user: user)
            } catch {
                throw error.kind == .conflict ? ClavigerError(.usernameTaken, "This username was taken meanwhile. Please choose another.") : .storage(error)
            }
        }
        do throws(StoreError) {
            try await store.insert(credential: credential)
        } catch {
            if ceremony.state.newAccount { try? await store.deleteAccountWithoutCredentials(userID: userID) }
            throw error.kind == .conflict ? ClavigerError(.credentialExists, "This passkey is already registered.") : .storage(error)
        }
        let session = ceremony.state.newAccount
            ? try await startSession(userID: userID, credentialID: credential.id, tier: credential.tier, userVerified: verified.userVerified, at: at) : nil
        return RegistrationResult(user: user, credential: credential, assessment: assessment, session: session)
    }

    // MARK: Authentication

    /// Starts a sign-in. With a username, the account's credentials are offered; an unknown
    /// username gets a stable, made-up credential list so that it looks like a known one.
    public func authenticationOptions(username rawUsername: String?) async throws(ClavigerError) -> StartedCeremony<PublicKeyCredentialRequestOptionsJSON> {
        let challenge = Identifiers.random(32)
        var builder = AuthenticationOptionsBuilder(rpID: settings.relyingParty.id, challenge: challenge)
        builder.timeoutMilliseconds = Int(settings.challengeLifetime * 1000)
        var userID: [UInt8]?
        var state = CeremonyRecord.State()
        if let rawUsername {
            guard let username = Identifiers.normalizedUsername(rawUsername) else {
                throw ClavigerError(.invalidUsername, "A username is 1 to 64 characters, without control characters.")
            }
            state.username = username
            if let account = try await storage({ () async throws(StoreError) in try await store.signInReferences(username: username) }) {
                userID = account.userID
                builder.allowCredentials = account.credentials.map { CredentialDescriptor(id: $0.id, transports: $0.transports.isEmpty ? nil : $0.transports) }
            } else {
                builder.allowCredentials = [CredentialDescriptor(id: decoyCredentialID(for: username), transports: ["internal"])]
            }
            state.allowCredentials = builder.allowCredentials.map(\.id)
        }
        let ceremony = try begin(.authentication, challenge: challenge, userID: userID, state: state)
        return StartedCeremony(ceremonyID: ceremony.id, options: builder.json)
    }

    /// Finishes a sign-in: §7.2 against the stored credential, the failure counter, the
    /// counter compare-and-set, and a new session. Every verification failure is reported as
    /// `authentication_failed` (the cause stays in `cause` for logs and metrics).
    public func finishAuthentication(ceremonyID: String, credential response: AuthenticationResponseJSON) async throws(ClavigerError) -> SignInResult {
        let ceremony = try await consume(ceremonyID, kind: .authentication)
        let at = now()
        let candidate: SignInCandidate?
        if let credentialID = Base64URL.decode(response.rawId) {
            candidate = try await storage { () async throws(StoreError) in try await store.signInCandidate(credentialID: credentialID) }
        } else {
            candidate = nil
        }
        // Whose failures count: the account (or unknown username) the ceremony named, else the
        // owner of the credential presented (discoverable sign-in).
        let subject: SignInSubject?
        if let userID = ceremony.userID {
            subject = .account(userID)
        } else if let username = ceremony.state.username {
            subject = .unknownUsername(key: decoyCredentialID(for: username))
        } else {
            subject = candidate.map { .account($0.userID) }
        }
        // A locked subject is refused before anything is verified, whatever was presented: the
        // answer is the same for a known account and an unknown username.
        let lock: SignInLock
        if let candidate, subject == .account(candidate.userID) {
            lock = candidate.lock
        } else if let subject {
            lock = try await storage { () async throws(StoreError) in try await store.signInLock(subject) }
        } else {
            lock = SignInLock(failedAttempts: 0, lockedUntil: nil)
        }
        if lock.isLocked(at: at) { throw locked(lock, at: at) }

        guard let credential = candidate, credential.status == .active else {
            try await countFailure(subject, at: at)
            throw signInFailure(WebAuthnError(.credentialNotAllowed, "no such credential"))
        }
        if subject != .account(credential.userID) {
            try await countFailure(subject, at: at)
            throw signInFailure(WebAuthnError(.credentialNotAllowed, "the credential belongs to another account"))
        }

        let expectations = AuthenticationExpectations(
            challenge: ceremony.challenge, userVerification: .required,
            allowCredentials: ceremony.state.allowCredentials.compactMap(Base64URL.decode), userIdentified: ceremony.userID != nil)
        let verified: VerifiedAuthentication
        do {
            verified = try AuthenticationCeremony.verify(response, expecting: expectations, credential: credential.record,
                                                         relyingParty: settings.relyingParty)
        } catch {
            try await countFailure(subject, at: at)
            throw signInFailure(error)
        }
        let updated = try await storage { () async throws(StoreError) in
            try await store.updateAfterSignIn(credentialID: credential.id, expectedSignCount: credential.signCount,
                                              newSignCount: verified.newSignCount, backupState: verified.backupState, at: at)
        }
        guard updated else {
            throw signInFailure(WebAuthnError(.counterRegression, "the credential was used concurrently"))
        }
        if lock.failedAttempts > 0 {
            try await storage { () async throws(StoreError) in try await store.resetFailedSignIns(userID: credential.userID) }
        }
        let session = try await startSession(userID: credential.userID, credentialID: credential.id, tier: credential.tier,
                                             userVerified: verified.userVerified, at: at)
        return SignInResult(userID: credential.userID, credentialID: credential.id, tier: credential.tier, session: session)
    }

    // MARK: Sessions and passkey management

    /// The session for a token, when valid now; its idle timer restarts.
    public func session(token: String) async throws(ClavigerError) -> SessionRecord {
        let hash = Identifiers.tokenHash(token)
        guard let session = try await storage({ () async throws(StoreError) in
            try await store.touchSession(tokenHash: hash, at: now(), idleTimeout: settings.sessionIdleTimeout)
        }) else {
            throw ClavigerError.noSession
        }
        return session
    }

    public func logout(token: String) async throws(ClavigerError) {
        let hash = Identifiers.tokenHash(token)
        try await storage { () async throws(StoreError) in try await store.deleteSession(tokenHash: hash) }
    }

    public func user(of session: SessionRecord) async throws(ClavigerError) -> UserRecord {
        guard let user = try await storage({ () async throws(StoreError) in try await store.user(id: session.userID) }) else {
            throw ClavigerError(.sessionRequired, "This account no longer exists.")
        }
        return user
    }

    public func credentials(of session: SessionRecord) async throws(ClavigerError) -> [StoredCredential] {
        try await storage { () async throws(StoreError) in try await store.credentials(userID: session.userID) }
    }

    public func rename(credentialID rawID: String, to rawName: String, session: SessionRecord) async throws(ClavigerError) -> StoredCredential {
        guard let name = Identifiers.normalizedName(rawName) else {
            throw ClavigerError(.invalidName, "A passkey name is 1 to 64 characters, without control characters.")
        }
        guard let id = Base64URL.decode(rawID),
              try await storage({ () async throws(StoreError) in try await store.rename(credentialID: id, userID: session.userID, name: name) }),
              let credential = try await storage({ () async throws(StoreError) in try await store.credential(id: id) }) else {
            throw ClavigerError(.credentialNotFound, "This account has no such passkey.")
        }
        return credential
    }

    public func delete(credentialID rawID: String, session: SessionRecord) async throws(ClavigerError) {
        guard let id = Base64URL.decode(rawID) else { throw ClavigerError(.credentialNotFound, "This account has no such passkey.") }
        switch try await storage({ () async throws(StoreError) in try await store.delete(credentialID: id, userID: session.userID, keepingSession: session.tokenHash) }) {
        case .deleted: return
        case .notFound: throw ClavigerError(.credentialNotFound, "This account has no such passkey.")
        case .lastCredential: throw ClavigerError(.lastCredential, "This is the account's only passkey. Add another one before removing it.")
        }
    }

    public func ready() async throws(ClavigerError) {
        try await storage { () async throws(StoreError) in try await store.ping() }
    }

    // MARK: Steps

    /// A new ceremony, as a token only this deployment can have issued. Nothing is written yet.
    private func begin(_ kind: CeremonyRecord.Kind, challenge: [UInt8], userID: [UInt8]?,
                       state: CeremonyRecord.State) throws(ClavigerError) -> CeremonyRecord {
        let at = now()
        var ceremony = CeremonyRecord(id: "", kind: kind, challenge: challenge, userID: userID, state: state,
                                      createdAt: at, expiresAt: at.addingTimeInterval(settings.challengeLifetime))
        ceremony.id = try CeremonyToken(key: keys.ceremony).encode(ceremony, id: Identifiers.random(16))
        return ceremony
    }

    /// Single use across instances: the ceremony is recorded as consumed before anything is
    /// verified, so a failed attempt burns it too, and of two instances racing only one records it.
    private func consume(_ ceremonyID: String, kind: CeremonyRecord.Kind) async throws(ClavigerError) -> CeremonyRecord {
        guard let (ceremony, id) = CeremonyToken(key: keys.ceremony).decode(ceremonyID), ceremony.kind == kind else {
            throw ClavigerError(.ceremonyUnknown, "This request is unknown. Please start again.")
        }
        guard ceremony.expiresAt > now() else { throw ClavigerError(.ceremonyExpired, "This request has expired. Please start again.") }
        let recorded = Base64URL.encode(id)
        guard try await storage({ () async throws(StoreError) in try await store.markConsumed(ceremonyID: recorded, kind: kind, expiresAt: ceremony.expiresAt, at: now()) }) else {
            throw ClavigerError(.ceremonyConsumed, "This request was already used. Please start again.")
        }
        return ceremony
    }

    private func startSession(userID: [UInt8], credentialID: [UInt8], tier: Tier, userVerified: Bool, at: Date) async throws(ClavigerError) -> NewSession {
        let (token, hash) = Identifiers.newSessionToken()
        let record = SessionRecord(tokenHash: hash, userID: userID, credentialID: credentialID, tier: tier,
                                   userVerified: userVerified, createdAt: at, lastSeenAt: at,
                                   expiresAt: at.addingTimeInterval(settings.sessionLifetime))
        try await storage { () async throws(StoreError) in try await store.insert(session: record) }
        return NewSession(token: token, record: record)
    }

    private func countFailure(_ subject: SignInSubject?, at: Date) async throws(ClavigerError) {
        guard let subject else { return }
        _ = try await storage { () async throws(StoreError) in
            try await store.recordFailedSignIn(subject, at: at, threshold: settings.lockoutThreshold, lockFor: settings.lockoutDuration)
        }
    }

    private func signInFailure(_ cause: WebAuthnError) -> ClavigerError {
        ClavigerError(.authenticationFailed, "the passkey could not be verified", cause: cause)
    }

    private func locked(_ lock: SignInLock, at: Date) -> ClavigerError {
        var error = ClavigerError(.signInLocked, "Too many failed sign-ins. Passkey sign-in is paused for this account.")
        error.retryAfterSeconds = max(1, Int((lock.lockedUntil ?? at).timeIntervalSince(at).rounded(.up)))
        return error
    }

    /// A made-up credential id for an unknown username: stable per username and deployment
    /// (HMAC with the deployment secret), so repeated requests look like a real account's.
    private func decoyCredentialID(for username: String) -> [UInt8] {
        Array(Array(HMAC<SHA256>.authenticationCode(for: Array(username.utf8), using: keys.decoy)).prefix(16))
    }

    private func storage<T>(_ body: () async throws(StoreError) -> T) async throws(ClavigerError) -> T {
        do { return try await body() } catch { throw .storage(error) }
    }
}
