import Crypto
import _CryptoExtras
import Foundation
import Testing
import X509
@testable import ClavigerTesting
@testable import WebAuthn

// Shared set-up for the §7.1 / §7.2 / attestation / SPC step tests in this folder.
//
// Every negative test runs a scenario twice: once honest, where it must verify (so the set-up
// cannot make the test pass vacuously), and once with exactly one deviation, where it must fail
// with one exact `WebAuthnError.Code`. Names are prefixed (`CeremonyStep…`, `…StepScenario`,
// `mustVerify`/`mustFail`) so they cannot collide with helpers in other test files.

enum CeremonyStepFixture {
    static let rpID = "bank.example"
    static let origin = "https://bank.example"
    static let relyingParty = RelyingParty(id: rpID, origins: [origin])
    static let otherAAGUID = AAGUID(bytes: [0xA5, 0xA5, 0xA5, 0xA5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x2A]) ?? .zero

    static func randomBytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }
    static func challenge() -> [UInt8] { randomBytes(32) }
    static func rpIDHash(_ rpID: String) -> [UInt8] { Array(SHA256.hash(data: Array(rpID.utf8))) }

    /// One 2048-bit RSA key per process, for RS1 / RS256 credentials (generation is slow).
    private static let cachedRSA: Result<_RSA.Signing.PrivateKey, any Error> = Result { try _RSA.Signing.PrivateKey(keySize: .bits2048) }
    static func rsaCredentialKey(_ algorithm: COSEAlgorithm) throws -> CredentialPrivateKey {
        try CredentialPrivateKey(rsa: try cachedRSA.get(), algorithm: algorithm)
    }
    /// The same key as an attestation signing key no test PKI certificate certifies.
    static func uncertifiedRSAAttestationKey() throws -> AttestationSigningKey { .rsa(try cachedRSA.get()) }

    /// The test PKI's roots as format-scoped anchors, with trusted attestation required.
    static func trustedPolicy(_ configure: (inout RegistrationPolicy) -> Void = { _ in }) throws -> RegistrationPolicy {
        var policy = RegistrationPolicy(trustAnchors: try TestPKI.shared().trustAnchors, requireTrustedAttestation: true)
        configure(&policy)
        return policy
    }
}

/// A labelled test argument, so parameterized cases read well in test output.
struct CeremonyStepCase<Value: Sendable>: Sendable, CustomTestStringConvertible {
    let label: String
    let value: Value
    init(_ label: String, _ value: Value) {
        self.label = label
        self.value = value
    }
    var testDescription: String { label }
}

