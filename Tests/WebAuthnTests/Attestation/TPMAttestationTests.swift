import Foundation
import Testing
import Crypto
import X509
import SwiftASN1
@testable import WebAuthn

// MARK: - Shared vector access for the tpm, android-key and android-safetynet tests

/// One registration vector of /work/shared/vectors (format `webauthn-test-vector/1`), reduced to
/// what a format verifier needs.
struct FormatVector: Sendable, CustomTestStringConvertible {
    let id: String
    let format: String
    let outcome: String
    let reasonCode: String?
    let attestationObject: [UInt8]
    let clientDataJSON: [UInt8]
    /// `options.verification_time`, else `derived.suggested_verification_time`.
    let verificationTime: Date?
    let options: JSONValue
    let safetyNetTimestampMs: Double?

    var testDescription: String { id }

    /// `<package root>/../shared/vectors/registration`, found from this file's path.
    static let registrationDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent() // Attestation
        .deletingLastPathComponent() // WebAuthnTests
        .deletingLastPathComponent() // Tests
        .deletingLastPathComponent() // package root
        .appendingPathComponent("../shared/vectors/registration")
        .standardizedFileURL

    /// Every vector of `format` (none when the vectors folder is absent), sorted by id.
    static func all(format: String) -> [FormatVector] {
        let manager = FileManager.default
        guard let sources = try? manager.contentsOfDirectory(atPath: registrationDirectory.path) else { return [] }
        var vectors: [FormatVector] = []
        for source in sources.sorted() {
            let folder = registrationDirectory.appendingPathComponent(source)
            guard let files = try? manager.contentsOfDirectory(atPath: folder.path) else { continue }
            for file in files.sorted() where file.hasSuffix(".json") {
                guard let data = manager.contents(atPath: folder.appendingPathComponent(file).path),
                      let vector = FormatVector(json: Array(data)), vector.format == format else { continue }
                vectors.append(vector)
            }
        }
        return vectors.sorted { $0.id < $1.id }
    }

    static func named(_ id: String, format: String) -> FormatVector? {
        all(format: format).first { $0.id == id }
    }

    init?(json bytes: [UInt8]) {
        guard case .success(let root) = JSONValue.parse(bytes, limits: .init(maxDepth: 64, maxBytes: 16 * 1024 * 1024)),
              let id = root["id"]?.stringValue,
              let format = root["attestation_format"]?.stringValue,
              let outcome = root["expected"]?["outcome"]?.stringValue,
              let response = root["response"]?["response"],
              let attestationObject = response["attestationObject"]?.stringValue.flatMap(Base64URL.decode),
              let clientDataJSON = response["clientDataJSON"]?.stringValue.flatMap(Base64URL.decode) else { return nil }
        self.id = id
        self.format = format
        self.outcome = outcome
        self.reasonCode = root["expected"]?["reason_code"]?.stringValue
        self.attestationObject = attestationObject
        self.clientDataJSON = clientDataJSON
        self.options = root["options"] ?? .object([:])
        let time = root["options"]?["verification_time"]?.stringValue ?? root["derived"]?["suggested_verification_time"]?.stringValue
        self.verificationTime = time.flatMap(FormatVector.parseTime)
        self.safetyNetTimestampMs = root["derived"]?["safetynet_payload"]?["timestampMs"]?.numberValue
    }

    static func parseTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    var clientDataHash: [UInt8] { Array(SHA256.hash(data: clientDataJSON)) }

    func decoded() throws -> AttestationObject { try AttestationObject(attestationObject) }

    /// The verifier input for this vector, `now` at the vector's verification time.
    func input(statement: CBOR? = nil, clientDataHash: [UInt8]? = nil, _ configure: (inout AttestationOptions) -> Void = { _ in }) throws -> AttestationInput {
        let object = try decoded()
        let credential = try #require(object.authenticatorData.attestedCredential, "\(id) has no attested credential data")
        var options = AttestationOptions(now: verificationTime ?? Date())
        configure(&options)
        return AttestationInput(
            statement: statement ?? object.statement,
            authenticatorData: object.authenticatorData,
            credential: credential,
            clientDataHash: clientDataHash ?? self.clientDataHash,
            options: options
        )
    }
}

extension CBOR {
    /// This map with `key` set to `value` (appended if absent), or removed when `value` is nil.
    func settingMember(_ key: String, to value: CBOR?) -> CBOR {
        var pairs = mapValue ?? []
        if let index = pairs.firstIndex(where: { $0.key == .text(key) }) {
            if let value { pairs[index].value = value } else { pairs.remove(at: index) }
        } else if let value {
            pairs.append(CBORPair(.text(key), value))
        }
        return .map(pairs)
    }
}

