import Crypto
import Foundation
import SwiftASN1
import WebAuthn
import X509

// MARK: - Android key attestation

/// The Android Keystore `KeyDescription` extension (OID 1.3.6.1.4.1.11129.2.1.17), as the
/// Android key attestation schema defines it:
///
/// ```
/// KeyDescription ::= SEQUENCE {
///   attestationVersion INTEGER, attestationSecurityLevel SecurityLevel,
///   keyMintVersion INTEGER, keyMintSecurityLevel SecurityLevel,
///   attestationChallenge OCTET STRING, uniqueId OCTET STRING,
///   softwareEnforced AuthorizationList, hardwareEnforced AuthorizationList }
/// ```
public struct TestAndroidKeyDescription: Sendable {
    public static let extensionOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 11129, 2, 1, 17]

    public enum SecurityLevel: Int, Sendable { case software = 0, trustedEnvironment = 1, strongBox = 2 }

    /// An `AuthorizationList` with the members WebAuthn looks at (and a few that real devices add).
    public struct AuthorizationList: Sendable {
        /// `[1] purpose SET OF INTEGER` (KM_PURPOSE_SIGN = 2).
        public var purpose: [Int]?
        /// `[2] algorithm` (KM_ALGORITHM_EC = 3, RSA = 1).
        public var algorithm: Int?
        /// `[3] keySize`.
        public var keySize: Int?
        /// `[5] digest SET OF INTEGER` (SHA-2 256 = 4).
        public var digest: [Int]?
        /// `[10] ecCurve` (P-256 = 1).
        public var ecCurve: Int?
        /// `[503] noAuthRequired NULL`.
        public var noAuthRequired = false
        /// `[600] allApplications NULL`: must be absent for WebAuthn.
        public var allApplications = false
        /// `[701] creationDateTime` (milliseconds since the epoch).
        public var creationDateTime: Int?
        /// `[702] origin` (KM_ORIGIN_GENERATED = 0).
        public var origin: Int?
        /// `[705] osVersion`, `[706] osPatchLevel`.
        public var osVersion: Int?
        public var osPatchLevel: Int?

        public init(purpose: [Int]? = nil, algorithm: Int? = nil, keySize: Int? = nil, digest: [Int]? = nil, ecCurve: Int? = nil,
                    noAuthRequired: Bool = false, allApplications: Bool = false, creationDateTime: Int? = nil, origin: Int? = nil,
                    osVersion: Int? = nil, osPatchLevel: Int? = nil) {
            self.purpose = purpose
            self.algorithm = algorithm
            self.keySize = keySize
            self.digest = digest
            self.ecCurve = ecCurve
            self.noAuthRequired = noAuthRequired
            self.allApplications = allApplications
            self.creationDateTime = creationDateTime
            self.origin = origin
            self.osVersion = osVersion
            self.osPatchLevel = osPatchLevel
        }

        /// What a key generated in the keystore for WebAuthn carries.
        public static func generatedSigningKey(ec: Bool) -> AuthorizationList {
            AuthorizationList(purpose: [2], algorithm: ec ? 3 : 1, keySize: ec ? 256 : 2048, digest: [4], ecCurve: ec ? 1 : nil,
                              noAuthRequired: true, origin: 0, osVersion: 140000, osPatchLevel: 202_406)
        }

        func serialize(into serializer: inout DER.Serializer) throws {
            func integer(_ tag: UInt, _ value: Int?, _ s: inout DER.Serializer) throws {
                if let value { try s.serialize(value, explicitlyTaggedWithTagNumber: tag, tagClass: .contextSpecific) }
            }
            func set(_ tag: UInt, _ values: [Int]?, _ s: inout DER.Serializer) throws {
                guard let values else { return }
                try s.serialize(explicitlyTaggedWithTagNumber: tag, tagClass: .contextSpecific) { inner in
                    try inner.serializeSetOf(values)
                }
            }
            func null(_ tag: UInt, _ present: Bool, _ s: inout DER.Serializer) throws {
                if present { try s.serialize(ASN1Null(), explicitlyTaggedWithTagNumber: tag, tagClass: .contextSpecific) }
            }
            try serializer.appendConstructedNode(identifier: .sequence) { s in
                try set(1, purpose, &s)
                try integer(2, algorithm, &s)
                try integer(3, keySize, &s)
                try set(5, digest, &s)
                try integer(10, ecCurve, &s)
                try null(503, noAuthRequired, &s)
                try null(600, allApplications, &s)
                try integer(701, creationDateTime, &s)
                try integer(702, origin, &s)
                try integer(705, osVersion, &s)
                try integer(706, osPatchLevel, &s)
            }
        }
    }

    public var attestationVersion = 200
    public var attestationSecurityLevel = SecurityLevel.trustedEnvironment
    public var keyMintVersion = 200
    public var keyMintSecurityLevel = SecurityLevel.trustedEnvironment
    public var attestationChallenge: [UInt8]
    public var uniqueID: [UInt8] = []
    public var softwareEnforced = AuthorizationList(creationDateTime: 1_717_000_000_000)
    public var teeEnforced: AuthorizationList

    public init(attestationChallenge: [UInt8], ecKey: Bool = true) {
        self.attestationChallenge = attestationChallenge
        self.teeEnforced = .generatedSigningKey(ec: ecKey)
    }

    public func der() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { s in
            try s.serialize(attestationVersion)
            try attestationSecurityLevel.rawValue.serialize(into: &s, withIdentifier: .enumerated)
            try s.serialize(keyMintVersion)
            try keyMintSecurityLevel.rawValue.serialize(into: &s, withIdentifier: .enumerated)
            try s.serialize(ASN1OctetString(contentBytes: ArraySlice(attestationChallenge)))
            try s.serialize(ASN1OctetString(contentBytes: ArraySlice(uniqueID)))
            try softwareEnforced.serialize(into: &s)
            try teeEnforced.serialize(into: &s)
        }
        return serializer.serializedBytes
    }
}

