import Foundation
import X509
import SwiftASN1

/// What the RP asked for when it started the registration: the ceremony state the server
/// stored with the challenge.
public struct RegistrationExpectations: Sendable {
    public var challenge: [UInt8]
    public var userVerification: UserVerificationRequirement
    /// False only for conditional (passwordless-upgrade) creation, where UP may be absent.
    public var requireUserPresence: Bool
    /// `pubKeyCredParams` of the options: the credential key must use one of these.
    public var allowedAlgorithms: [COSEAlgorithm]
    /// credProtect level the RP enforced (1–3), when it did.
    public var requiredCredentialProtection: Int?
    /// The options carried the Secure Payment Confirmation marker (`payment: {isPayment: true}`):
    /// the credential may then authorize SPC payments.
    public var paymentCredential = false

    public init(challenge: [UInt8], userVerification: UserVerificationRequirement = .required, requireUserPresence: Bool = true,
                allowedAlgorithms: [COSEAlgorithm] = [.es256, .edDSA, .rs256], requiredCredentialProtection: Int? = nil) {
        self.challenge = challenge
        self.userVerification = userVerification
        self.requireUserPresence = requireUserPresence
        self.allowedAlgorithms = allowedAlgorithms
        self.requiredCredentialProtection = requiredCredentialProtection
    }
}

/// The bank's attestation policy for a registration. Defaults are the strict choices.
public struct RegistrationPolicy: Sendable {
    public var trustAnchors: TrustAnchors
    /// Fail (`attestation_untrusted`) unless the attestation chains to an anchor.
    public var requireTrustedAttestation: Bool
    /// SHA-1 in attestation (TPM, RS1) is refused unless this is set.
    public var allowSHA1: Bool
    /// android-safetynet is refused unless this is set.
    public var allowSafetyNet: Bool
    public var safetyNetMaxAgeSeconds: Double
    public var safetyNetRequireCTSProfileMatch: Bool
    /// When set, only these formats are accepted (`format_not_allowed`).
    public var allowedFormats: Set<String>?
    /// When set, only these authenticator models are accepted (`aaguid_not_allowed`). Richer
    /// allow and deny lists live in the trust policy; this is the protocol-level switch.
    public var allowedAAGUIDs: Set<AAGUID>?

    public init(trustAnchors: TrustAnchors = .none, requireTrustedAttestation: Bool = false, allowSHA1: Bool = false, allowSafetyNet: Bool = false,
                safetyNetMaxAgeSeconds: Double = 60, safetyNetRequireCTSProfileMatch: Bool = true, allowedFormats: Set<String>? = nil,
                allowedAAGUIDs: Set<AAGUID>? = nil) {
        self.allowedAAGUIDs = allowedAAGUIDs
        self.trustAnchors = trustAnchors
        self.requireTrustedAttestation = requireTrustedAttestation
        self.allowSHA1 = allowSHA1
        self.allowSafetyNet = allowSafetyNet
        self.safetyNetMaxAgeSeconds = safetyNetMaxAgeSeconds
        self.safetyNetRequireCTSProfileMatch = safetyNetRequireCTSProfileMatch
        self.allowedFormats = allowedFormats
    }
}

/// A verified registration: everything the RP stores in the credential record (§7.1 step 27)
/// and everything the trust policy classifies on.
public struct VerifiedRegistration: Sendable {
    public let credentialID: [UInt8]
    public let publicKey: COSEKey
    public let signCount: UInt32
    public let flags: AuthenticatorData.Flags
    public let aaguid: AAGUID
    public let format: String
    public let attestation: AttestationSummary
    public let transports: [String]
    public let authenticatorAttachment: String?
    public let clientExtensionResults: ClientExtensionResults
    public let authenticatorExtensions: CBOR?
    public let origin: String
    public let topOrigin: String?
    /// Registered with the SPC payment marker; store it in `CredentialRecord.paymentEnabled`.
    public let paymentEnabled: Bool

    public var algorithm: COSEAlgorithm { publicKey.algorithm }
    public var userVerified: Bool { flags.userVerified }
    public var backupEligible: Bool { flags.backupEligible }
    public var backupState: Bool { flags.backupState }
    /// credProps.rk as the client reported it: whether the credential is discoverable.
    public var discoverable: Bool? { clientExtensionResults.credProps?.rk }
}