/// The error code a throwing verification produced, or nil when it succeeded.
func verificationErrorCode(_ body: () throws(WebAuthnError) -> AttestationStatementResult) -> WebAuthnError.Code? {
    do {
        _ = try body()
        return nil
    } catch {
        return error.code
    }
}

// MARK: - TPM

@Suite struct TPMAttestationTests {
    static let vectors = FormatVector.all(format: "tpm")
    static let validVectors = vectors.filter { $0.outcome == "valid" }
    static let sha256Vector = "swa-reg-tpm-sha256-localhost"

    /// Valid vectors pass the tpm verification procedure (chain trust is checked later, by
    /// the ceremony). SHA-1 ones only with `allowSHA1`.
    @Test(arguments: validVectors)
    func valid_tpm_vector_passes_statement_verification(_ vector: FormatVector) throws {
        let object = try vector.decoded()
        #expect(object.format == "tpm")
        let input = try vector.input { $0.allowSHA1 = true }
        let result = try TPMAttestation.verify(input)
        #expect(result.type == .attCA)
        // x5c, leaf first; it stops before an intermediate swift-certificates cannot parse
        // (the FIDO conformance TPM CA has a negative serial number).
        #expect(result.trustPath.count >= 1)
        #expect(result.trustPath.count <= object.statement[text: "x5c"]?.arrayValue?.count ?? 0)
    }

    /// SHA-1 TPM statements (alg RS1) are refused by default with insecure_algorithm.
    @Test(arguments: vectors.filter { $0.attStmtAlg == COSEAlgorithm.rs1.rawValue })
    func sha1_tpm_vector_is_insecure_by_default(_ vector: FormatVector) throws {
        let input = try vector.input()
        #expect(verificationErrorCode { () throws(WebAuthnError) in try TPMAttestation.verify(input) } == .insecureAlgorithm)
    }

    /// Invalid vectors whose reason concerns the statement fail with that code.
    @Test(arguments: vectors.filter { $0.outcome == "invalid" })
    func invalid_tpm_vector_fails_with_its_reason_code(_ vector: FormatVector) throws {
        let input = try vector.input()
        let code = verificationErrorCode { () throws(WebAuthnError) in try TPMAttestation.verify(input) }
        #expect(code?.rawValue == vector.reasonCode)
    }

    @Test func windows_hello_tpm_sha1_registration_verifies_when_sha1_allowed() throws {
        guard let vector = FormatVector.named("yubico-reg-windows-hello-tpm", format: "tpm") else { return }
        let result = try TPMAttestation.verify(try vector.input { $0.allowSHA1 = true })
        #expect(result.type == .attCA)
        let device = try TPMAttestation.checkAIKCertificate(try #require(result.trustPath.first))
        #expect(device.manufacturer == "id:4E544300")
        #expect(device.vendorName == "Nuvoton")
    }

    @Test func windows_hello_tpm_sha256_registration_verifies() throws {
        guard let vector = FormatVector.named(Self.sha256Vector, format: "tpm") else { return }
        let result = try TPMAttestation.verify(try vector.input())
        #expect(result.type == .attCA)
    }

    @Test func tpm_ecc_p256_registration_verifies() throws {
        guard let vector = FormatVector.named("w3c-reg-tpm-es256", format: "tpm") else { return }
        #expect(try TPMAttestation.verify(try vector.input()).type == .attCA)
    }

    /// java-webauthn-server's software TPM writes a non-NULL RSA scheme (TPM_ALG_RSASSA) without
    /// its hashAlg, and a leading zero on the modulus; the tolerant reading accepts it.
    @Test func tpm_pubarea_with_scheme_details_omitted_is_read_leniently() throws {
        guard let vector = FormatVector.named("yubico-reg-td-tpm-valid-rs256", format: "tpm") else { return }
        let statement = try vector.decoded().statement
        let pubArea = try TPMPublicArea(try #require(statement[text: "pubArea"]?.bytesValue))
        #expect(pubArea.parameters == .rsa(symmetric: 0x0010, scheme: 0x0014, keyBits: 2048, exponent: 65537))
        #expect(try TPMAttestation.verify(try vector.input()).type == .attCA)
    }

    @Test func tpm_aaguid_extension_mismatch_is_rejected() throws {
        guard let vector = FormatVector.named("swa-reg-neg-tpm-aaguid-ext-mismatch", format: "tpm") else { return }
        let input = try vector.input()
        #expect(verificationErrorCode { () throws(WebAuthnError) in try TPMAttestation.verify(input) } == .aaguidMismatch)
    }

    // MARK: Mutations of a valid SHA-256 statement

    func sha256Statement() throws -> (FormatVector, CBOR)? {
        guard let vector = FormatVector.named(Self.sha256Vector, format: "tpm") else { return nil }
        return (vector, try vector.decoded().statement)
    }

    func code(_ vector: FormatVector, _ statement: CBOR, _ configure: (inout AttestationOptions) -> Void = { _ in }) throws -> WebAuthnError.Code? {
        let input = try vector.input(statement: statement, configure)
        return verificationErrorCode { () throws(WebAuthnError) in try TPMAttestation.verify(input) }
    }

    func mutated(_ statement: CBOR, _ key: String, _ change: (inout [UInt8]) -> Void) throws -> CBOR {
        var bytes = try #require(statement[text: key]?.bytesValue)
        change(&bytes)
        return statement.settingMember(key, to: .bytes(bytes))
    }

    /// Offset of certInfo.extraData's first byte: magic(4) type(2) qualifiedSigner(2+n) extraData.size(2).
    func extraDataOffset(_ certInfo: [UInt8]) throws -> Int {
        try #require(certInfo.count > 8)
        let signerLength = Int(certInfo[6]) << 8 | Int(certInfo[7])
        return 8 + signerLength + 2
    }

    @Test func tpm_certinfo_with_wrong_extra_data_is_rejected() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        let certInfo = try #require(statement[text: "certInfo"]?.bytesValue)
        let offset = try extraDataOffset(certInfo)
        let bad = try mutated(statement, "certInfo") { $0[offset] ^= 0x01 }
        #expect(try code(vector, bad) == .attestationStatementInvalid)
    }

    @Test func tpm_certinfo_with_wrong_magic_is_rejected() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        let bad = try mutated(statement, "certInfo") { $0[0] = 0x00 }
        #expect(try code(vector, bad) == .attestationStatementInvalid)
    }