// MARK: - TPM

/// TPM 2.0 structures for the `tpm` format (TPM 2.0 Library Part 2).
public enum TPMEncoding {
    public static let algRSA: UInt16 = 0x0001
    public static let algSHA1: UInt16 = 0x0004
    public static let algSHA256: UInt16 = 0x000B
    public static let algSHA384: UInt16 = 0x000C
    public static let algSHA512: UInt16 = 0x000D
    public static let algNull: UInt16 = 0x0010
    public static let algRSASSA: UInt16 = 0x0014
    public static let algECDSA: UInt16 = 0x0018
    public static let algECC: UInt16 = 0x0023
    public static let eccNistP256: UInt16 = 0x0003
    public static let eccNistP384: UInt16 = 0x0004
    public static let eccNistP521: UInt16 = 0x0005
    public static let generatedValue: UInt32 = 0xFF54_4347
    public static let stAttestCertify: UInt16 = 0x8017
    /// fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | noDA | sign (what Windows Hello keys carry).
    public static let signingKeyAttributes: UInt32 = 0x0006_0472

    /// `TPMT_PUBLIC` for a credential key.
    public static func pubArea(for key: CredentialPrivateKey, nameAlg: UInt16, objectAttributes: UInt32 = signingKeyAttributes) throws -> [UInt8] {
        var out: [UInt8] = []
        if let (n, e) = key.rsaPublicNumbers {
            out.append(u16: algRSA)
            out.append(u16: nameAlg)
            out.append(u32: objectAttributes)
            out.append(tpm2b: [])                  // authPolicy
            out.append(u16: algNull)               // symmetric
            out.append(u16: algRSASSA)             // scheme
            out.append(u16: UInt16(n.count * 8))   // keyBits
            let exponent = e.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            out.append(u32: exponent == 65537 ? 0 : exponent)  // 0 means the default 2^16+1
            out.append(tpm2b: n)
        } else if let (curve, x, y) = key.ecCoordinates {
            let curveID: UInt16 = switch curve {
            case .p256: eccNistP256
            case .p384: eccNistP384
            default: eccNistP521
            }
            out.append(u16: algECC)
            out.append(u16: nameAlg)
            out.append(u32: objectAttributes)
            out.append(tpm2b: [])                  // authPolicy
            out.append(u16: algNull)               // symmetric
            out.append(u16: algNull)               // scheme
            out.append(u16: curveID)
            out.append(u16: algNull)               // kdf
            out.append(tpm2b: x)
            out.append(tpm2b: y)
        } else {
            throw TestAuthenticatorError("tpm: only RSA and EC credential keys fit a pubArea")
        }
        return out
    }

    public static func digest(_ data: [UInt8], alg: UInt16) -> [UInt8] {
        switch alg {
        case algSHA1: Array(Insecure.SHA1.hash(data: data))
        case algSHA384: Array(SHA384.hash(data: data))
        case algSHA512: Array(SHA512.hash(data: data))
        default: Array(SHA256.hash(data: data))
        }
    }

    /// The TPM hash algorithm behind a COSE signature algorithm (what `extraData` is hashed with).
    public static func hashAlgorithm(for alg: COSEAlgorithm) -> UInt16 {
        switch alg {
        case .rs1: algSHA1
        case .rs384, .ps384, .es384, .esp384: algSHA384
        case .rs512, .ps512, .es512, .esp512: algSHA512
        default: algSHA256
        }
    }

