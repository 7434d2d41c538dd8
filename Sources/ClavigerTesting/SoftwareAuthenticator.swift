import Crypto
import Foundation
import WebAuthn
import X509

/// The attestation statement a `SoftwareAuthenticator` emits at registration.
public indirect enum TestAttestation: Sendable {
    /// `none` with an empty statement.
    case none
    /// `packed` self attestation: the credential key signs.
    case packedSelf
    /// `packed` basic attestation: the shared batch key signs, x5c = [batch cert, intermediate].
    case packedBasic
    /// `fido-u2f`: the U2F batch key signs the U2F registration data (credential must be ES256).
    case fidoU2F
    /// `tpm`: an AIK signs certInfo over the credential's pubArea (RSA or ECC, from the credential algorithm).
    case tpm(TPMOptions)
    /// `android-key`: the credential key signs, its certificate carries the KeyDescription.
    case androidKey(AndroidKeyOptions)
    /// `android-safetynet`: a JWS from attest.android.com whose nonce binds the ceremony.
    case androidSafetyNet(SafetyNetJWS)
    /// `apple` anonymous attestation (credential must be EC).
    case apple
    /// `compound`: several statements over the same credential.
    case compound([TestAttestation])

    public static var tpm: TestAttestation { .tpm(TPMOptions()) }
    public static var androidKey: TestAttestation { .androidKey(AndroidKeyOptions()) }
    public static var androidSafetyNet: TestAttestation { .androidSafetyNet(SafetyNetJWS()) }

    public var formatIdentifier: String {
        switch self {
        case .none: "none"
        case .packedSelf, .packedBasic: "packed"
        case .fidoU2F: "fido-u2f"
        case .tpm: "tpm"
        case .androidKey: "android-key"
        case .androidSafetyNet: "android-safetynet"
        case .apple: "apple"
        case .compound: "compound"
        }
    }
}

public struct TPMOptions: Sendable {
    /// The pubArea `nameAlg` (TPM_ALG_SHA256 or TPM_ALG_SHA1).
    public var nameAlg: UInt16
    /// The certInfo signature algorithm: RS256 / RS1 use the RSA AIK, ES256 the ECC AIK.
    /// `extraData` is hashed with this algorithm's hash.
    public var signatureAlgorithm: COSEAlgorithm
    public var version = "2.0"
    /// The TPM manufacturer / model / firmware version in the AIK certificate's SAN.
    public var manufacturer = TestPKI.tpmManufacturer
    public var model = TestPKI.tpmModel
    public var firmwareVersion = TestPKI.tpmVersion
    /// A manufacturer ID from the TCG vendor registry (Nuvoton, "NTC"), for RPs that check the registry.
    public static let registeredManufacturer = "id:4E544300"
    /// Rewrites certInfo before the AIK signs it.
    public var mutateCertInfo: (@Sendable ([UInt8]) -> [UInt8])? = nil
    /// Rewrites pubArea (after certInfo was computed over the honest one).
    public var mutatePubArea: (@Sendable ([UInt8]) -> [UInt8])? = nil

    public init(nameAlg: UInt16 = TPMEncoding.algSHA256, signatureAlgorithm: COSEAlgorithm = .rs256) {
        self.nameAlg = nameAlg
        self.signatureAlgorithm = signatureAlgorithm
    }

    /// SHA-256 name, RS256 signature (current Windows Hello TPMs).
    public static let sha256 = TPMOptions()
    /// SHA-1 name, RS1 signature (older TPM firmware; needs `allowSHA1`).
    public static let sha1 = TPMOptions(nameAlg: TPMEncoding.algSHA1, signatureAlgorithm: .rs1)
    /// SHA-256 name, ES256 signature by an ECC AIK.
    public static let eccAIK = TPMOptions(signatureAlgorithm: .es256)
}

public struct AndroidKeyOptions: Sendable {
    /// Includes the root as the last x5c certificate, as Android devices do.
    public var includeRootInChain = true
    /// Edits the KeyDescription after the authenticator fills it in (challenge = clientDataHash).
    public var customize: (@Sendable (inout TestAndroidKeyDescription) -> Void)? = nil

    public init(includeRootInChain: Bool = true, customize: (@Sendable (inout TestAndroidKeyDescription) -> Void)? = nil) {
        self.includeRootInChain = includeRootInChain
        self.customize = customize
    }
}

