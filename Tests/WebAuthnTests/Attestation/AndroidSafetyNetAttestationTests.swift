import Foundation
import Testing
import Crypto
import X509
import SwiftASN1
@testable import WebAuthn

@Suite struct AndroidSafetyNetAttestationTests {
    static let vectors = FormatVector.all(format: "android-safetynet")
    /// Vectors whose signed statement is sound; their other failures (revocation, a peer
    /// refusing the format, missing clientDataJSON) are decided outside the format verifier.
    static let statementValid = vectors.filter {
        $0.outcome == "valid" || ["cert_revoked", "unsupported_format"].contains($0.reasonCode ?? "")
    }
    static let realExample = "swa-reg-android-safetynet-2019"

    /// Options for a vector: SafetyNet allowed, `now` just after the JWS timestamp (the vectors'
    /// peers pin clocks for certificates or turn the timestamp check off; certificate validity
    /// is the ceremony's chain check, not this verifier's).
    static func configure(_ vector: FormatVector) -> (inout AttestationOptions) -> Void {
        { options in
            options.allowSafetyNet = true
            if let timestamp = vector.safetyNetTimestampMs {
                options.now = Date(timeIntervalSince1970: timestamp / 1000 + 5)
            }
            if vector.options["safetynet_enforce_cts_profile_match"]?.boolValue == false {
                options.safetyNetRequireCTSProfileMatch = false
            }
        }
    }

    func code(_ input: AttestationInput) -> WebAuthnError.Code? {
        verificationErrorCode { () throws(WebAuthnError) in try AndroidSafetyNetAttestation.verify(input) }
    }

    @Test(arguments: statementValid)
    func valid_safetynet_vector_passes_statement_verification_when_allowed(_ vector: FormatVector) throws {
        let result = try AndroidSafetyNetAttestation.verify(try vector.input(Self.configure(vector)))
        #expect(result.type == .basic)
        #expect(!result.trustPath.isEmpty)
    }

    @Test(arguments: vectors)
    func safetynet_is_not_allowed_by_default(_ vector: FormatVector) throws {
        #expect(code(try vector.input()) == .formatNotAllowed)
    }

    @Test func safetynet_false_cts_profile_match_vectors_are_rejected() throws {
        for id in ["yubico-reg-td-neg-android-safetynet-false-cts-profile-match", "swa-reg-neg-safetynet-cts-profile-mismatch"] {
            guard let vector = FormatVector.named(id, format: "android-safetynet") else { continue }
            #expect(code(try vector.input(Self.configure(vector))) == .attestationStatementInvalid, "\(id)")
        }
    }

    @Test func safetynet_cts_profile_mismatch_verifies_when_the_check_is_off() throws {
        guard let vector = FormatVector.named("swa-reg-neg-safetynet-cts-profile-mismatch", format: "android-safetynet") else { return }
        let input = try vector.input { options in
            Self.configure(vector)(&options)
            options.safetyNetRequireCTSProfileMatch = false
        }
        #expect(code(input) == nil)
    }

    @Test func safetynet_certificate_for_another_hostname_is_rejected() throws {
        guard let vector = FormatVector.named("yubico-reg-td-neg-android-safetynet-wrong-hostname", format: "android-safetynet") else { return }
        #expect(code(try vector.input(Self.configure(vector))) == .attestationStatementInvalid)
    }

    @Test func safetynet_stale_timestamp_is_rejected() throws {
        guard let vector = FormatVector.named("swa-reg-neg-android-safetynet-stale-timestamp", format: "android-safetynet") else { return }
        // The peer verified with the real clock: the 2019 timestamp is years old.
        let input = try vector.input { options in
            options.allowSafetyNet = true
            options.now = Date()
        }
        #expect(code(input) == .attestationStatementInvalid)
    }

    @Test func safetynet_timestamp_just_older_than_the_maximum_age_is_rejected() throws {
        guard let vector = FormatVector.named(Self.realExample, format: "android-safetynet"),
              let timestamp = vector.safetyNetTimestampMs else { return }
        let fresh = try vector.input { options in
            options.allowSafetyNet = true
            options.now = Date(timeIntervalSince1970: timestamp / 1000 + options.safetyNetMaxAgeSeconds - 1)
        }
        #expect(code(fresh) == nil)
        let stale = try vector.input { options in
            options.allowSafetyNet = true
            options.now = Date(timeIntervalSince1970: timestamp / 1000 + options.safetyNetMaxAgeSeconds + 1)
        }
        #expect(code(stale) == .attestationStatementInvalid)
    }