    /// `TPMS_ATTEST` of type `TPM_ST_ATTEST_CERTIFY` over `pubArea`.
    public static func certInfo(pubArea: [UInt8], nameAlg: UInt16, extraData: [UInt8], magic: UInt32 = generatedValue,
                                type: UInt16 = stAttestCertify) -> [UInt8] {
        var out: [UInt8] = []
        out.append(u32: magic)
        out.append(u16: type)
        // qualifiedSigner: a TPM2B_NAME (nameAlg || digest) of a made-up signing key.
        var signerName: [UInt8] = []
        signerName.append(u16: algSHA256)
        signerName += Array(SHA256.hash(data: Array("claviger-test-aik".utf8)))
        out.append(tpm2b: signerName)
        out.append(tpm2b: extraData)
        // clockInfo: clock u64, resetCount u32, restartCount u32, safe u8.
        out.append(u64: 0x0000_0001_2345_6789)
        out.append(u32: 17)
        out.append(u32: 3)
        out.append(0x01)
        out.append(u64: 0x0007_0002_0000_0000) // firmwareVersion
        // attested: TPMS_CERTIFY_INFO { name, qualifiedName }.
        var name: [UInt8] = []
        name.append(u16: nameAlg)
        name += digest(pubArea, alg: nameAlg)
        out.append(tpm2b: name)
        var qualifiedName: [UInt8] = []
        qualifiedName.append(u16: nameAlg)
        qualifiedName += digest(name, alg: nameAlg)
        out.append(tpm2b: qualifiedName)
        return out
    }
}

extension [UInt8] {
    mutating func append(u16 value: UInt16) { append(contentsOf: [UInt8(value >> 8), UInt8(value & 0xFF)]) }
    mutating func append(u32 value: UInt32) { for shift in stride(from: 24, through: 0, by: -8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) } }
    mutating func append(u64 value: UInt64) { for shift in stride(from: 56, through: 0, by: -8) { append(UInt8((value >> UInt64(shift)) & 0xFF)) } }
    mutating func append(tpm2b bytes: [UInt8]) {
        append(u16: UInt16(truncatingIfNeeded: bytes.count))
        append(contentsOf: bytes)
    }
}

// MARK: - SafetyNet

/// The SafetyNet attestation JWS (`attStmt.response`).
public struct SafetyNetJWS: Sendable {
    /// Payload members after `nonce`, in the order Google emits them.
    public var timestamp: Date
    public var apkPackageName = "com.google.android.gms"
    public var ctsProfileMatch = true
    public var basicIntegrity = true
    public var evaluationType = "BASIC"
    /// Extra payload members or replacements (applied last).
    public var extraPayload: [OrderedJSON.Member] = []
    /// Overrides the nonce (base64 of SHA-256(authData || clientDataHash) otherwise).
    public var nonceOverride: String?

    public init(timestamp: Date = Date()) { self.timestamp = timestamp }

    func compact(nonce: [UInt8], chain: [Certificate], key: AttestationSigningKey) throws -> [UInt8] {
        let header = OrderedJSON.object([
            .init("alg", "RS256"),
            .init("x5c", .array(chain.map { .string(Data($0.x5cBytes).base64EncodedString()) })),
        ])
        var members: [OrderedJSON.Member] = [
            .init("nonce", .string(nonceOverride ?? Data(nonce).base64EncodedString())),
            .init("timestampMs", .number((timestamp.timeIntervalSince1970 * 1000).rounded())),
            .init("apkPackageName", .string(apkPackageName)),
            .init("apkDigestSha256", .string(Data(SHA256.hash(data: Array(apkPackageName.utf8))).base64EncodedString())),
            .init("ctsProfileMatch", .bool(ctsProfileMatch)),
            .init("apkCertificateDigestSha256", .array([.string(Data(SHA256.hash(data: [0x01])).base64EncodedString())])),
            .init("basicIntegrity", .bool(basicIntegrity)),
            .init("evaluationType", .string(evaluationType)),
        ]
        for extra in extraPayload {
            if let index = members.firstIndex(where: { $0.key == extra.key }) { members[index] = extra } else { members.append(extra) }
        }
        let signingInput = Base64URL.encode(header.bytes) + "." + Base64URL.encode(OrderedJSON.object(members).bytes)
        let signature = try key.sign(Array(signingInput.utf8), alg: .rs256)
        return Array((signingInput + "." + Base64URL.encode(signature)).utf8)
    }
}
