import ClavigerTesting
import FIDOMetadata
import Foundation
import Testing
import WebAuthn
import X509

@Suite("Catalog lookups and attestation anchors", .enabled(if: Vectors.available))
struct CatalogTests {
    static let yubiKey5 = AAGUID("ee882879-721c-4913-9775-3dfcce97072a")!
    static let yubiKey5NFC = AAGUID("fa2b99dc-9e39-4257-8f92-4a30d23c4118")!

    @Test func lookupByAAGUIDAndByKeyIdentifierAndAAID() async throws {
        let catalog = try await RealBLOB.verified().catalog
        #expect(catalog.entry(aaguid: Self.yubiKey5)?.description == "YubiKey 5 Series")
        // A U2F YubiKey 5 entry, found by any of its key identifiers, in either case.
        #expect(catalog.entry(attestationCertificateKeyIdentifier: "57918bc33803503900ef15ae9b2aef0d547bd6f5")?.description == "YubiKey 5 Series")
        #expect(catalog.entry(attestationCertificateKeyIdentifier: "99B011819A9B1539B28B86F625547F173EB5D57B")?.description == "YubiKey 5 Series")
        #expect(catalog.entry(aaguid: .zero) == nil)
        #expect(catalog.entry(attestationCertificateKeyIdentifier: "00") == nil)
        let uaf = try #require(catalog.entries.first { $0.aaid != nil }?.aaid)
        #expect(catalog.entry(aaid: uaf) != nil)
    }

    @Test func yubiKeyRootsAreAnchorsForYubiKeyAAGUIDsOnly() async throws {
        let catalog = try await RealBLOB.verified().catalog
        let yubico = try Vectors.certificate("trust-anchors/yubico-u2f-root-ca-serial-457200631.pem")
        #expect(catalog.trustAnchors(forAAGUID: Self.yubiKey5) == [yubico])
        #expect(catalog.anchors(for: Self.yubiKey5, format: "packed").anchors(for: "packed") == [yubico])
        #expect(catalog.anchors(for: Self.yubiKey5, format: "packed").anchors(for: "tpm").isEmpty)
        #expect(catalog.trustAnchors(forAttestationCertificateKeyIdentifier: "57918bc33803503900ef15ae9b2aef0d547bd6f5") == [yubico])
        // No other vendor's AAGUID lists Yubico's root.
        for entry in catalog.entries where !(entry.statement?.description.lowercased().contains("yubi") ?? false) {
            if let aaguid = entry.aaguid { #expect(!catalog.trustAnchors(forAAGUID: aaguid).contains(yubico)) }
        }
        #expect(catalog.trustAnchors(forAAGUID: .zero).isEmpty)
    }

    /// End to end: a real YubiKey 5 NFC registration (java-webauthn-server's example) is
    /// trusted with the anchors of its AAGUID's statement, and not with another model's.
    @Test func realYubiKeyAttestationVerifiesAgainstItsStatementRootOnly() async throws {
        let catalog = try await RealBLOB.verified().catalog
        let vector = try JSONSerialization.jsonObject(with: Data(try Vectors.bytes("registration/java-webauthn-server/yubico-reg-yubi-key5-nfc.json"))) as? [String: Any]
        let json = try #require(vector)
        let response = try JSONDecoder().decode(RegistrationResponseJSON.self, from: JSONSerialization.data(withJSONObject: try #require(json["response"])))
        let rp = try #require(json["rp"] as? [String: Any])
        let relyingParty = RelyingParty(id: try #require(rp["id"] as? String), origins: try #require(rp["origins"] as? [String]))
        let challengeText = try #require(json["challenge"] as? String)
        let challenge = try #require(Base64URL.decode(challengeText))
        let expectations = RegistrationExpectations(challenge: challenge, userVerification: .discouraged, allowedAlgorithms: COSEAlgorithm.allCases)

        let trusted = try await RegistrationCeremony.verify(response, expecting: expectations, relyingParty: relyingParty,
                                                           policy: RegistrationPolicy(trustAnchors: catalog.anchors(for: Self.yubiKey5NFC, format: "packed")),
                                                           now: pinnedTime)
        #expect(trusted.aaguid == Self.yubiKey5NFC)
        #expect(trusted.attestation.trusted)

        let other = try #require(catalog.entries.first { $0.aaguid != nil && !($0.statement?.description.contains("Yubi") ?? true) }?.aaguid)
        let untrusted = try await RegistrationCeremony.verify(response, expecting: expectations, relyingParty: relyingParty,
                                                             policy: RegistrationPolicy(trustAnchors: catalog.anchors(for: other, format: "packed")),
                                                             now: pinnedTime)
        #expect(!untrusted.attestation.trusted)
    }

    @Test func localStatementFileDecodes() throws {
        let statement = try #require(MetadataStatement(json: try Vectors.bytes("mds/simplewebauthn/metadataService-localStatement.json")))
        #expect(statement.description == "Virtual FIDO2 EdDSA25519 SHA512 Conformance Testing CTAP2 Authenticator")
        #expect(statement.aaguid == AAGUID("91dfead7-959e-4475-ad26-9b0d482be089"))
        #expect(statement.supportedExtensions == ["hmac-secret"])
        #expect(statement.attestationRoots.isEmpty)
        #expect(statement.hasHardwareKeyProtection)
    }
}
