import ClavigerCore
import Foundation
import TrustPolicy
import WebAuthn

// The JSON bodies of the HTTP API (docs/API.md, /openapi.json).

struct RegistrationOptionsRequest: Decodable {
    var username: String?
    var displayName: String?
}

struct AuthenticationOptionsRequest: Decodable {
    var username: String?
}

struct CeremonyOptionsResponse<Options: Encodable>: Encodable {
    let ceremonyId: String
    let publicKey: Options
}

struct VerifyRequest<Credential: Decodable>: Decodable {
    let ceremonyId: String
    let credential: Credential
}

struct RenameRequest: Decodable {
    let name: String
}

struct AttestationJSON: Encodable {
    let format: String
    let type: String
    let trusted: Bool
}

struct SessionJSON: Encodable {
    let token: String
    let expiresAt: Date
    let idleTimeoutSeconds: Int

    init(_ session: NewSession, idleTimeout: TimeInterval) {
        token = session.token
        expiresAt = session.record.expiresAt
        idleTimeoutSeconds = Int(idleTimeout)
    }
}

struct DecisionJSON: Encodable {
    let outcome: String
    let reasons: [Reason]
}

struct RegistrationVerifyResponse: Encodable {
    let userId: String
    let credentialId: String
    let tier: Int
    let reasons: [Reason]
    let decision: DecisionJSON
    let aaguid: String
    let authenticatorName: String?
    let aaguidVerified: Bool
    let backupEligible: Bool
    let backupState: Bool
    let attestation: AttestationJSON
    let session: SessionJSON?

    enum CodingKeys: String, CodingKey {
        case userId, credentialId, tier, reasons, decision, aaguid, authenticatorName, aaguidVerified, backupEligible, backupState, attestation, session
    }

    // `authenticatorName` is always present (null when unknown); `session` only when one was opened.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(userId, forKey: .userId)
        try container.encode(credentialId, forKey: .credentialId)
        try container.encode(tier, forKey: .tier)
        try container.encode(reasons, forKey: .reasons)
        try container.encode(decision, forKey: .decision)
        try container.encode(aaguid, forKey: .aaguid)
        try container.encode(authenticatorName, forKey: .authenticatorName)
        try container.encode(aaguidVerified, forKey: .aaguidVerified)
        try container.encode(backupEligible, forKey: .backupEligible)
        try container.encode(backupState, forKey: .backupState)
        try container.encode(attestation, forKey: .attestation)
        try container.encodeIfPresent(session, forKey: .session)
    }
}

struct AuthenticationVerifyResponse: Encodable {
    let userId: String
    let credentialId: String
    let tier: Int
    let session: SessionJSON
}

struct SessionInfoResponse: Encodable {
    let userId: String
    let username: String
    let displayName: String
    let credentialId: String
    let tier: Int
    let createdAt: Date
    let expiresAt: Date
    let idleExpiresAt: Date
    let idleTimeoutSeconds: Int
}

struct CredentialJSON: Encodable {
    let id: String
    let name: String
    let tier: Int
    let reasons: [Reason]
    let authenticatorName: String?
    let aaguid: String
    let aaguidVerified: Bool
    let backupEligible: Bool
    let backupState: Bool
    let transports: [String]
    let status: String
    let attestation: AttestationJSON
    let createdAt: Date
    let lastUsedAt: Date?
    let signCount: UInt32

    init(_ credential: StoredCredential) {
        id = Base64URL.encode(credential.id)
        name = credential.name
        tier = credential.tier.level
        reasons = credential.reasons
        authenticatorName = credential.authenticatorName
        aaguid = credential.aaguid.description
        aaguidVerified = credential.aaguidVerified
        backupEligible = credential.backupEligible
        backupState = credential.backupState
        transports = credential.transports
        status = credential.status.rawValue
        attestation = AttestationJSON(format: credential.attestationFormat, type: credential.attestationType, trusted: credential.attestationTrusted)
        createdAt = credential.createdAt
        lastUsedAt = credential.lastUsedAt
        signCount = credential.signCount
    }

    // `lastUsedAt` is always present (null until first use), as the API documents.
    enum CodingKeys: String, CodingKey {
        case id, name, tier, reasons, authenticatorName, aaguid, aaguidVerified, backupEligible, backupState, transports, status, attestation,
             createdAt, lastUsedAt, signCount
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(tier, forKey: .tier)
        try container.encode(reasons, forKey: .reasons)
        try container.encode(authenticatorName, forKey: .authenticatorName)
        try container.encode(aaguid, forKey: .aaguid)
        try container.encode(aaguidVerified, forKey: .aaguidVerified)
        try container.encode(backupEligible, forKey: .backupEligible)
        try container.encode(backupState, forKey: .backupState)
        try container.encode(transports, forKey: .transports)
        try container.encode(status, forKey: .status)
        try container.encode(attestation, forKey: .attestation)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(lastUsedAt, forKey: .lastUsedAt)
        try container.encode(signCount, forKey: .signCount)
    }
}

struct CredentialListResponse: Encodable {
    let credentials: [CredentialJSON]
}

struct WellKnownWebAuthn: Encodable {
    let origins: [String]
}

struct HealthResponse: Encodable {
    let status: String
}