/// What an RP stores after a registration, plus the private key so the same software
/// authenticator can sign in with it later.
public struct StoredCredential: Sendable {
    public let id: [UInt8]
    /// The COSE_Key bytes exactly as in attested credential data.
    public let publicKey: [UInt8]
    public let privateKey: CredentialPrivateKey
    public var signCount: UInt32
    public let backupEligible: Bool
    public var backupState: Bool
    public let aaguid: AAGUID
    public let rpID: String
    public let userHandle: [UInt8]?
    public var algorithm: COSEAlgorithm { privateKey.algorithm }
    public var idBase64URL: String { Base64URL.encode(id) }
}

/// A software authenticator: makes credentials and signs assertions the way a real
/// authenticator and browser together would, in every attestation format, from `TestPKI`.
public struct SoftwareAuthenticator: Sendable {
    public var aaguid: AAGUID
    public var algorithm: COSEAlgorithm
    public var attestation: TestAttestation
    public var userPresent = true
    public var userVerified = true
    public var backupEligible = false
    public var backupState = false
    public var initialSignCount: UInt32 = 0
    /// Added to the stored counter on each assertion (0: a passkey that always reports 0).
    public var signCountIncrement: UInt32 = 1
    /// Length of generated credential IDs; `credentialID` wins when set.
    public var credentialIDLength = 32
    public var credentialID: [UInt8]? = nil
    /// A fixed credential key (must be of `algorithm`); a fresh one is generated otherwise.
    public var credentialKey: CredentialPrivateKey? = nil
    /// Authenticator extension outputs (a CBOR map, e.g. `["credProtect": 2]`) for registration / assertion.
    public var registrationExtensions: CBOR? = nil
    public var assertionExtensions: CBOR? = nil
    public var clientExtensionResults = ClientExtensionResults()
    public var transports: [String]? = ["usb"]
    public var authenticatorAttachment: String? = "cross-platform"
    /// The PKI that certifies attestations (the shared one when nil).
    public var pki: TestPKI? = nil

    /// A fixed AAGUID for test authenticators: 434c4156-4947-4552-0000-000000000001 ("CLAVIGER").
    public static let testAAGUID = AAGUID(bytes: [0x43, 0x4C, 0x41, 0x56, 0x49, 0x47, 0x45, 0x52, 0, 0, 0, 0, 0, 0, 0, 1]) ?? .zero

    public init(aaguid: AAGUID = SoftwareAuthenticator.testAAGUID, algorithm: COSEAlgorithm = .es256, attestation: TestAttestation = .none) {
        self.aaguid = aaguid
        self.algorithm = algorithm
        self.attestation = attestation
    }

    /// Builds an authenticator and lets the caller adjust it: `SoftwareAuthenticator(attestation: .packedBasic) { $0.backupEligible = true }`.
    public init(aaguid: AAGUID = SoftwareAuthenticator.testAAGUID, algorithm: COSEAlgorithm = .es256, attestation: TestAttestation = .none,
                _ configure: (inout SoftwareAuthenticator) -> Void) {
        self.init(aaguid: aaguid, algorithm: algorithm, attestation: attestation)
        configure(&self)
    }

    /// A U2F security key: zero AAGUID, ES256, fido-u2f attestation, no UV.
    public static func u2fSecurityKey() -> SoftwareAuthenticator {
        SoftwareAuthenticator(aaguid: .zero, algorithm: .es256, attestation: .fidoU2F) { $0.userVerified = false }
    }

    /// A synced platform passkey: BE = BS = 1, counter always 0, no attestation.
    public static func syncedPasskey(aaguid: AAGUID = SoftwareAuthenticator.testAAGUID) -> SoftwareAuthenticator {
        SoftwareAuthenticator(aaguid: aaguid, algorithm: .es256, attestation: .none) {
            $0.backupEligible = true
            $0.backupState = true
            $0.signCountIncrement = 0
            $0.transports = ["hybrid", "internal"]
            $0.authenticatorAttachment = "platform"
        }
    }

    // MARK: - Registration

