/// `PublicKeyCredentialCreationOptionsJSON` (WebAuthn L3 §5.4, JSON form for `parseCreationOptionsFromJSON`).
public struct PublicKeyCredentialCreationOptionsJSON: Codable, Sendable, Equatable {
    public var rp: RelyingPartyEntity
    public var user: UserEntity
    public var challenge: String
    public var pubKeyCredParams: [CredentialParameters]
    public var timeout: Int?
    public var excludeCredentials: [CredentialDescriptor]?
    public var authenticatorSelection: AuthenticatorSelection?
    public var hints: [String]?
    public var attestation: String?
    public var attestationFormats: [String]?
    public var extensions: ExtensionInputs?

    public struct RelyingPartyEntity: Codable, Sendable, Equatable {
        public var id: String?
        public var name: String
    }

    public struct UserEntity: Codable, Sendable, Equatable {
        /// base64url of the user handle (at most 64 bytes, no personal data).
        public var id: String
        public var name: String
        public var displayName: String
    }

    public struct CredentialParameters: Codable, Sendable, Equatable {
        public var type: String
        public var alg: Int64
        public init(alg: COSEAlgorithm) {
            type = "public-key"
            self.alg = alg.rawValue
        }
    }

    public struct AuthenticatorSelection: Codable, Sendable, Equatable {
        public var authenticatorAttachment: String?
        public var residentKey: String?
        public var requireResidentKey: Bool?
        public var userVerification: String?
    }
}

/// `PublicKeyCredentialRequestOptionsJSON` (WebAuthn L3 §5.5).
public struct PublicKeyCredentialRequestOptionsJSON: Codable, Sendable, Equatable {
    public var challenge: String
    public var timeout: Int?
    public var rpId: String?
    public var allowCredentials: [CredentialDescriptor]?
    public var userVerification: String?
    public var hints: [String]?
    public var extensions: ExtensionInputs?
}

public struct CredentialDescriptor: Codable, Sendable, Equatable {
    public var type: String
    public var id: String
    public var transports: [String]?

    public init(id: [UInt8], transports: [String]? = nil) {
        type = "public-key"
        self.id = Base64URL.encode(id)
        self.transports = transports
    }
}

/// Extension inputs an RP sends (L3 §9, §10). Only the ones Claviger asks for.
public struct ExtensionInputs: Codable, Sendable, Equatable {
    public var credProps: Bool?
    public var prf: PRFInputs?
    public var largeBlob: LargeBlobInputs?
    public var credentialProtectionPolicy: String?
    public var enforceCredentialProtectionPolicy: Bool?
    public var appid: String?
    public var appidExclude: String?
    public var payment: PaymentInputs?

    public init(credProps: Bool? = nil, prf: PRFInputs? = nil, largeBlob: LargeBlobInputs? = nil, credentialProtectionPolicy: String? = nil,
                enforceCredentialProtectionPolicy: Bool? = nil, appid: String? = nil, appidExclude: String? = nil, payment: PaymentInputs? = nil) {
        self.credProps = credProps
        self.prf = prf
        self.largeBlob = largeBlob
        self.credentialProtectionPolicy = credentialProtectionPolicy
        self.enforceCredentialProtectionPolicy = enforceCredentialProtectionPolicy
        self.appid = appid
        self.appidExclude = appidExclude
        self.payment = payment
    }

    public struct PRFInputs: Codable, Sendable, Equatable {
        public var eval: PRFSalts?
        public init(eval: PRFSalts? = nil) { self.eval = eval }
    }

    public struct PRFSalts: Codable, Sendable, Equatable {
        public var first: String
        public var second: String?
        public init(first: String, second: String? = nil) {
            self.first = first
            self.second = second
        }
    }

    public struct LargeBlobInputs: Codable, Sendable, Equatable {
        public var support: String?
        public var read: Bool?
        public var write: String?
        public init(support: String? = nil, read: Bool? = nil, write: String? = nil) {
            self.support = support
            self.read = read
            self.write = write
        }
    }

    /// The Secure Payment Confirmation registration marker (`isPayment`).
    public struct PaymentInputs: Codable, Sendable, Equatable {
        public var isPayment: Bool
        public init(isPayment: Bool) { self.isPayment = isPayment }
    }
}

/// `UserVerificationRequirement` (L3 §5.8.6). `required` is the bank default.
public enum UserVerificationRequirement: String, Codable, Sendable {
    case required, preferred, discouraged
}
