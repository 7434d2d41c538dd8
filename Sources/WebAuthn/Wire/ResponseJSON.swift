/// A `PublicKeyCredential` as `toJSON()` serializes it (WebAuthn L3 §5.1): the same envelope for
/// both ceremonies, around the attestation or assertion response.
public struct PublicKeyCredentialJSON<Response: Codable & Sendable>: Codable, Sendable {
    public var id: String
    public var rawId: String
    public var type: String
    public var response: Response
    public var authenticatorAttachment: String?
    public var clientExtensionResults: ClientExtensionResults

    public init(id: String, rawId: String, type: String = "public-key", response: Response,
                authenticatorAttachment: String? = nil, clientExtensionResults: ClientExtensionResults = .init()) {
        self.id = id
        self.rawId = rawId
        self.type = type
        self.response = response
        self.authenticatorAttachment = authenticatorAttachment
        self.clientExtensionResults = clientExtensionResults
    }

    /// `clientExtensionResults` is required by L3 but absent from some captured responses: treated as empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        rawId = try c.decode(String.self, forKey: .rawId)
        type = try c.decode(String.self, forKey: .type)
        response = try c.decode(Response.self, forKey: .response)
        authenticatorAttachment = try c.decodeIfPresent(String.self, forKey: .authenticatorAttachment)
        clientExtensionResults = try c.decodeIfPresent(ClientExtensionResults.self, forKey: .clientExtensionResults) ?? .init()
    }
}

/// `RegistrationResponseJSON` (L3 §5.1): the result of `navigator.credentials.create()`.
public typealias RegistrationResponseJSON = PublicKeyCredentialJSON<AuthenticatorAttestationResponseJSON>

/// `AuthenticationResponseJSON` (L3 §5.1): the result of `navigator.credentials.get()`.
public typealias AuthenticationResponseJSON = PublicKeyCredentialJSON<AuthenticatorAssertionResponseJSON>

public struct AuthenticatorAttestationResponseJSON: Codable, Sendable {
    public var clientDataJSON: String
    public var attestationObject: String
    /// L3 convenience members; informational only — the verifier reads the attestation object.
    public var authenticatorData: String?
    public var transports: [String]?
    public var publicKey: String?
    public var publicKeyAlgorithm: Int64?

    public init(clientDataJSON: String, attestationObject: String, authenticatorData: String? = nil, transports: [String]? = nil,
                publicKey: String? = nil, publicKeyAlgorithm: Int64? = nil) {
        self.clientDataJSON = clientDataJSON
        self.attestationObject = attestationObject
        self.authenticatorData = authenticatorData
        self.transports = transports
        self.publicKey = publicKey
        self.publicKeyAlgorithm = publicKeyAlgorithm
    }
}

public struct AuthenticatorAssertionResponseJSON: Codable, Sendable {
    public var clientDataJSON: String
    public var authenticatorData: String
    public var signature: String
    public var userHandle: String?

    public init(clientDataJSON: String, authenticatorData: String, signature: String, userHandle: String? = nil) {
        self.clientDataJSON = clientDataJSON
        self.authenticatorData = authenticatorData
        self.signature = signature
        self.userHandle = userHandle
    }
}

/// Client extension outputs (`AuthenticationExtensionsClientOutputsJSON`). Unknown members are ignored.
public struct ClientExtensionResults: Codable, Sendable, Equatable {
    public var appid: Bool?
    public var appidExclude: Bool?
    public var credProps: CredentialProperties?
    public var prf: PRFOutputs?
    public var largeBlob: LargeBlobOutputs?
    public var credProtect: Int?

    public init(appid: Bool? = nil, appidExclude: Bool? = nil, credProps: CredentialProperties? = nil, prf: PRFOutputs? = nil,
                largeBlob: LargeBlobOutputs? = nil, credProtect: Int? = nil) {
        self.appid = appid
        self.appidExclude = appidExclude
        self.credProps = credProps
        self.prf = prf
        self.largeBlob = largeBlob
        self.credProtect = credProtect
    }

    public struct CredentialProperties: Codable, Sendable, Equatable {
        public var rk: Bool?
        public init(rk: Bool? = nil) { self.rk = rk }
    }

    public struct PRFOutputs: Codable, Sendable, Equatable {
        public var enabled: Bool?
        public var results: PRFValues?
        public init(enabled: Bool? = nil, results: PRFValues? = nil) {
            self.enabled = enabled
            self.results = results
        }
    }

    public struct PRFValues: Codable, Sendable, Equatable {
        public var first: String
        public var second: String?
        public init(first: String, second: String? = nil) {
            self.first = first
            self.second = second
        }
    }

    public struct LargeBlobOutputs: Codable, Sendable, Equatable {
        public var supported: Bool?
        public var blob: String?
        public var written: Bool?
        public init(supported: Bool? = nil, blob: String? = nil, written: Bool? = nil) {
            self.supported = supported
            self.blob = blob
            self.written = written
        }
    }
}