    /// Creates a credential (`navigator.credentials.create()` through a browser).
    public func register(rpID: String, origin: String, challenge: [UInt8], userHandle: [UInt8]? = nil,
                         topOrigin: String? = nil, crossOrigin: Bool? = nil,
                         tampering: Tampering = .none) throws -> (response: RegistrationResponseJSON, credential: StoredCredential) {
        let key = try credentialKey ?? CredentialPrivateKey(generating: algorithm)
        let id = credentialID ?? (0..<credentialIDLength).map { _ in UInt8.random(in: 0...255) }
        let cosePublicKey = try key.cosePublicKey()

        let clientDataJSON = Self.clientData(type: "webauthn.create", challenge: challenge, origin: origin, topOrigin: topOrigin,
                                             crossOrigin: crossOrigin, extra: [], tampering: tampering)
        let clientDataHash = Array(SHA256.hash(data: clientDataJSON))

        var flags: AuthenticatorData.Flags = [.attestedCredentialData]
        if userPresent { flags.insert(.userPresent) }
        if userVerified { flags.insert(.userVerified) }
        if backupEligible { flags.insert(.backupEligible) }
        if backupState { flags.insert(.backupState) }
        if registrationExtensions != nil { flags.insert(.extensionData) }
        var attested = aaguid.bytes
        attested.append(u16: UInt16(truncatingIfNeeded: id.count))
        attested += id + cosePublicKey
        var authData = Self.authenticatorData(rpID: rpID, flags: flags, signCount: initialSignCount, attested: attested,
                                              extensions: registrationExtensions, tampering: tampering)
        if let mutate = tampering.mutateAuthenticatorData { authData = mutate(authData) }

        let pki = try self.pki ?? TestPKI.shared()
        let context = StatementContext(authData: authData, clientDataHash: clientDataHash, credentialID: id, key: key,
                                       signingKey: tampering.signingKey ?? key, attestationKey: tampering.attestationKey, pki: pki)
        var statement = try Self.statement(attestation, context)
        if let mutate = tampering.mutateStatement { statement = mutate(statement) }
        let attestationObject = CBOREncoder.encode(.map([
            CBORPair("fmt", .text(tampering.format ?? attestation.formatIdentifier)),
            CBORPair("attStmt", statement),
            CBORPair("authData", .bytes(authData)),
        ]))

        let response = RegistrationResponseJSON(
            id: Base64URL.encode(id), rawId: Base64URL.encode(id),
            response: AuthenticatorAttestationResponseJSON(
                clientDataJSON: Base64URL.encode(clientDataJSON), attestationObject: Base64URL.encode(attestationObject),
                authenticatorData: Base64URL.encode(authData), transports: transports,
                publicKey: key.subjectPublicKeyInfo.map { Base64URL.encode($0) }, publicKeyAlgorithm: key.algorithm.rawValue),
            authenticatorAttachment: authenticatorAttachment, clientExtensionResults: clientExtensionResults)
        let credential = StoredCredential(id: id, publicKey: cosePublicKey, privateKey: key, signCount: initialSignCount,
                                          backupEligible: backupEligible, backupState: backupState, aaguid: aaguid, rpID: rpID,
                                          userHandle: userHandle)
        return (response, credential)
    }

    // MARK: - Authentication

    /// Signs in with `credential` (`navigator.credentials.get()`), advancing its counter.
    public func authenticate(credential: inout StoredCredential, rpID: String? = nil, origin: String, challenge: [UInt8],
                             userHandle: [UInt8]? = nil, topOrigin: String? = nil, crossOrigin: Bool? = nil,
                             tampering: Tampering = .none) throws -> AuthenticationResponseJSON {
        try assert(credential: &credential, type: "webauthn.get", rpID: rpID, origin: origin, challenge: challenge,
                   userHandle: userHandle, topOrigin: topOrigin, crossOrigin: crossOrigin, extra: [], tampering: tampering)
    }

    /// A Secure Payment Confirmation assertion: client data type `payment.get` with a `payment` member.
    /// `origin` is the caller's origin (the merchant's, when SPC runs there).
    public func authenticatePayment(credential: inout StoredCredential, rpID: String? = nil, origin: String, challenge: [UInt8],
                                    payment: PaymentClientData, userHandle: [UInt8]? = nil, topOrigin: String? = nil,
                                    crossOrigin: Bool? = nil, tampering: Tampering = .none) throws -> AuthenticationResponseJSON {
        try assert(credential: &credential, type: "payment.get", rpID: rpID, origin: origin, challenge: challenge,
                   userHandle: userHandle, topOrigin: topOrigin, crossOrigin: crossOrigin,
                   extra: [.init("payment", payment.json)], tampering: tampering)
    }

