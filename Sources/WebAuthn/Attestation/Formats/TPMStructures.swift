import Crypto

/// Reads the big-endian, length-prefixed marshalling of TPM 2.0 structures
/// ([TPMv2-Part2] §5 and §10). Every read is bounds-checked and throws
/// `attestation_statement_invalid` instead of trapping: the bytes come from the client.
struct TPMReader {
    private let bytes: [UInt8]
    private(set) var offset = 0
    /// Named in errors ("pubArea", "certInfo").
    let structure: String

    init(_ bytes: [UInt8], structure: String) {
        self.bytes = bytes
        self.structure = structure
    }

    var remaining: Int { bytes.count - offset }

    private func truncated(_ field: String) -> WebAuthnError {
        .statement("tpm: \(structure) is truncated at \(field) (offset \(offset), \(bytes.count) bytes)")
    }

    mutating func take(_ count: Int, _ field: String) throws(WebAuthnError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw truncated(field) }
        let slice = Array(bytes[offset..<(offset + count)])
        offset += count
        return slice
    }

    mutating func uint8(_ field: String) throws(WebAuthnError) -> UInt8 {
        guard remaining >= 1 else { throw truncated(field) }
        let value = bytes[offset]
        offset += 1
        return value
    }

    mutating func uint16(_ field: String) throws(WebAuthnError) -> UInt16 {
        try take(2, field).reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func uint32(_ field: String) throws(WebAuthnError) -> UInt32 {
        try take(4, field).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func uint64(_ field: String) throws(WebAuthnError) -> UInt64 {
        try take(8, field).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A TPM2B_* structure: a UINT16 size, then that many bytes.
    mutating func sized(_ field: String) throws(WebAuthnError) -> [UInt8] {
        let count = try uint16("\(field).size")
        return try take(Int(count), field)
    }

    /// The whole structure must be consumed: nothing unverified may trail.
    func requireEnd() throws(WebAuthnError) {
        guard remaining == 0 else { throw .statement("tpm: \(structure) has \(remaining) unexpected trailing bytes") }
    }
}

/// TPM_ALG_ID values used by WebAuthn TPM attestation ([TPMv2-Part2] §6.3, TCG Algorithm Registry).
enum TPMAlgorithmID {
    static let rsa: UInt16 = 0x0001
    static let sha1: UInt16 = 0x0004
    static let sha256: UInt16 = 0x000B
    static let sha384: UInt16 = 0x000C
    static let sha512: UInt16 = 0x000D
    static let null: UInt16 = 0x0010
    static let ecc: UInt16 = 0x0023

    /// The digest of `data` under a TPM hash algorithm, or `nil` for an algorithm this
    /// implementation does not compute (SM3, SHA-3).
    static func digest(_ data: [UInt8], algorithm: UInt16) -> [UInt8]? {
        switch algorithm {
        case sha1: Array(Insecure.SHA1.hash(data: data))
        case sha256: Array(SHA256.hash(data: data))
        case sha384: Array(SHA384.hash(data: data))
        case sha512: Array(SHA512.hash(data: data))
        default: nil
        }
    }
}

/// TPM_ECC_CURVE values ([TPMv2-Part2] §6.4).
enum TPMECCCurve {
    static let nistP256: UInt16 = 0x0003
    static let nistP384: UInt16 = 0x0004
    static let nistP521: UInt16 = 0x0005
}

/// TPMT_PUBLIC ([TPMv2-Part2] §12.2.4): the public area of the credential key, as the TPM
/// holds it. Only the RSA and ECC object types can carry a WebAuthn credential.
struct TPMPublicArea {
    enum Parameters: Equatable {
        /// TPMS_RSA_PARMS (§12.2.3.5). `exponent` 0 means the default 2^16 + 1.
        case rsa(symmetric: UInt16, scheme: UInt16, keyBits: UInt16, exponent: UInt32)
        /// TPMS_ECC_PARMS (§12.2.3.6).
        case ecc(symmetric: UInt16, scheme: UInt16, curveID: UInt16, kdf: UInt16)
    }

    enum Unique: Equatable {
        /// TPM2B_PUBLIC_KEY_RSA: the modulus, big-endian.
        case rsa(modulus: [UInt8])
        /// TPMS_ECC_POINT: the affine coordinates, big-endian.
        case ecc(x: [UInt8], y: [UInt8])
    }

    let type: UInt16
    let nameAlg: UInt16
    let objectAttributes: UInt32
    let authPolicy: [UInt8]
    let parameters: Parameters
    let unique: Unique

    /// The largest public area accepted (a 16384-bit RSA key with a SHA-512 policy is far below it).
    static let maxBytes = 4096

    /// Parses a complete TPMT_PUBLIC.
    ///
    /// TPM 2.0 marshals the details of a scheme (`TPMT_RSA_SCHEME`, `TPMT_ECC_SCHEME`,
    /// `TPMT_KDF_SCHEME`, `TPMT_SYM_DEF_OBJECT`) only when its algorithm is not TPM_ALG_NULL.
    /// Some software TPM emulators (java-webauthn-server's test authenticator) write a
    /// non-NULL RSA scheme without its hash algorithm. When the spec-conformant reading does
    /// not span the bytes exactly, that reading is tried too. This costs nothing: the
    /// attested Name is a hash of these exact bytes, and a genuine TPM only ever names a
    /// canonically marshalled public area, so no TPM-signed certInfo can cover bytes that
    /// only the fallback accepts.
    init(_ bytes: [UInt8]) throws(WebAuthnError) {
        guard bytes.count <= Self.maxBytes else { throw .statement("tpm: pubArea of \(bytes.count) bytes exceeds \(Self.maxBytes)") }
        do {
            self = try Self.parse(bytes, schemeDetailsOmitted: false)
        } catch {
            guard let lenient = try? Self.parse(bytes, schemeDetailsOmitted: true) else { throw error }
            self = lenient
        }
    }

    private init(type: UInt16, nameAlg: UInt16, objectAttributes: UInt32, authPolicy: [UInt8], parameters: Parameters, unique: Unique) {
        self.type = type
        self.nameAlg = nameAlg
        self.objectAttributes = objectAttributes
        self.authPolicy = authPolicy
        self.parameters = parameters
        self.unique = unique
    }

    private static func parse(_ bytes: [UInt8], schemeDetailsOmitted: Bool) throws(WebAuthnError) -> TPMPublicArea {
        var reader = TPMReader(bytes, structure: "pubArea")
        let type = try reader.uint16("type")
        let nameAlg = try reader.uint16("nameAlg")
        let objectAttributes = try reader.uint32("objectAttributes")
        let authPolicy = try reader.sized("authPolicy")

        // TPMT_SYM_DEF_OBJECT: algorithm, then keyBits and mode unless it is TPM_ALG_NULL.
        func symmetric(_ reader: inout TPMReader) throws(WebAuthnError) -> UInt16 {
            let algorithm = try reader.uint16("parameters.symmetric")
            if algorithm != TPMAlgorithmID.null {
                _ = try reader.uint16("parameters.symmetric.keyBits")
                _ = try reader.uint16("parameters.symmetric.mode")
            }
            return algorithm
        }
        // TPMT_*_SCHEME: scheme, then its hash algorithm unless it is TPM_ALG_NULL.
        func scheme(_ reader: inout TPMReader, _ field: String, detailsOmitted: Bool) throws(WebAuthnError) -> UInt16 {
            let scheme = try reader.uint16(field)
            if scheme != TPMAlgorithmID.null && !detailsOmitted {
                _ = try reader.uint16("\(field).hashAlg")
            }
            return scheme
        }

        let parameters: Parameters
        let unique: Unique
        switch type {
        case TPMAlgorithmID.rsa:
            let sym = try symmetric(&reader)
            let sch = try scheme(&reader, "parameters.scheme", detailsOmitted: schemeDetailsOmitted)
            let keyBits = try reader.uint16("parameters.keyBits")
            let exponent = try reader.uint32("parameters.exponent")
            parameters = .rsa(symmetric: sym, scheme: sch, keyBits: keyBits, exponent: exponent)
            unique = .rsa(modulus: try reader.sized("unique"))
        case TPMAlgorithmID.ecc:
            let sym = try symmetric(&reader)
            let sch = try scheme(&reader, "parameters.scheme", detailsOmitted: schemeDetailsOmitted)
            let curveID = try reader.uint16("parameters.curveID")
            let kdf = try scheme(&reader, "parameters.kdf", detailsOmitted: schemeDetailsOmitted)
            parameters = .ecc(symmetric: sym, scheme: sch, curveID: curveID, kdf: kdf)
            let x = try reader.sized("unique.x")
            let y = try reader.sized("unique.y")
            unique = .ecc(x: x, y: y)
        default:
            throw .statement("tpm: pubArea type 0x\(String(type, radix: 16)) is neither TPM_ALG_RSA nor TPM_ALG_ECC")
        }
        try reader.requireEnd()
        return TPMPublicArea(type: type, nameAlg: nameAlg, objectAttributes: objectAttributes, authPolicy: authPolicy, parameters: parameters, unique: unique)
    }
}

/// TPMS_ATTEST ([TPMv2-Part2] §10.12.12) restricted to what `tpm` attestation allows:
/// a TPM-generated (`magic`) certification (`type` TPM_ST_ATTEST_CERTIFY) whose attested
/// member is a TPMS_CERTIFY_INFO (§10.12.3).
struct TPMCertifyInfo {
    /// TPM_GENERATED_VALUE ([TPMv2-Part2] §6.2).
    static let generatedMagic: UInt32 = 0xFF54_4347
    /// TPM_ST_ATTEST_CERTIFY ([TPMv2-Part2] §6.9).
    static let attestCertify: UInt16 = 0x8017
    static let maxBytes = 4096

    let qualifiedSigner: [UInt8]
    let extraData: [UInt8]
    /// TPMS_CLOCK_INFO: clock, resetCount, restartCount, safe. Not verified (§8.3: "MAY be
    /// used as an input to risk engines").
    let clock: UInt64
    let resetCount: UInt32
    let restartCount: UInt32
    let safe: UInt8
    let firmwareVersion: UInt64
    /// TPMS_CERTIFY_INFO.name: nameAlg || H_nameAlg(pubArea) of the certified object.
    let attestedName: [UInt8]
    let attestedQualifiedName: [UInt8]

    init(_ bytes: [UInt8]) throws(WebAuthnError) {
        guard bytes.count <= Self.maxBytes else { throw .statement("tpm: certInfo of \(bytes.count) bytes exceeds \(Self.maxBytes)") }
        var reader = TPMReader(bytes, structure: "certInfo")
        let magic = try reader.uint32("magic")
        guard magic == Self.generatedMagic else {
            throw .statement("tpm: certInfo.magic 0x\(String(magic, radix: 16)) is not TPM_GENERATED_VALUE")
        }
        let type = try reader.uint16("type")
        guard type == Self.attestCertify else {
            throw .statement("tpm: certInfo.type 0x\(String(type, radix: 16)) is not TPM_ST_ATTEST_CERTIFY")
        }
        qualifiedSigner = try reader.sized("qualifiedSigner")
        extraData = try reader.sized("extraData")
        clock = try reader.uint64("clockInfo.clock")
        resetCount = try reader.uint32("clockInfo.resetCount")
        restartCount = try reader.uint32("clockInfo.restartCount")
        safe = try reader.uint8("clockInfo.safe")
        firmwareVersion = try reader.uint64("firmwareVersion")
        attestedName = try reader.sized("attested.name")
        attestedQualifiedName = try reader.sized("attested.qualifiedName")
        try reader.requireEnd()
    }
}
