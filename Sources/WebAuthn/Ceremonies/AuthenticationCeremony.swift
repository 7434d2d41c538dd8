import Crypto

/// The stored credential an assertion is checked against (§7.2 step 7, "credentialRecord").
public struct CredentialRecord: Sendable {
    public var id: [UInt8]
    /// The COSE_Key bytes stored at registration.
    public var publicKey: [UInt8]
    public var signCount: UInt32
    /// BE as registered; `nil` when unknown (records imported from elsewhere).
    public var backupEligible: Bool?
    public var backupState: Bool?
    /// The user handle of the account that owns the credential.
    public var userHandle: [UInt8]?
    /// Registered with the SPC payment marker; `false` refuses SPC assertions, `nil` is unknown.
    public var paymentEnabled: Bool?

    public init(id: [UInt8], publicKey: [UInt8], signCount: UInt32, backupEligible: Bool? = nil, backupState: Bool? = nil,
                userHandle: [UInt8]? = nil, paymentEnabled: Bool? = nil) {
        self.paymentEnabled = paymentEnabled
        self.id = id
        self.publicKey = publicKey
        self.signCount = signCount
        self.backupEligible = backupEligible
        self.backupState = backupState
        self.userHandle = userHandle
    }
}

/// What the RP asked for when it started the sign-in.
public struct AuthenticationExpectations: Sendable {
    public var challenge: [UInt8]
    public var userVerification: UserVerificationRequirement
    /// `allowCredentials` of the options; empty for discoverable (usernameless) sign-in.
    public var allowCredentials: [[UInt8]]
    /// The FIDO AppID the RP offered through the `appid` extension, for U2F-era credentials.
    public var appID: String?
    /// `webauthn.get`, or `payment.get` for Secure Payment Confirmation.
    public var type: String
    /// The RP knew the user before the ceremony (username entered, or a session). When false —
    /// a discoverable, usernameless sign-in — the response must carry a userHandle (§7.2 step 6).
    public var userIdentified: Bool

    public init(challenge: [UInt8], userVerification: UserVerificationRequirement = .required, allowCredentials: [[UInt8]] = [],
                appID: String? = nil, type: String = "webauthn.get", userIdentified: Bool = false) {
        self.userIdentified = userIdentified
        self.challenge = challenge
        self.userVerification = userVerification
        self.allowCredentials = allowCredentials
        self.appID = appID
        self.type = type
    }
}

/// What to do when the signature counter does not grow (§6.1.1: a sign of a cloned authenticator).
public enum CounterPolicy: Sendable {
    /// Fail device-bound credentials (BE = 0), flag synced ones (BE = 1); counters that stay 0 never count.
    case failDeviceBoundFlagSynced
    /// Fail any regression.
    case failAlways
    /// Never fail; report the regression in the result.
    case flagOnly
}

public struct AuthenticationPolicy: Sendable {
    public var counter: CounterPolicy
    /// RS1 credential keys verify only with this set.
    public var allowSHA1: Bool

    public init(counter: CounterPolicy = .failDeviceBoundFlagSynced, allowSHA1: Bool = false) {
        self.counter = counter
        self.allowSHA1 = allowSHA1
    }
}

/// A verified assertion: what the RP updates in the credential record (§7.2 steps 23–24).
public struct VerifiedAuthentication: Sendable {
    public let credentialID: [UInt8]
    public let userHandle: [UInt8]?
    public let newSignCount: UInt32
    public let flags: AuthenticatorData.Flags
    /// The counter did not grow and the policy chose to flag rather than fail.
    public let counterRegression: Bool
    /// BS differs from the stored backup state: the credential was synced or un-synced since.
    public let backupStateChanged: Bool
    public let clientData: CollectedClientData
    public let clientExtensionResults: ClientExtensionResults
    public let authenticatorExtensions: CBOR?
    /// True when the RP ID hash matched the AppID instead of the RP ID (U2F credentials).
    public let usedAppID: Bool

    public var userVerified: Bool { flags.userVerified }
    public var backupEligible: Bool { flags.backupEligible }
    public var backupState: Bool { flags.backupState }
}

/// Verifying an authentication assertion: WebAuthn Level 3 §7.2, one function per step group.
public enum AuthenticationCeremony {
    public static func verify(
        _ response: AuthenticationResponseJSON,
        expecting expectations: AuthenticationExpectations,
        credential record: CredentialRecord,
        relyingParty: RelyingParty,
        policy: AuthenticationPolicy = AuthenticationPolicy()
    ) throws(WebAuthnError) -> VerifiedAuthentication {
        guard response.type == "public-key" else {
            throw WebAuthnError(.credentialTypeMismatch, "credential type is \"\(response.type)\", expected \"public-key\"")
        }
        // Steps 5–7: the credential is the stored one, allowed, and owned by the user.
        let credentialID = try decodeBase64URL(response.rawId, field: "rawId")
        try verifyCredentialIdentity(credentialID, response: response, record: record, expectations: expectations)
        let userHandle = try verifyUserHandle(response, record: record, userIdentified: expectations.userIdentified)
        // Steps 8–10: parse the signed data.
        let authData = try AuthenticatorData(try decodeBase64URL(response.response.authenticatorData, field: "response.authenticatorData"))
        let clientData = try CollectedClientData(try decodeBase64URL(response.response.clientDataJSON, field: "response.clientDataJSON"))
        let signature = try decodeBase64URL(response.response.signature, field: "response.signature")
        // Steps 11–14.
        try ClientDataChecks.verifyAll(clientData, type: expectations.type, challenge: expectations.challenge, relyingParty: relyingParty)
        // Step 15.
        let usedAppID = try verifyRPIDHash(authData, response: response, expectations: expectations, relyingParty: relyingParty)
        // Steps 16–18.
        try AuthenticatorDataChecks.verifyUserPresence(authData, required: true)
        try AuthenticatorDataChecks.verifyUserVerification(authData, requirement: expectations.userVerification)
        try AuthenticatorDataChecks.verifyBackupFlags(authData)
        try verifyBackupEligibility(authData, record: record)
        // Step 19: authenticator extension outputs are informational here; unknown ones ignored.
        guard authData.attestedCredential == nil else {
            throw WebAuthnError(.unexpectedAttestedCredentialData, "an assertion must not carry attested credential data")
        }
        // Steps 20–21: the signature over authData || SHA-256(clientDataJSON).
        try verifySignature(signature, authData: authData, clientData: clientData, record: record, policy: policy)
        // Step 22: the signature counter.
        let regression = try verifySignCount(authData, record: record, policy: policy)
        return VerifiedAuthentication(
            credentialID: credentialID,
            userHandle: userHandle,
            newSignCount: authData.signCount,
            flags: authData.flags,
            counterRegression: regression,
            backupStateChanged: record.backupState.map { $0 != authData.flags.backupState } ?? false,
            clientData: clientData,
            clientExtensionResults: response.clientExtensionResults,
            authenticatorExtensions: authData.extensions,
            usedAppID: usedAppID)
    }