    private func assert(credential: inout StoredCredential, type: String, rpID: String?, origin: String, challenge: [UInt8],
                        userHandle: [UInt8]?, topOrigin: String?, crossOrigin: Bool?, extra: [OrderedJSON.Member],
                        tampering: Tampering) throws -> AuthenticationResponseJSON {
        credential.signCount &+= signCountIncrement
        let clientDataJSON = Self.clientData(type: type, challenge: challenge, origin: origin, topOrigin: topOrigin,
                                             crossOrigin: crossOrigin, extra: extra, tampering: tampering)
        var flags: AuthenticatorData.Flags = []
        if userPresent { flags.insert(.userPresent) }
        if userVerified { flags.insert(.userVerified) }
        if credential.backupEligible { flags.insert(.backupEligible) }
        if credential.backupState { flags.insert(.backupState) }
        if assertionExtensions != nil { flags.insert(.extensionData) }
        var authData = Self.authenticatorData(rpID: rpID ?? credential.rpID, flags: flags, signCount: credential.signCount, attested: nil,
                                              extensions: assertionExtensions, tampering: tampering)
        if let mutate = tampering.mutateAuthenticatorData { authData = mutate(authData) }
        let key = tampering.signingKey ?? credential.privateKey
        var signature = try key.sign(authData + Array(SHA256.hash(data: clientDataJSON)))
        if let mutate = tampering.mutateSignature { signature = mutate(signature) }
        let handle: [UInt8]? = tampering.userHandle ?? (userHandle ?? credential.userHandle)
        return AuthenticationResponseJSON(
            id: credential.idBase64URL, rawId: credential.idBase64URL,
            response: AuthenticatorAssertionResponseJSON(
                clientDataJSON: Base64URL.encode(clientDataJSON), authenticatorData: Base64URL.encode(authData),
                signature: Base64URL.encode(signature), userHandle: handle.map { Base64URL.encode($0) }),
            authenticatorAttachment: authenticatorAttachment, clientExtensionResults: clientExtensionResults)
    }

    // MARK: - Building blocks

    /// `clientDataJSON` as Chrome writes it: type, challenge, origin, crossOrigin, then topOrigin when cross-origin.
    static func clientData(type: String, challenge: [UInt8], origin: String, topOrigin: String?, crossOrigin: Bool?,
                           extra: [OrderedJSON.Member], tampering: Tampering) -> [UInt8] {
        if let raw = tampering.clientDataJSON { return raw }
        var members: [OrderedJSON.Member] = []
        func add(_ key: String, _ member: ClientDataMember, _ standard: OrderedJSON?) {
            switch member {
            case .standard: if let standard { members.append(.init(key, standard)) }
            case .omitted: break
            case .value(let value): members.append(.init(key, value))
            }
        }
        add("type", tampering.type, .string(type))
        add("challenge", tampering.challenge, .string(Base64URL.encode(challenge)))
        add("origin", tampering.origin, .string(origin))
        add("crossOrigin", tampering.crossOrigin, .bool(crossOrigin ?? (topOrigin != nil)))
        add("topOrigin", tampering.topOrigin, topOrigin.map(OrderedJSON.string))
        members += extra + tampering.extraClientDataMembers
        return OrderedJSON.object(members).bytes
    }

    static func authenticatorData(rpID: String, flags: AuthenticatorData.Flags, signCount: UInt32, attested: [UInt8]?,
                                  extensions: CBOR?, tampering: Tampering) -> [UInt8] {
        var bytes = tampering.rpIDHash ?? Array(SHA256.hash(data: Array((tampering.rpIDForHash ?? rpID).utf8)))
        bytes.append((tampering.flags ?? flags).rawValue)
        bytes.append(u32: tampering.signCount ?? signCount)
        if let attested { bytes += attested }
        if let extensions { bytes += CBOREncoder.encode(extensions.canonicalized()) }
        return bytes
    }

    struct StatementContext {
        let authData: [UInt8]
        let clientDataHash: [UInt8]
        let credentialID: [UInt8]
        let key: CredentialPrivateKey
        let signingKey: CredentialPrivateKey
        let attestationKey: AttestationSigningKey?
        let pki: TestPKI
        var signedData: [UInt8] { authData + clientDataHash }
    }