extension Result where Failure == WebAuthnError {
    /// The ceremony must have verified; returns its result (recording the failure otherwise).
    @discardableResult
    func mustVerify(_ context: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws -> Success {
        switch self {
        case .success(let value):
            return value
        case .failure(let error):
            Issue.record("expected the ceremony to verify\(context.isEmpty ? "" : " (\(context))"), it failed with \(error)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// The ceremony must have failed with exactly `code` (and, when given, a message naming the
    /// check, for codes such as `attestation_statement_invalid` that several checks share).
    func mustFail(with code: WebAuthnError.Code, _ context: String = "", mentioning fragment: String? = nil,
                  sourceLocation: SourceLocation = #_sourceLocation) {
        switch self {
        case .success:
            Issue.record("expected \(code.rawValue)\(context.isEmpty ? "" : " (\(context))"), the ceremony verified", sourceLocation: sourceLocation)
        case .failure(let error):
            #expect(error.code == code, "\(context.isEmpty ? "" : "\(context): ")\(error)", sourceLocation: sourceLocation)
            if let fragment {
                #expect(error.message.contains(fragment), "\(context.isEmpty ? "" : "\(context): ")\(error)", sourceLocation: sourceLocation)
            }
        }
    }

    var failureCode: WebAuthnError.Code? {
        if case .failure(let error) = self { return error.code }
        return nil
    }
}

// MARK: - Registration

/// One registration (§7.1): what the browser and authenticator send, and what the RP expects.
struct RegistrationStepScenario {
    var authenticator: SoftwareAuthenticator
    var relyingParty = CeremonyStepFixture.relyingParty
    var expectations = RegistrationExpectations(challenge: CeremonyStepFixture.challenge())
    var policy = RegistrationPolicy()
    var now = Date()
    // What the client puts in clientDataJSON / authenticator data.
    var origin = CeremonyStepFixture.origin
    var rpID = CeremonyStepFixture.rpID
    var topOrigin: String? = nil
    var crossOrigin: Bool? = nil
    /// The challenge the client signs; the expected one unless set.
    var challengeSent: [UInt8]? = nil

    init(_ authenticator: SoftwareAuthenticator = SoftwareAuthenticator()) {
        self.authenticator = authenticator
    }

    func response(_ tampering: Tampering = .none) throws -> RegistrationResponseJSON {
        try authenticator.register(rpID: rpID, origin: origin, challenge: challengeSent ?? expectations.challenge, userHandle: [0x75, 0x01],
                                   topOrigin: topOrigin, crossOrigin: crossOrigin, tampering: tampering).response
    }

    func verify(_ response: RegistrationResponseJSON) async -> Result<VerifiedRegistration, WebAuthnError> {
        do {
            return .success(try await RegistrationCeremony.verify(response, expecting: expectations, relyingParty: relyingParty, policy: policy, now: now))
        } catch {
            return .failure(error)
        }
    }

    /// Registers (with `tampering`), lets `edit` rewrite the JSON the browser sent, and verifies.
    func attempt(_ tampering: Tampering = .none, editing edit: (inout RegistrationResponseJSON) throws -> Void = { _ in }) async throws
        -> Result<VerifiedRegistration, WebAuthnError> {
        var response = try response(tampering)
        try edit(&response)
        return await verify(response)
    }
}

extension RegistrationResponseJSON {
    /// Decodes the attestation object, lets `edit` change the CBOR item, and re-encodes it.
    mutating func ceremonyStepEditAttestationObject(_ edit: (inout CBOR) -> Void) throws {
        var item = try CBORDecoder.decode(try #require(Base64URL.decode(response.attestationObject)))
        edit(&item)
        response.attestationObject = Base64URL.encode(CBOREncoder.encode(item))
    }

    mutating func ceremonyStepEditAttestationObjectBytes(_ edit: (inout [UInt8]) -> Void) throws {
        var bytes = try #require(Base64URL.decode(response.attestationObject))
        edit(&bytes)
        response.attestationObject = Base64URL.encode(bytes)
    }
}

extension CBOR {
    /// A map with `key` set to `value` (appended if absent) or removed (`nil`).
    func ceremonyStepSetting(_ key: String, _ value: CBOR?) -> CBOR {
        var pairs = mapValue ?? []
        if let index = pairs.firstIndex(where: { $0.key == .text(key) }) {
            if let value { pairs[index].value = value } else { pairs.remove(at: index) }
        } else if let value {
            pairs.append(CBORPair(.text(key), value))
        }
        return .map(pairs)
    }

    /// A statement with its `x5c[index]` replaced by `certificate` (or, with `nil`, removed).
    func ceremonyStepReplacingX5C(at index: Int, with certificate: Certificate?) -> CBOR {
        var chain = self[text: "x5c"]?.arrayValue ?? []
        if let certificate {
            if index < chain.count { chain[index] = .bytes(certificate.x5cBytes) } else { chain.append(.bytes(certificate.x5cBytes)) }
        } else if index < chain.count {
            chain.remove(at: index)
        }
        return ceremonyStepSetting("x5c", .array(chain))
    }

    /// The certificate at `x5c[index]` of a statement.
    func ceremonyStepX5C(_ index: Int) -> Certificate? {
        guard let chain = self[text: "x5c"]?.arrayValue, chain.indices.contains(index), let der = chain[index].bytesValue else { return nil }
        return try? Certificate(derEncoded: der)
    }
}

// MARK: - Authentication

/// One sign-in (§7.2) with a credential registered by `authenticator`.
struct AssertionStepScenario {
    var authenticator: SoftwareAuthenticator
    /// The authenticator's side of the credential (its counter advances with every assertion).
    var credential: StoredCredential
    /// The RP's stored record, as registration left it.
    var record: CredentialRecord
    var expectations: AuthenticationExpectations
    var relyingParty = CeremonyStepFixture.relyingParty
    var policy = AuthenticationPolicy()
    var origin = CeremonyStepFixture.origin
    /// The RP ID whose hash the authenticator writes (the credential's unless set).
    var rpIDSent: String? = nil
    var challengeSent: [UInt8]? = nil
    var topOrigin: String? = nil
    var crossOrigin: Bool? = nil

    static let ownerHandle: [UInt8] = [0x75, 0x73, 0x65, 0x72, 0x2D, 0x31]

    init(_ authenticator: SoftwareAuthenticator = SoftwareAuthenticator()) throws {
        self.authenticator = authenticator
        let (_, stored) = try authenticator.register(rpID: CeremonyStepFixture.rpID, origin: CeremonyStepFixture.origin,
                                                     challenge: CeremonyStepFixture.challenge(), userHandle: Self.ownerHandle)
        credential = stored
        record = CredentialRecord(id: stored.id, publicKey: stored.publicKey, signCount: stored.signCount,
                                  backupEligible: stored.backupEligible, backupState: stored.backupState, userHandle: stored.userHandle)
        expectations = AuthenticationExpectations(challenge: CeremonyStepFixture.challenge(), allowCredentials: [stored.id], userIdentified: true)
    }

    mutating func response(_ tampering: Tampering = .none) throws -> AuthenticationResponseJSON {
        try authenticator.authenticate(credential: &credential, rpID: rpIDSent, origin: origin, challenge: challengeSent ?? expectations.challenge,
                                       topOrigin: topOrigin, crossOrigin: crossOrigin, tampering: tampering)
    }

    func verify(_ response: AuthenticationResponseJSON) -> Result<VerifiedAuthentication, WebAuthnError> {
        do {
            return .success(try AuthenticationCeremony.verify(response, expecting: expectations, credential: record, relyingParty: relyingParty, policy: policy))
        } catch {
            return .failure(error)
        }
    }

    mutating func attempt(_ tampering: Tampering = .none, editing edit: (inout AuthenticationResponseJSON) throws -> Void = { _ in }) throws
        -> Result<VerifiedAuthentication, WebAuthnError> {
        var response = try response(tampering)
        try edit(&response)
        return verify(response)
    }
}
