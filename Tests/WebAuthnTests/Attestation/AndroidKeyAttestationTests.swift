import Foundation
import Testing
import Crypto
import X509
import SwiftASN1
@testable import WebAuthn

@Suite struct AndroidKeyAttestationTests {
    static let vectors = FormatVector.all(format: "android-key")
    /// The W3C generator's android-key vector has empty softwareEnforced and teeEnforced
    /// lists: no origin and no purpose, which §8.4 step 6 requires. Claviger refuses it.
    static let emptyAuthorizationListVectors: Set<String> = ["w3c-reg-android-key-es256"]

    @Test(arguments: vectors.filter { $0.outcome == "valid" && !emptyAuthorizationListVectors.contains($0.id) })
    func valid_android_key_vector_passes_statement_verification(_ vector: FormatVector) throws {
        let input = try vector.input()
        let result = try AndroidKeyAttestation.verify(input)
        #expect(result.type == .basic)
        #expect(result.trustPath.count == (try vector.decoded()).statement[text: "x5c"]?.arrayValue?.count)
        // The union policy accepts whatever the TEE-only policy accepts.
        #expect(try AndroidKeyAttestation.verify(input, authorizationLists: .teeOrSoftwareEnforced).type == .basic)
    }

    @Test(arguments: vectors.filter { emptyAuthorizationListVectors.contains($0.id) })
    func android_key_vector_without_origin_and_purpose_is_rejected(_ vector: FormatVector) throws {
        let input = try vector.input()
        #expect(verificationErrorCode { () throws(WebAuthnError) in try AndroidKeyAttestation.verify(input) } == .attestationStatementInvalid)
        #expect(verificationErrorCode { () throws(WebAuthnError) in
            try AndroidKeyAttestation.verify(input, authorizationLists: .teeOrSoftwareEnforced)
        } == .attestationStatementInvalid)
    }

    @Test func pixel_8a_android_key_registration_verifies_with_tee_security_level() throws {
        guard let vector = FormatVector.named("swa-reg-android-key-pixel-8a", format: "android-key") else { return }
        let result = try AndroidKeyAttestation.verify(try vector.input())
        let description = try AndroidKeyAttestation.keyDescription(of: result)
        #expect(description.attestationSecurityLevel == .trustedEnvironment)
        #expect(description.attestationVersion == 300)
    }

    @Test func fido_conformance_android_key_reports_software_security_level() throws {
        guard let vector = FormatVector.named("swa-reg-android-key-fido-conformance-2020", format: "android-key") else { return }
        let result = try AndroidKeyAttestation.verify(try vector.input())
        #expect(try AndroidKeyAttestation.keyDescription(of: result).attestationSecurityLevel == .software)
    }

    @Test func android_key_vector_signature_with_flipped_byte_is_rejected() throws {
        guard let vector = FormatVector.named("swa-reg-android-key-pixel-8a", format: "android-key") else { return }
        let statement = try vector.decoded().statement
        var signature = try #require(statement[text: "sig"]?.bytesValue)
        signature[signature.count / 2] ^= 0x01
        let input = try vector.input(statement: statement.settingMember("sig", to: .bytes(signature)))
        #expect(verificationErrorCode { () throws(WebAuthnError) in try AndroidKeyAttestation.verify(input) } == .badSignature)
    }

    @Test func android_key_vector_with_other_client_data_is_rejected() throws {
        guard let vector = FormatVector.named("swa-reg-android-key-pixel-8a", format: "android-key") else { return }
        let input = try vector.input(clientDataHash: [UInt8](repeating: 1, count: 32))
        #expect(verificationErrorCode { () throws(WebAuthnError) in try AndroidKeyAttestation.verify(input) } == .badSignature)
    }

    @Test func android_key_statement_without_x5c_is_rejected() throws {
        guard let vector = FormatVector.named("swa-reg-android-key-pixel-8a", format: "android-key") else { return }
        let input = try vector.input(statement: try vector.decoded().statement.settingMember("x5c", to: nil))
        #expect(verificationErrorCode { () throws(WebAuthnError) in try AndroidKeyAttestation.verify(input) } == .attestationStatementInvalid)
    }

    // MARK: Synthetic statements: one key description field changed at a time

    @Test func synthetic_android_key_statement_verifies() throws {
        let statement = try SyntheticAndroidKey()
        #expect(try AndroidKeyAttestation.verify(statement.input()).type == .basic)
    }

    @Test func android_key_challenge_mismatch_is_rejected() throws {
        let statement = try SyntheticAndroidKey(challenge: [UInt8](repeating: 0xAB, count: 32))
        #expect(statement.code() == .attestationStatementInvalid)
    }

    @Test func android_key_all_applications_in_software_enforced_is_rejected() throws {
        let statement = try SyntheticAndroidKey(softwareEnforced: [KeyDescriptionDER.allApplications])
        #expect(statement.code() == .attestationStatementInvalid)
        #expect(statement.code(.teeOrSoftwareEnforced) == .attestationStatementInvalid)
    }

    @Test func android_key_all_applications_in_tee_enforced_is_rejected() throws {
        let statement = try SyntheticAndroidKey(teeEnforced: KeyDescriptionDER.generatedForSigning + [KeyDescriptionDER.allApplications])
        #expect(statement.code() == .attestationStatementInvalid)
    }

    @Test func android_key_imported_origin_is_rejected() throws {
        let statement = try SyntheticAndroidKey(teeEnforced: [KeyDescriptionDER.purpose([2]), KeyDescriptionDER.origin(2)])
        #expect(statement.code() == .attestationStatementInvalid)
    }

    @Test func android_key_without_sign_purpose_is_rejected() throws {
        let statement = try SyntheticAndroidKey(teeEnforced: [KeyDescriptionDER.purpose([3]), KeyDescriptionDER.origin(0)])
        #expect(statement.code() == .attestationStatementInvalid)
    }

    @Test func android_key_with_sign_among_several_purposes_verifies() throws {
        let statement = try SyntheticAndroidKey(teeEnforced: [KeyDescriptionDER.purpose([2, 3]), KeyDescriptionDER.origin(0)])
        #expect(statement.code() == nil)
    }

    @Test func android_key_origin_and_purpose_only_software_enforced_needs_the_union_policy() throws {
        let statement = try SyntheticAndroidKey(softwareEnforced: KeyDescriptionDER.generatedForSigning, teeEnforced: [])
        #expect(statement.code() == .attestationStatementInvalid)
        #expect(statement.code(.teeOrSoftwareEnforced) == nil)
    }

    @Test func android_key_union_policy_rejects_conflicting_origins() throws {
        let statement = try SyntheticAndroidKey(
            softwareEnforced: [KeyDescriptionDER.origin(2)],
            teeEnforced: KeyDescriptionDER.generatedForSigning
        )
        #expect(statement.code() == nil)
        #expect(statement.code(.teeOrSoftwareEnforced) == .attestationStatementInvalid)
    }

    @Test func android_key_unknown_authorization_tags_are_skipped() throws {
        let unknown = [
            KeyDescriptionDER.explicit(5, KeyDescriptionDER.set([KeyDescriptionDER.integer(4)])), // digest
            KeyDescriptionDER.explicit(709, KeyDescriptionDER.octets([1, 2, 3])), // attestationApplicationId
            KeyDescriptionDER.explicit(1234, KeyDescriptionDER.null), // not yet defined
        ]
        let statement = try SyntheticAndroidKey(softwareEnforced: unknown, teeEnforced: KeyDescriptionDER.generatedForSigning + unknown)
        #expect(statement.code() == nil)
    }

    @Test func android_key_repeated_authorization_tag_is_rejected() throws {
        let statement = try SyntheticAndroidKey(teeEnforced: KeyDescriptionDER.generatedForSigning + [KeyDescriptionDER.origin(0)])
        #expect(statement.code() == .attestationStatementInvalid)
    }

    @Test func android_key_malformed_key_description_is_rejected() throws {
        let statement = try SyntheticAndroidKey(keyDescription: [0x30, 0x03, 0x02, 0x01])
        #expect(statement.code() == .attestationStatementInvalid)
        let shortSequence = try SyntheticAndroidKey(keyDescription: KeyDescriptionDER.sequence([KeyDescriptionDER.integer(3)]))
        #expect(shortSequence.code() == .attestationStatementInvalid)
    }

    @Test func android_key_truncated_key_description_never_traps() throws {
        let full = KeyDescriptionDER.keyDescription(challenge: [UInt8](repeating: 9, count: 32), softwareEnforced: [], teeEnforced: KeyDescriptionDER.generatedForSigning)
        for length in 0..<full.count {
            #expect(throws: WebAuthnError.self) { try AndroidKeyDescription(derEncoded: full.prefix(length)) }
        }
    }

    @Test func android_key_certificate_without_key_description_is_rejected() throws {
        let statement = try SyntheticAndroidKey(keyDescription: nil)
        #expect(statement.code() == .attestationStatementInvalid)
    }

    @Test func android_key_certificate_for_another_key_is_rejected() throws {
        let statement = try SyntheticAndroidKey(certifiesOtherKey: true)
        #expect(statement.code() == .attestationStatementInvalid)
    }

    @Test func android_key_sha1_algorithm_is_insecure_by_default() throws {
        let statement = try SyntheticAndroidKey()
        let input = try statement.input(statement: statement.statement.settingMember("alg", to: .int(COSEAlgorithm.rs1.rawValue)))
        #expect(verificationErrorCode { () throws(WebAuthnError) in try AndroidKeyAttestation.verify(input) } == .insecureAlgorithm)
    }
}