/// What the attestation proved (§7.1 steps 22–24).
public struct AttestationSummary: Sendable {
    public let type: AttestationType
    public let trusted: Bool
    /// Subject of the root the chain ended at, when trusted.
    public let trustAnchor: String?
    public let trustAnchorFingerprint: String?
    /// The trust path (DER, leaf first) as received: evidence for the audit record.
    public let trustPath: [[UInt8]]
    /// Why trust was not established (when `trusted` is false and there was a chain).
    public let untrustedReason: WebAuthnError?
    public let components: [String]
}

/// Registering a new credential: WebAuthn Level 3 §7.1, one function per step group.
public enum RegistrationCeremony {
    public static func verify(
        _ response: RegistrationResponseJSON,
        expecting expectations: RegistrationExpectations,
        relyingParty: RelyingParty,
        policy: RegistrationPolicy = RegistrationPolicy(),
        now: Date
    ) async throws(WebAuthnError) -> VerifiedRegistration {
        // Step 3: the credential is a public key credential.
        guard response.type == "public-key" else {
            throw WebAuthnError(.credentialTypeMismatch, "credential type is \"\(response.type)\", expected \"public-key\"")
        }
        // Steps 5–6: parse the client data the authenticator signed over.
        let clientData = try CollectedClientData(try decodeBase64URL(response.response.clientDataJSON, field: "response.clientDataJSON"))
        // Steps 7–10.
        try ClientDataChecks.verifyAll(clientData, type: "webauthn.create", challenge: expectations.challenge, relyingParty: relyingParty)
        // Step 11: hash of the client data.
        let clientDataHash = clientData.hash
        // Step 12: decode the attestation object.
        let attestationObject = try AttestationObject(try decodeBase64URL(response.response.attestationObject, field: "response.attestationObject"))
        let authData = attestationObject.authenticatorData
        // Steps 13–16.
        try AuthenticatorDataChecks.verifyRPIDHash(authData, expected: relyingParty.rpIDHash)
        try AuthenticatorDataChecks.verifyUserPresence(authData, required: expectations.requireUserPresence)
        try AuthenticatorDataChecks.verifyUserVerification(authData, requirement: expectations.userVerification)
        try AuthenticatorDataChecks.verifyBackupFlags(authData)
        let credential = try attestedCredential(authData)
        try verifyCredentialID(credential, response: response)
        // Step 19: the key's algorithm is one the RP offered.
        try verifyAlgorithm(credential.publicKey.algorithm, allowed: expectations.allowedAlgorithms, policy: policy)
        // Step 20: extension outputs.
        try verifyExtensions(authData, expectations: expectations)
        // Steps 21–22: verify the attestation statement with its format's procedure.
        let statement = try verifyStatement(attestationObject, credential: credential, clientDataHash: clientDataHash, policy: policy, now: now)
        // Steps 23–24: assess the trust path against the anchors.
        let attestation = await assessTrust(statement, format: attestationObject.format, policy: policy, now: now)
        if policy.requireTrustedAttestation && !attestation.trusted {
            throw attestation.untrustedReason ?? WebAuthnError(.attestationUntrusted, "\(attestationObject.format) attestation (\(statement.type.rawValue)) is not trusted")
        }
        if let allowed = policy.allowedAAGUIDs, !allowed.contains(credential.aaguid) {
            throw WebAuthnError(.aaguidNotAllowed, "authenticator model \(credential.aaguid) is not on the allow list")
        }
        return VerifiedRegistration(
            credentialID: credential.credentialID,
            publicKey: credential.publicKey,
            signCount: authData.signCount,
            flags: authData.flags,
            aaguid: credential.aaguid,
            format: attestationObject.format,
            attestation: attestation,
            transports: response.response.transports ?? [],
            authenticatorAttachment: response.authenticatorAttachment,
            clientExtensionResults: response.clientExtensionResults,
            authenticatorExtensions: authData.extensions,
            origin: clientData.origin,
            topOrigin: clientData.topOrigin,
            paymentEnabled: expectations.paymentCredential)
    }

    /// §7.1 step 12 (attested credential data must be present in a registration).
    static func attestedCredential(_ authData: AuthenticatorData) throws(WebAuthnError) -> AuthenticatorData.AttestedCredentialData {
        guard let credential = authData.attestedCredential else {
            throw WebAuthnError(.attestedCredentialDataMissing, "authenticator data has no attested credential data (AT flag clear)")
        }
        return credential
    }

    /// §7.1 step 25 (length, checked while parsing) and the JSON `id`/`rawId` naming the same credential.
    static func verifyCredentialID(_ credential: AuthenticatorData.AttestedCredentialData, response: RegistrationResponseJSON) throws(WebAuthnError) {
        let rawID = try decodeBase64URL(response.rawId, field: "rawId")
        guard response.id == response.rawId, bytesEqual(rawID, credential.credentialID) else {
            throw WebAuthnError(.credentialIdMismatch, "id/rawId do not match the credential ID in authenticator data")
        }
    }

