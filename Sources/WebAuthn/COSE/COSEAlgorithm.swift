/// COSE algorithm identifiers (IANA COSE Algorithms registry) that WebAuthn credentials use.
public enum COSEAlgorithm: Int64, Sendable, CaseIterable, Codable {
    case es256 = -7
    case es384 = -35
    case es512 = -36
    /// Fully specified ECDSA P-256 / SHA-256 (RFC 9864).
    case esp256 = -9
    case esp384 = -51
    case esp512 = -52
    case edDSA = -8
    /// Fully specified Ed25519 (RFC 9864).
    case ed25519 = -19
    case rs256 = -257
    case rs384 = -258
    case rs512 = -259
    case ps256 = -37
    case ps384 = -38
    case ps512 = -39
    /// RSASSA-PKCS1-v1_5 with SHA-1: insecure, accepted only when a policy allows SHA-1.
    case rs1 = -65535
    case mlDSA65 = -49
    case mlDSA87 = -50

    public var name: String {
        switch self {
        case .es256: "ES256"
        case .es384: "ES384"
        case .es512: "ES512"
        case .esp256: "ESP256"
        case .esp384: "ESP384"
        case .esp512: "ESP512"
        case .edDSA: "EdDSA"
        case .ed25519: "Ed25519"
        case .rs256: "RS256"
        case .rs384: "RS384"
        case .rs512: "RS512"
        case .ps256: "PS256"
        case .ps384: "PS384"
        case .ps512: "PS512"
        case .rs1: "RS1"
        case .mlDSA65: "ML-DSA-65"
        case .mlDSA87: "ML-DSA-87"
        }
    }

    /// Algorithms that rest on SHA-1 and need an explicit policy switch.
    public var isSHA1: Bool { self == .rs1 }
}

/// COSE key types (RFC 9053 §7, RFC 9864 for AKP).
public enum COSEKeyType: Int64, Sendable {
    case okp = 1
    case ec2 = 2
    case rsa = 3
    case akp = 7
}

/// COSE elliptic curves (RFC 9053 §7.1).
public enum COSECurve: Int64, Sendable {
    case p256 = 1
    case p384 = 2
    case p521 = 3
    case ed25519 = 6
}