// MARK: - Synthetic android-key authenticator

/// DER builders for a KeyDescription (tags above 30 use the high-tag-number form).
enum KeyDescriptionDER {
    static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var value = count
        while value > 0 {
            bytes.insert(UInt8(value & 0xFF), at: 0)
            value >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    static func tlv(_ identifier: [UInt8], _ content: [UInt8]) -> [UInt8] { identifier + length(content.count) + content }
    static func integer(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(value & 0xFF)]
        var rest = value >> 8
        while rest > 0 || (bytes.first ?? 0) & 0x80 != 0 {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return tlv([0x02], bytes)
    }
    static func enumerated(_ value: UInt8) -> [UInt8] { tlv([0x0A], [value]) }
    static func octets(_ bytes: [UInt8]) -> [UInt8] { tlv([0x04], bytes) }
    static let null: [UInt8] = [0x05, 0x00]
    static func sequence(_ members: [[UInt8]]) -> [UInt8] { tlv([0x30], members.flatMap { $0 }) }
    static func set(_ members: [[UInt8]]) -> [UInt8] { tlv([0x31], members.flatMap { $0 }) }

    /// `[tag] EXPLICIT`: context-specific, constructed.
    static func explicit(_ tag: UInt, _ content: [UInt8]) -> [UInt8] {
        if tag < 31 { return tlv([0xA0 | UInt8(tag)], content) }
        var digits: [UInt8] = [UInt8(tag & 0x7F)]
        var rest = tag >> 7
        while rest > 0 {
            digits.insert(0x80 | UInt8(rest & 0x7F), at: 0)
            rest >>= 7
        }
        return tlv([0xBF] + digits, content)
    }

    static func purpose(_ values: [Int]) -> [UInt8] { explicit(1, set(values.map(integer))) }
    static func origin(_ value: Int) -> [UInt8] { explicit(702, integer(value)) }
    static let allApplications = explicit(600, null)
    static let generatedForSigning = [purpose([2]), origin(0)]

    static func keyDescription(challenge: [UInt8], softwareEnforced: [[UInt8]], teeEnforced: [[UInt8]]) -> [UInt8] {
        sequence([
            integer(200), enumerated(1), integer(200), enumerated(1),
            octets(challenge), octets([]),
            sequence(softwareEnforced), sequence(teeEnforced),
        ])
    }
}

/// An android-key statement made on the spot, its leaf certifying a fresh P-256 credential key.
struct SyntheticAndroidKey {
    let statement: CBOR
    let authenticatorData: [UInt8]
    let clientDataHash: [UInt8]