    @Test func tpm_certinfo_with_wrong_type_is_rejected() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        let bad = try mutated(statement, "certInfo") { $0[5] = 0x14 } // TPM_ST_ATTEST_QUOTE
        #expect(try code(vector, bad) == .attestationStatementInvalid)
    }

    @Test func tpm_certinfo_with_wrong_attested_name_is_rejected() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        let bad = try mutated(statement, "certInfo") { bytes in
            // attested.name is followed by qualifiedName (2 + 34 bytes here); flip the name's last byte.
            let index = bytes.count - 36 - 1
            bytes[index] ^= 0xFF
        }
        #expect(try code(vector, bad) == .attestationStatementInvalid)
    }

    @Test func tpm_certinfo_with_trailing_bytes_is_rejected() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        let bad = try mutated(statement, "certInfo") { $0.append(0) }
        #expect(try code(vector, bad) == .attestationStatementInvalid)
    }

    @Test func tpm_certinfo_qualified_signer_change_breaks_the_signature() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        // qualifiedSigner is not interpreted, but it is signed.
        let bad = try mutated(statement, "certInfo") { $0[9] ^= 0x01 }
        #expect(try code(vector, bad) == .badSignature)
    }

    @Test func tpm_signature_with_flipped_byte_is_rejected() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        let bad = try mutated(statement, "sig") { $0[$0.count / 2] ^= 0x01 }
        #expect(try code(vector, bad) == .badSignature)
    }

    @Test func tpm_pubarea_with_changed_unique_is_rejected() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        let bad = try mutated(statement, "pubArea") { $0[$0.count - 1] ^= 0x01 }
        #expect(try code(vector, bad) == .attestationStatementInvalid)
    }

    @Test func tpm_pubarea_with_changed_attributes_breaks_the_name() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        // objectAttributes are not interpreted, but they are part of the Name certInfo attests.
        let bad = try mutated(statement, "pubArea") { $0[7] ^= 0x01 }
        #expect(try code(vector, bad) == .attestationStatementInvalid)
    }

    @Test func tpm_pubarea_with_other_exponent_is_rejected() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        // type(2) nameAlg(2) attributes(4) authPolicy(2+n) symmetric(2) scheme(2) keyBits(2) exponent(4)
        let pubArea = try #require(statement[text: "pubArea"]?.bytesValue)
        let policyLength = Int(pubArea[8]) << 8 | Int(pubArea[9])
        let exponentOffset = 10 + policyLength + 6
        let bad = try mutated(statement, "pubArea") { $0[exponentOffset + 3] = 0x03 }
        #expect(try code(vector, bad) == .attestationStatementInvalid)
    }

    @Test func tpm_pubarea_of_unknown_type_is_rejected() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        let bad = try mutated(statement, "pubArea") { $0[1] = 0x25 } // TPM_ALG_SYMCIPHER
        #expect(try code(vector, bad) == .attestationStatementInvalid)
    }

    @Test func tpm_truncated_pubarea_never_traps() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        let pubArea = try #require(statement[text: "pubArea"]?.bytesValue)
        for length in 0..<pubArea.count {
            let bad = statement.settingMember("pubArea", to: .bytes(Array(pubArea.prefix(length))))
            #expect(try code(vector, bad) == .attestationStatementInvalid, "pubArea truncated to \(length) bytes")
        }
    }

    @Test func tpm_truncated_certinfo_never_traps() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        let certInfo = try #require(statement[text: "certInfo"]?.bytesValue)
        for length in 0..<certInfo.count {
            let bad = statement.settingMember("certInfo", to: .bytes(Array(certInfo.prefix(length))))
            #expect(try code(vector, bad) == .attestationStatementInvalid, "certInfo truncated to \(length) bytes")
        }
    }

    @Test func tpm_structures_with_hostile_sizes_never_trap() {
        // Sizes that claim more than is there, maximum sizes, and random bytes.
        let hostile: [[UInt8]] = [
            [0x00, 0x01, 0x00, 0x0B, 0, 0, 0, 0, 0xFF, 0xFF],
            [0x00, 0x23, 0x00, 0x0B, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x10, 0x00, 0x10, 0x00, 0x03, 0x00, 0x10, 0xFF, 0xFF],
            [0xFF, 0x54, 0x43, 0x47, 0x80, 0x17, 0xFF, 0xFF],
            [0xFF, 0x54, 0x43, 0x47, 0x80, 0x17, 0x00, 0x00, 0x00, 0x20],
            [UInt8](repeating: 0xFF, count: 64),
            [UInt8](repeating: 0x00, count: 5000),
        ]
        var generator = SystemRandomNumberGenerator()
        let random = (0..<200).map { _ in (0..<Int.random(in: 0..<128, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        for bytes in hostile + random {
            _ = try? TPMPublicArea(bytes)
            _ = try? TPMCertifyInfo(bytes)
        }
        #expect(throws: WebAuthnError.self) { try TPMPublicArea([UInt8](repeating: 0, count: 5000)) }
    }

    @Test func tpm_statement_without_x5c_is_rejected() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        #expect(try code(vector, statement.settingMember("x5c", to: nil)) == .attestationStatementInvalid)
        #expect(try code(vector, statement.settingMember("x5c", to: .array([]))) == .attestationStatementInvalid)
    }

    @Test func tpm_statement_with_wrong_version_is_rejected() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        #expect(try code(vector, statement.settingMember("ver", to: "1.2")) == .attestationStatementInvalid)
    }

    @Test func tpm_statement_with_extra_member_is_rejected() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        #expect(try code(vector, statement.settingMember("ecdaaKeyId", to: .bytes([1, 2, 3]))) == .attestationStatementInvalid)
    }

    @Test func tpm_statement_with_missing_members_is_rejected() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        for key in ["ver", "alg", "sig", "certInfo", "pubArea"] {
            #expect(try code(vector, statement.settingMember(key, to: nil)) == .attestationStatementInvalid, "without \(key)")
        }
    }

    @Test func tpm_statement_for_another_credential_is_rejected() throws {
        guard let (vector, statement) = try sha256Statement() else { return }
        // Same statement, another authenticator's data: the pubArea key is not that credential's.
        guard let other = FormatVector.named("w3c-reg-tpm-es256", format: "tpm") else { return }
        let input = try other.input(statement: statement)
        #expect(verificationErrorCode { () throws(WebAuthnError) in try TPMAttestation.verify(input) } == .attestationStatementInvalid)
        _ = vector
    }

    @Test func tpm_statement_with_other_client_data_is_rejected() throws {
        guard let vector = FormatVector.named(Self.sha256Vector, format: "tpm") else { return }
        let input = try vector.input(clientDataHash: [UInt8](repeating: 7, count: 32))
        #expect(verificationErrorCode { () throws(WebAuthnError) in try TPMAttestation.verify(input) } == .attestationStatementInvalid)
    }

    // MARK: aikCert requirements (§8.3.1), on synthetic certificates

    @Test func aik_certificate_requirements_accept_a_conforming_certificate() throws {
        let certificate = try AIKCertificateFactory.make()
        let device = try TPMAttestation.checkAIKCertificate(certificate)
        #expect(device == .init(manufacturer: "id:494E5443", model: "TPM model", version: "id:00010002"))
        #expect(device.vendorName == "Intel")
    }

    @Test func aik_certificate_with_subject_is_rejected() throws {
        let certificate = try AIKCertificateFactory.make(subject: try DistinguishedName { CommonName("AIK") })
        #expect(aikCode(certificate) == .attestationStatementInvalid)
    }

    @Test func aik_certificate_without_tcg_eku_is_rejected() throws {
        let certificate = try AIKCertificateFactory.make(eku: [.serverAuth])
        #expect(aikCode(certificate) == .attestationStatementInvalid)
    }

    @Test func aik_certificate_that_is_a_ca_is_rejected() throws {
        let certificate = try AIKCertificateFactory.make(isCA: true)
        #expect(aikCode(certificate) == .attestationStatementInvalid)
    }

    @Test func aik_certificate_with_non_critical_san_is_rejected() throws {
        let certificate = try AIKCertificateFactory.make(sanCritical: false)
        #expect(aikCode(certificate) == .attestationStatementInvalid)
    }

    @Test func aik_certificate_without_tpm_model_is_rejected() throws {
        let certificate = try AIKCertificateFactory.make(attributes: [
            (TPMAttestation.tpmManufacturer, "id:494E5443"), (TPMAttestation.tpmVersion, "id:00010002"),
        ])
        #expect(aikCode(certificate) == .attestationStatementInvalid)
    }

    @Test func aik_certificate_with_malformed_manufacturer_is_rejected() throws {
        let certificate = try AIKCertificateFactory.make(attributes: [
            (TPMAttestation.tpmManufacturer, "Intel"), (TPMAttestation.tpmModel, "m"), (TPMAttestation.tpmVersion, "v"),
        ])
        #expect(aikCode(certificate) == .attestationStatementInvalid)
    }

    @Test func aik_certificate_with_duplicate_manufacturer_is_rejected() throws {
        let certificate = try AIKCertificateFactory.make(attributes: [
            (TPMAttestation.tpmManufacturer, "id:494E5443"), (TPMAttestation.tpmManufacturer, "id:4D534654"),
            (TPMAttestation.tpmModel, "m"), (TPMAttestation.tpmVersion, "v"),
        ])
        #expect(aikCode(certificate) == .attestationStatementInvalid)
    }

    @Test func aik_certificate_without_digital_signature_key_usage_is_rejected() throws {
        let certificate = try AIKCertificateFactory.make(keyUsage: KeyUsage(keyEncipherment: true))
        #expect(aikCode(certificate) == .attestationStatementInvalid)
    }

    func aikCode(_ certificate: Certificate) -> WebAuthnError.Code? {
        do {
            try TPMAttestation.checkAIKCertificate(certificate)
            return nil
        } catch {
            return error.code
        }
    }
}