    /// §7.1 step 19: alg was requested in pubKeyCredParams; SHA-1 needs the policy switch.
    static func verifyAlgorithm(_ algorithm: COSEAlgorithm, allowed: [COSEAlgorithm], policy: RegistrationPolicy) throws(WebAuthnError) {
        guard allowed.contains(algorithm) else {
            throw WebAuthnError(.algorithmNotAllowed, "credential algorithm \(algorithm.name) was not offered in pubKeyCredParams")
        }
        if algorithm.isSHA1 && !policy.allowSHA1 {
            throw WebAuthnError(.insecureAlgorithm, "credential algorithm \(algorithm.name) relies on SHA-1")
        }
    }

    /// §7.1 step 20: authenticator extension outputs. credProtect must meet an enforced level;
    /// unknown extensions are ignored (§9).
    static func verifyExtensions(_ authData: AuthenticatorData, expectations: RegistrationExpectations) throws(WebAuthnError) {
        let credProtect = authData.extensions?[text: "credProtect"]
        if let credProtect, !(1...3).contains(credProtect.int64 ?? 0) {
            throw WebAuthnError(.extensionInvalid, "credProtect output must be 1, 2 or 3")
        }
        if let required = expectations.requiredCredentialProtection {
            guard let level = credProtect?.int64, level >= Int64(required) else {
                throw WebAuthnError(.extensionInvalid, "credProtect level \(required) was enforced and the authenticator did not confirm it")
            }
        }
    }

    /// §7.1 steps 21–22.
    static func verifyStatement(_ object: AttestationObject, credential: AuthenticatorData.AttestedCredentialData, clientDataHash: [UInt8],
                                policy: RegistrationPolicy, now: Date) throws(WebAuthnError) -> AttestationStatementResult {
        if let allowed = policy.allowedFormats, !allowed.contains(object.format) {
            throw WebAuthnError(.formatNotAllowed, "attestation format \(object.format) is not allowed by policy")
        }
        var options = AttestationOptions(now: now)
        options.allowSHA1 = policy.allowSHA1
        options.allowSafetyNet = policy.allowSafetyNet
        options.safetyNetMaxAgeSeconds = policy.safetyNetMaxAgeSeconds
        options.safetyNetRequireCTSProfileMatch = policy.safetyNetRequireCTSProfileMatch
        let input = AttestationInput(statement: object.statement, authenticatorData: object.authenticatorData, credential: credential,
                                     clientDataHash: clientDataHash, options: options)
        let result = try AttestationFormats.verify(format: object.format, input)
        // A format the bank does not accept must not get in wrapped inside a compound statement.
        if let allowed = policy.allowedFormats, let component = result.components.first(where: { !allowed.contains($0.format) }) {
            throw WebAuthnError(.formatNotAllowed, "attestation format \(component.format) inside \(object.format) is not allowed by policy")
        }
        return result
    }

    /// §7.1 steps 23–24: the trust path must chain to an anchor for this format at `now`.
    /// A compound statement is trusted when one of its components is.
    static func assessTrust(_ statement: AttestationStatementResult, format: String, policy: RegistrationPolicy, now: Date) async -> AttestationSummary {
        let candidates = statement.components.isEmpty
            ? [(format, statement.trustPath)]
            : statement.components.map { ($0.format, $0.result.trustPath) }.filter { !$0.1.isEmpty }
        var assessment = TrustAssessment.noTrustPath
        var path = statement.trustPath
        for (componentFormat, componentPath) in candidates {
            assessment = await ChainVerification.assess(trustPath: componentPath, anchors: policy.trustAnchors.anchors(for: componentFormat), at: now)
            path = componentPath
            if assessment.trusted { break }
        }
        return AttestationSummary(
            type: statement.type,
            trusted: assessment.trusted,
            trustAnchor: assessment.anchor.map { String(describing: $0.subject) },
            trustAnchorFingerprint: assessment.anchor?.sha256Fingerprint,
            trustPath: path.map(\.derBytes),
            untrustedReason: assessment.failure,
            components: statement.components.map(\.format))
    }
}

extension Certificate {
    var derBytes: [UInt8] {
        var serializer = DER.Serializer()
        guard (try? serialize(into: &serializer)) != nil else { return [] }
        return serializer.serializedBytes
    }
}