    /// `keyDescription` overrides the built extension (nil: no extension at all).
    init(
        challenge: [UInt8]? = nil,
        softwareEnforced: [[UInt8]] = [KeyDescriptionDER.explicit(709, KeyDescriptionDER.octets([0]))],
        teeEnforced: [[UInt8]] = KeyDescriptionDER.generatedForSigning,
        keyDescription: [UInt8]?? = .some(nil),
        certifiesOtherKey: Bool = false
    ) throws {
        let credentialKey = P256.Signing.PrivateKey()
        let certifiedKey = certifiesOtherKey ? P256.Signing.PrivateKey() : credentialKey
        let clientDataHash = (0..<32).map { UInt8($0) }
        let description: [UInt8]?
        switch keyDescription {
        case .some(.some(let explicitBytes)): description = explicitBytes
        case .some(.none): description = KeyDescriptionDER.keyDescription(challenge: challenge ?? clientDataHash, softwareEnforced: softwareEnforced, teeEnforced: teeEnforced)
        case .none: description = nil
        }

        // Attested credential data with the COSE EC2 key of the credential.
        let point = Array(credentialKey.publicKey.x963Representation)
        let cose = CBOREncoder.encode(.map([
            CBORPair(1, 2), CBORPair(3, -7), CBORPair(-1, 1),
            CBORPair(-2, .bytes(Array(point[1...32]))), CBORPair(-3, .bytes(Array(point[33...64]))),
        ]))
        let credentialID = [UInt8](repeating: 0x42, count: 16)
        let authenticatorData = Array(SHA256.hash(data: Array("example.org".utf8))) + [0x45, 0, 0, 0, 0]
            + [UInt8](repeating: 0x11, count: 16) + [0, UInt8(credentialID.count)] + credentialID + cose

        var extensions: [Certificate.Extension] = []
        if let description {
            extensions.append(Certificate.Extension(oid: AndroidKeyDescription.extensionOID, critical: false, value: description[...]))
        }
        let issuerKey = P256.Signing.PrivateKey()
        let leaf = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(certifiedKey.publicKey),
            notValidBefore: Date(timeIntervalSince1970: 1_700_000_000),
            notValidAfter: Date(timeIntervalSince1970: 1_900_000_000),
            issuer: try DistinguishedName { CommonName("Synthetic Android Keystore CA") },
            subject: try DistinguishedName { CommonName("Android Keystore Key") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions(extensions),
            issuerPrivateKey: Certificate.PrivateKey(issuerKey)
        )
        var serializer = DER.Serializer()
        try serializer.serialize(leaf)
        let signature = try certifiedKey.signature(for: authenticatorData + clientDataHash).derRepresentation
        self.statement = .map([
            CBORPair("alg", -7),
            CBORPair("sig", .bytes(Array(signature))),
            CBORPair("x5c", .array([.bytes(serializer.serializedBytes)])),
        ])
        self.authenticatorData = authenticatorData
        self.clientDataHash = clientDataHash
    }

    func input(statement: CBOR? = nil) throws -> AttestationInput {
        let data = try AuthenticatorData(authenticatorData)
        let credential = try #require(data.attestedCredential)
        return AttestationInput(
            statement: statement ?? self.statement, authenticatorData: data, credential: credential,
            clientDataHash: clientDataHash, options: AttestationOptions(now: Date(timeIntervalSince1970: 1_800_000_000))
        )
    }

    func code(_ policy: AndroidKeyAttestation.AuthorizationListPolicy = .teeEnforcedOnly) -> WebAuthnError.Code? {
        guard let input = try? input() else { return .malformedAuthData }
        return verificationErrorCode { () throws(WebAuthnError) in try AndroidKeyAttestation.verify(input, authorizationLists: policy) }
    }
}