    static func statement(_ attestation: TestAttestation, _ c: StatementContext) throws -> CBOR {
        func x5c(_ certificates: [Certificate]) -> CBOR { .array(certificates.map { .bytes($0.x5cBytes) }) }
        let aaguid = AAGUID(bytes: Array(c.authData.dropFirst(37).prefix(16))) ?? .zero
        switch attestation {
        case .none:
            return .map([])

        case .packedSelf:
            return CBOR.map([
                CBORPair("alg", .int(c.signingKey.algorithm.rawValue)),
                CBORPair("sig", .bytes(try c.signingKey.sign(c.signedData))),
            ]).canonicalized()

        case .packedBasic:
            let key = c.attestationKey ?? .p256(c.pki.packedBatchKey)
            let leaf = try c.pki.packedAttestationCertificate(aaguid: aaguid)
            return CBOR.map([
                CBORPair("alg", .int(key.defaultAlgorithm.rawValue)),
                CBORPair("sig", .bytes(try key.sign(c.signedData, alg: key.defaultAlgorithm))),
                CBORPair("x5c", x5c([leaf] + c.pki.packed.chainAfterLeaf)),
            ]).canonicalized()

        case .fidoU2F:
            guard let point = c.key.p256Point else { throw TestAuthenticatorError("fido-u2f needs an ES256 credential key") }
            let key = c.attestationKey ?? .p256(c.pki.u2fBatchKey)
            let rpIDHash = Array(c.authData.prefix(32))
            let verificationData = [0x00] + rpIDHash + c.clientDataHash + c.credentialID + point
            return CBOR.map([
                CBORPair("sig", .bytes(try key.sign(verificationData, alg: key.defaultAlgorithm))),
                CBORPair("x5c", x5c([c.pki.u2fBatchCertificate])),
            ]).canonicalized()

        case .tpm(let options):
            let eccAIK = options.signatureAlgorithm == .es256
            let key = c.attestationKey ?? (eccAIK ? .p256(c.pki.tpmECCAIK) : .rsa(c.pki.tpmRSAAIK))
            let pubArea = try TPMEncoding.pubArea(for: c.key, nameAlg: options.nameAlg)
            let extraData = TPMEncoding.digest(c.signedData, alg: TPMEncoding.hashAlgorithm(for: options.signatureAlgorithm))
            var certInfo = TPMEncoding.certInfo(pubArea: pubArea, nameAlg: options.nameAlg, extraData: extraData)
            if let mutate = options.mutateCertInfo { certInfo = mutate(certInfo) }
            let aikCertificate = try c.pki.tpmAIKCertificate(aaguid: aaguid, ecc: eccAIK, manufacturer: options.manufacturer,
                                                              model: options.model, version: options.firmwareVersion)
            return CBOR.map([
                CBORPair("ver", .text(options.version)),
                CBORPair("alg", .int(options.signatureAlgorithm.rawValue)),
                CBORPair("x5c", x5c([aikCertificate] + c.pki.tpm.chainAfterLeaf)),
                CBORPair("sig", .bytes(try key.sign(certInfo, alg: options.signatureAlgorithm))),
                CBORPair("certInfo", .bytes(certInfo)),
                CBORPair("pubArea", .bytes(options.mutatePubArea.map { $0(pubArea) } ?? pubArea)),
            ])

        case .androidKey(let options):
            var description = TestAndroidKeyDescription(attestationChallenge: c.clientDataHash, ecKey: c.key.ecCoordinates != nil)
            options.customize?(&description)
            let leaf = try c.pki.androidKeyCertificate(credentialKey: try c.key.certificatePublicKey(), keyDescription: try description.der())
            var chain = [leaf] + c.pki.android.chainAfterLeaf
            if options.includeRootInChain { chain.append(c.pki.android.root) }
            return CBOR.map([
                CBORPair("alg", .int(c.signingKey.algorithm.rawValue)),
                CBORPair("sig", .bytes(try c.signingKey.sign(c.signedData))),
                CBORPair("x5c", x5c(chain)),
            ]).canonicalized()

        case .androidSafetyNet(let jws):
            let nonce = Array(SHA256.hash(data: c.signedData))
            let key = c.attestationKey ?? .rsa(c.pki.safetyNetKey)
            let response = try jws.compact(nonce: nonce, chain: [c.pki.safetyNetCertificate] + c.pki.safetyNet.chainAfterLeaf, key: key)
            return CBOR.map([
                CBORPair("ver", .text("243030000")),
                CBORPair("response", .bytes(response)),
            ]).canonicalized()

        case .apple:
            let nonce = Array(SHA256.hash(data: c.signedData))
            let leaf = try c.pki.appleCertificate(credentialKey: try c.key.certificatePublicKey(), nonce: nonce)
            return CBOR.map([CBORPair("x5c", x5c([leaf] + c.pki.apple.chainAfterLeaf))])

        case .compound(let parts):
            return .array(try parts.map { part in
                CBOR.map([CBORPair("fmt", .text(part.formatIdentifier)), CBORPair("attStmt", try statement(part, c))])
            })
        }
    }
}