    /// §7.2 steps 5–7: the response names the stored credential, which allowCredentials listed.
    static func verifyCredentialIdentity(_ credentialID: [UInt8], response: AuthenticationResponseJSON, record: CredentialRecord,
                                         expectations: AuthenticationExpectations) throws(WebAuthnError) {
        guard response.id == response.rawId, bytesEqual(credentialID, record.id) else {
            throw WebAuthnError(.credentialIdMismatch, "the assertion's credential ID is not the stored credential's")
        }
        if !expectations.allowCredentials.isEmpty && !expectations.allowCredentials.contains(where: { bytesEqual($0, credentialID) }) {
            throw WebAuthnError(.credentialNotAllowed, "the credential was not in allowCredentials")
        }
    }

    /// §7.2 step 6: a returned userHandle must be the owner's; a usernameless sign-in needs one.
    static func verifyUserHandle(_ response: AuthenticationResponseJSON, record: CredentialRecord, userIdentified: Bool) throws(WebAuthnError) -> [UInt8]? {
        guard let encoded = response.response.userHandle, !encoded.isEmpty else {
            guard userIdentified else {
                throw WebAuthnError(.userHandleMismatch, "a usernameless sign-in must return the userHandle of the credential's owner")
            }
            return nil
        }
        let handle = try decodeBase64URL(encoded, field: "response.userHandle")
        if let owner = record.userHandle, !bytesEqual(owner, handle) {
            throw WebAuthnError(.userHandleMismatch, "userHandle does not belong to the credential's owner")
        }
        return handle
    }

    /// §7.2 step 15, with the appid extension (§10.1.1): a U2F credential signs SHA-256(AppID).
    static func verifyRPIDHash(_ authData: AuthenticatorData, response: AuthenticationResponseJSON, expectations: AuthenticationExpectations,
                               relyingParty: RelyingParty) throws(WebAuthnError) -> Bool {
        if let appID = expectations.appID, response.clientExtensionResults.appid == true {
            guard bytesEqual(authData.rpIDHash, Array(SHA256.hash(data: Array(appID.utf8)))) else {
                throw WebAuthnError(.rpIdMismatch, "rpIdHash is not SHA-256 of the AppID the client said it used")
            }
            return true
        }
        try AuthenticatorDataChecks.verifyRPIDHash(authData, expected: relyingParty.rpIDHash)
        return false
    }

    /// §7.2 step 18: BE is fixed at creation; a change means this is not the credential we stored.
    static func verifyBackupEligibility(_ authData: AuthenticatorData, record: CredentialRecord) throws(WebAuthnError) {
        if let registered = record.backupEligible, registered != authData.flags.backupEligible {
            throw WebAuthnError(.backupEligibilityChanged, "backup eligibility (BE) changed from \(registered) to \(authData.flags.backupEligible) since registration")
        }
    }

    /// §7.2 steps 20–21.
    static func verifySignature(_ signature: [UInt8], authData: AuthenticatorData, clientData: CollectedClientData, record: CredentialRecord,
                                policy: AuthenticationPolicy) throws(WebAuthnError) {
        let key = try COSEKey(cose: record.publicKey)
        if key.algorithm.isSHA1 && !policy.allowSHA1 {
            throw WebAuthnError(.insecureAlgorithm, "credential algorithm \(key.algorithm.name) relies on SHA-1")
        }
        var signed = authData.bytes
        signed.append(contentsOf: SHA256.hash(data: clientData.bytes))
        try key.verify(signature: signature, over: signed)
    }

    /// §7.2 step 22: returns true when a regression was flagged instead of failed.
    static func verifySignCount(_ authData: AuthenticatorData, record: CredentialRecord, policy: AuthenticationPolicy) throws(WebAuthnError) -> Bool {
        let received = authData.signCount
        guard received != 0 || record.signCount != 0 else { return false }
        guard received <= record.signCount else { return false }
        let fail: Bool
        switch policy.counter {
        case .failAlways: fail = true
        case .flagOnly: fail = false
        case .failDeviceBoundFlagSynced: fail = !authData.flags.backupEligible
        }
        if fail {
            throw WebAuthnError(.counterRegression, "signature counter \(received) is not greater than the stored \(record.signCount): possible cloned authenticator")
        }
        return true
    }
}