    @Test func safetynet_timestamp_in_the_future_is_rejected() throws {
        guard let vector = FormatVector.named(Self.realExample, format: "android-safetynet"),
              let timestamp = vector.safetyNetTimestampMs else { return }
        let input = try vector.input { options in
            options.allowSafetyNet = true
            options.now = Date(timeIntervalSince1970: timestamp / 1000 - 3600)
        }
        #expect(code(input) == .attestationStatementInvalid)
    }

    @Test func safetynet_wrong_nonce_is_rejected() throws {
        guard let vector = FormatVector.named(Self.realExample, format: "android-safetynet") else { return }
        let input = try vector.input(clientDataHash: [UInt8](repeating: 0, count: 32), Self.configure(vector))
        #expect(code(input) == .attestationStatementInvalid)
    }

    // MARK: Tampered JWS

    func tampered(_ vector: FormatVector, _ change: (inout [UInt8]) -> Void) throws -> AttestationInput {
        let statement = try vector.decoded().statement
        var response = try #require(statement[text: "response"]?.bytesValue)
        change(&response)
        return try vector.input(statement: statement.settingMember("response", to: .bytes(response)), Self.configure(vector))
    }

    func parts(_ vector: FormatVector) throws -> [[UInt8]] {
        let response = try #require(try vector.decoded().statement[text: "response"]?.bytesValue)
        return response.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Array.init)
    }

    func jws(_ parts: [[UInt8]]) -> [UInt8] { Array(parts.joined(separator: [UInt8(ascii: ".")])) }

    @Test func safetynet_payload_changed_after_signing_is_rejected() throws {
        guard let vector = FormatVector.named(Self.realExample, format: "android-safetynet") else { return }
        var pieces = try parts(vector)
        let payload = try #require(Base64URL.decode(String(decoding: pieces[1], as: UTF8.self)))
        let text = String(decoding: payload, as: UTF8.self).replacingOccurrences(of: "\"basicIntegrity\":true", with: "\"basicIntegrity\":false")
        pieces[1] = Array(Base64URL.encode(Array(text.utf8)).utf8)
        let input = try tampered(vector) { $0 = jws(pieces) }
        #expect(code(input) == .badSignature)
    }

    @Test func safetynet_signature_with_flipped_byte_is_rejected() throws {
        guard let vector = FormatVector.named(Self.realExample, format: "android-safetynet") else { return }
        var pieces = try parts(vector)
        var signature = try #require(Base64URL.decode(String(decoding: pieces[2], as: UTF8.self)))
        signature[10] ^= 0x01
        pieces[2] = Array(Base64URL.encode(signature).utf8)
        #expect(code(try tampered(vector) { $0 = jws(pieces) }) == .badSignature)
    }

    @Test func safetynet_response_that_is_not_a_compact_jws_is_rejected() throws {
        guard let vector = FormatVector.named(Self.realExample, format: "android-safetynet") else { return }
        let pieces = try parts(vector)
        #expect(code(try tampered(vector) { $0 = jws(Array(pieces.prefix(2))) }) == .attestationStatementInvalid)
        #expect(code(try tampered(vector) { $0 = jws(pieces + [pieces[2]]) }) == .attestationStatementInvalid)
        #expect(code(try tampered(vector) { $0 = [] }) == .attestationStatementInvalid)
        #expect(code(try tampered(vector) { $0.insert(UInt8(ascii: "="), at: 3) }) == .attestationStatementInvalid)
    }

    @Test func safetynet_oversized_response_is_rejected() throws {
        guard let vector = FormatVector.named(Self.realExample, format: "android-safetynet") else { return }
        let input = try tampered(vector) { $0 += [UInt8](repeating: UInt8(ascii: "A"), count: 64 * 1024) }
        #expect(code(input) == .attestationStatementInvalid)
    }

    @Test func safetynet_header_with_alg_none_is_rejected() throws {
        guard let vector = FormatVector.named(Self.realExample, format: "android-safetynet") else { return }
        var pieces = try parts(vector)
        let header = try #require(Base64URL.decode(String(decoding: pieces[0], as: UTF8.self)))
        let text = String(decoding: header, as: UTF8.self).replacingOccurrences(of: "\"RS256\"", with: "\"none\"")
        pieces[0] = Array(Base64URL.encode(Array(text.utf8)).utf8)
        #expect(code(try tampered(vector) { $0 = jws(pieces) }) == .unsupportedAlgorithm)
    }

    @Test func safetynet_header_without_x5c_is_rejected() throws {
        guard let vector = FormatVector.named(Self.realExample, format: "android-safetynet") else { return }
        var pieces = try parts(vector)
        pieces[0] = Array(Base64URL.encode(Array("{\"alg\":\"RS256\"}".utf8)).utf8)
        #expect(code(try tampered(vector) { $0 = jws(pieces) }) == .attestationStatementInvalid)
    }

    @Test func safetynet_truncated_response_never_traps() throws {
        guard let vector = FormatVector.named(Self.realExample, format: "android-safetynet") else { return }
        let response = try #require(try vector.decoded().statement[text: "response"]?.bytesValue)
        for length in stride(from: 0, to: response.count, by: 7) {
            let result = code(try tampered(vector) { $0 = Array(response.prefix(length)) })
            #expect(result != nil, "response truncated to \(length) bytes")
        }
    }

    @Test func safetynet_statement_members_are_checked() throws {
        guard let vector = FormatVector.named(Self.realExample, format: "android-safetynet") else { return }
        let statement = try vector.decoded().statement
        for bad in [
            statement.settingMember("ver", to: nil),
            statement.settingMember("ver", to: ""),
            statement.settingMember("response", to: nil),
            statement.settingMember("response", to: "text"),
            statement.settingMember("extra", to: 1),
        ] {
            #expect(code(try vector.input(statement: bad, Self.configure(vector))) == .attestationStatementInvalid)
        }
    }

    // MARK: ES256 JWS, synthetic

    @Test func safetynet_es256_jws_signature_is_verified() throws {
        let key = P256.Signing.PrivateKey()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: Date(timeIntervalSince1970: 1_700_000_000), notValidAfter: Date(timeIntervalSince1970: 1_900_000_000),
            issuer: try DistinguishedName { CommonName("Synthetic CA") },
            subject: try DistinguishedName { CommonName("attest.android.com") },
            signatureAlgorithm: .ecdsaWithSHA256, extensions: Certificate.Extensions(), issuerPrivateKey: Certificate.PrivateKey(key)
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let der = serializer.serializedBytes
        let certificateBase64 = Data(der).base64EncodedString()
        let header = "{\"alg\":\"ES256\",\"x5c\":[\"\(certificateBase64)\"]}"
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let authenticatorData = Array(SHA256.hash(data: Array("example.org".utf8))) + [0x01, 0, 0, 0, 0]
        let clientDataHash = [UInt8](repeating: 3, count: 32)
        let nonce = Data(SHA256.hash(data: authenticatorData + clientDataHash)).base64EncodedString()
        let payload = "{\"nonce\":\"\(nonce)\",\"timestampMs\":\(Int(now.timeIntervalSince1970 * 1000)),\"ctsProfileMatch\":true,\"basicIntegrity\":true}"
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let signature = try key.signature(for: Array(signingInput.utf8)).rawRepresentation
        let response = Array((signingInput + "." + Base64URL.encode(Array(signature))).utf8)

        let jws = try CompactJWS(response)
        try jws.verifySignature(with: try #require(try jws.certificateChain().first))
        #expect(AndroidSafetyNetAttestation.isIssued(to: "attest.android.com", certificate))

        var tampered = Array(signature)
        tampered[0] ^= 1
        let bad = try CompactJWS(Array((signingInput + "." + Base64URL.encode(tampered)).utf8))
        #expect(throws: WebAuthnError.self) { try bad.verifySignature(with: certificate) }
        // A DER signature is not a JWS ES256 signature.
        let derSignature = try key.signature(for: Array(signingInput.utf8)).derRepresentation
        let wrongEncoding = try CompactJWS(Array((signingInput + "." + Base64URL.encode(Array(derSignature))).utf8))
        #expect(throws: WebAuthnError.self) { try wrongEncoding.verifySignature(with: certificate) }
    }
}