extension FormatVector {
    var attStmtAlg: Int64? { (try? decoded())?.statement[text: "alg"]?.int64 }
}

/// Builds AIK-like certificates with one requirement of §8.3.1 changed at a time.
enum AIKCertificateFactory {
    static func make(
        subject: DistinguishedName = DistinguishedName(),
        attributes: [(ASN1ObjectIdentifier, String)] = [
            (TPMAttestation.tpmManufacturer, "id:494E5443"), (TPMAttestation.tpmModel, "TPM model"), (TPMAttestation.tpmVersion, "id:00010002"),
        ],
        sanCritical: Bool = true,
        eku: [ExtendedKeyUsage.Usage] = [ExtendedKeyUsage.Usage(oid: TPMAttestation.aikCertificateUsage)],
        isCA: Bool = false,
        keyUsage: KeyUsage? = nil
    ) throws -> Certificate {
        let key = P256.Signing.PrivateKey()
        let directory = DistinguishedName(attributes.map { RelativeDistinguishedName(RelativeDistinguishedName.Attribute(type: $0.0, utf8String: $0.1)) })
        var list: [Certificate.Extension] = [
            try Certificate.Extension(isCA ? BasicConstraints.isCertificateAuthority(maxPathLength: nil) : .notCertificateAuthority, critical: true),
            try Certificate.Extension(try ExtendedKeyUsage(eku), critical: false),
            try Certificate.Extension(SubjectAlternativeNames([.directoryName(directory)]), critical: sanCritical),
        ]
        if let keyUsage { list.append(try Certificate.Extension(keyUsage, critical: true)) }
        let extensions = try Certificate.Extensions(list)
        let issuer = try DistinguishedName { CommonName("Test AIK CA") }
        return try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: Date(timeIntervalSince1970: 1_700_000_000),
            notValidAfter: Date(timeIntervalSince1970: 1_900_000_000),
            issuer: issuer,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
    }
}

