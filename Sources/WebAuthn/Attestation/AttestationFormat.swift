import Foundation
import X509

/// Attestation types (WebAuthn L3 §6.5.4).
public enum AttestationType: String, Sendable, Codable {
    case none
    case `self` = "self"
    case basic
    case attCA = "attca"
    case anonCA = "anonca"
}

/// What one attestation statement format verifier receives (§8: "verification procedure"
/// inputs: attStmt, authenticatorData, clientDataHash).
public struct AttestationInput: Sendable {
    public let statement: CBOR
    public let authenticatorData: AuthenticatorData
    public let credential: AuthenticatorData.AttestedCredentialData
    public let clientDataHash: [UInt8]
    public let options: AttestationOptions

    public init(statement: CBOR, authenticatorData: AuthenticatorData, credential: AuthenticatorData.AttestedCredentialData,
                clientDataHash: [UInt8], options: AttestationOptions) {
        self.statement = statement
        self.authenticatorData = authenticatorData
        self.credential = credential
        self.clientDataHash = clientDataHash
        self.options = options
    }

    /// `authenticatorData || clientDataHash`, the bytes most formats sign.
    public var signedData: [UInt8] { authenticatorData.bytes + clientDataHash }
}

/// Switches that change what a format verifier accepts. Every default is the safe choice.
public struct AttestationOptions: Sendable {
    /// SHA-1 in TPM certInfo / RS1 attestation signatures (refused by default: `insecure_algorithm`).
    public var allowSHA1 = false
    /// android-safetynet is deprecated by Google; off by default (`format_not_allowed`).
    public var allowSafetyNet = false
    /// For SafetyNet only: the attestation's `timestampMs` may be at most this old (and not in the future).
    public var safetyNetMaxAgeSeconds: Double = 60
    /// For SafetyNet only: require `ctsProfileMatch` (true by default).
    public var safetyNetRequireCTSProfileMatch = true
    /// The time certificate validity and timestamps are checked against.
    public var now: Date

    public init(now: Date) { self.now = now }
}

/// The outcome of one format's verification procedure, before trust is assessed.
public struct AttestationStatementResult: Sendable {
    public var type: AttestationType
    /// The attestation trust path, leaf first (empty for none and self).
    public var trustPath: [Certificate]
    /// Formats that carry nested statements (compound) report each one.
    public var components: [VerifiedAttestationStatement]

    public init(type: AttestationType, trustPath: [Certificate] = [], components: [VerifiedAttestationStatement] = []) {
        self.type = type
        self.trustPath = trustPath
        self.components = components
    }
}

public struct VerifiedAttestationStatement: Sendable {
    public let format: String
    public let result: AttestationStatementResult
}

/// One attestation statement format (WebAuthn L3 §8). Each conformance check fails with
/// `attestation_statement_invalid` unless a more specific code applies.
public protocol AttestationFormatVerifier: Sendable {
    static var identifier: String { get }
    static func verify(_ input: AttestationInput) throws(WebAuthnError) -> AttestationStatementResult
}

/// The registry of formats the registration ceremony dispatches on (§7.1 step 21).
public enum AttestationFormats {
    public static let all: [any AttestationFormatVerifier.Type] = [
        NoneAttestation.self,
        PackedAttestation.self,
        FIDOU2FAttestation.self,
        TPMAttestation.self,
        AndroidKeyAttestation.self,
        AndroidSafetyNetAttestation.self,
        AppleAttestation.self,
        CompoundAttestation.self,
    ]

    static let byIdentifier: [String: any AttestationFormatVerifier.Type] =
        Dictionary(uniqueKeysWithValues: all.map { ($0.identifier, $0) })

    /// Verifies a statement of any registered format.
    public static func verify(format: String, _ input: AttestationInput) throws(WebAuthnError) -> AttestationStatementResult {
        guard let verifier = byIdentifier[format] else {
            throw WebAuthnError(.unsupportedFormat, "attestation format \"\(format)\" is not supported")
        }
        return try verifier.verify(input)
    }
}
