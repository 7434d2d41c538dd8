/// Builds ceremony options with the defaults a bank wants: ES256, EdDSA and RS256 (in that
/// order of preference), user verification required, a discoverable credential required,
/// a fresh 32-byte challenge. Every field stays settable before `json` is read.
public struct RegistrationOptionsBuilder: Sendable {
    public var rpID: String
    public var rpName: String
    public var userHandle: [UInt8]
    public var userName: String
    public var userDisplayName: String
    public var challenge: [UInt8]
    public var algorithms: [COSEAlgorithm] = [.es256, .edDSA, .rs256]
    public var userVerification: UserVerificationRequirement = .required
    public var residentKeyRequired = true
    public var authenticatorAttachment: String? = nil
    public var attestation = "direct"
    public var timeoutMilliseconds = 300_000
    public var excludeCredentials: [CredentialDescriptor] = []
    public var hints: [String]? = nil
    public var extensions = ExtensionInputs(credProps: true)

    /// `challenge` must come from a CSPRNG (at least 16 bytes, §13.4.3); the server's challenge
    /// store makes it.
    public init(rpID: String, rpName: String, userHandle: [UInt8], userName: String, userDisplayName: String, challenge: [UInt8]) {
        self.rpID = rpID
        self.rpName = rpName
        self.userHandle = userHandle
        self.userName = userName
        self.userDisplayName = userDisplayName
        self.challenge = challenge
    }

    public var json: PublicKeyCredentialCreationOptionsJSON {
        PublicKeyCredentialCreationOptionsJSON(
            rp: .init(id: rpID, name: rpName),
            user: .init(id: Base64URL.encode(userHandle), name: userName, displayName: userDisplayName),
            challenge: Base64URL.encode(challenge),
            pubKeyCredParams: algorithms.map(PublicKeyCredentialCreationOptionsJSON.CredentialParameters.init(alg:)),
            timeout: timeoutMilliseconds,
            excludeCredentials: excludeCredentials,
            authenticatorSelection: .init(
                authenticatorAttachment: authenticatorAttachment,
                residentKey: residentKeyRequired ? "required" : "preferred",
                requireResidentKey: residentKeyRequired,
                userVerification: userVerification.rawValue),
            hints: hints,
            attestation: attestation,
            attestationFormats: nil,
            extensions: extensions)
    }
}

public struct AuthenticationOptionsBuilder: Sendable {
    public var rpID: String
    public var challenge: [UInt8]
    /// Empty: discoverable credentials (usernameless sign-in, conditional UI).
    public var allowCredentials: [CredentialDescriptor] = []
    public var userVerification: UserVerificationRequirement = .required
    public var timeoutMilliseconds = 300_000
    public var hints: [String]? = nil
    public var extensions: ExtensionInputs? = nil

    public init(rpID: String, challenge: [UInt8]) {
        self.rpID = rpID
        self.challenge = challenge
    }

    public var json: PublicKeyCredentialRequestOptionsJSON {
        PublicKeyCredentialRequestOptionsJSON(
            challenge: Base64URL.encode(challenge),
            timeout: timeoutMilliseconds,
            rpId: rpID,
            allowCredentials: allowCredentials,
            userVerification: userVerification.rawValue,
            hints: hints,
            extensions: extensions)
    }
}
