@testable import FIDOMetadata
import Foundation
import Testing
import WebAuthn
import X509

@Suite("MDS3 BLOB verification", .enabled(if: Vectors.available))
struct BLOBVerificationTests {
    @Test func realProductionBLOBVerifiesAgainstGlobalSignR3AtPinnedTime() async throws {
        let verified = try await RealBLOB.verified()
        #expect(verified.serialNumber == 9)
        #expect(verified.catalog.entries.count == 98)
        #expect(verified.nextUpdate.map(MetadataDate.format) == "2021-12-01")
        #expect(verified.algorithm == "RS256")
        #expect(verified.isStale == false)
        #expect(verified.chain.count == 3)
        #expect(verified.chain.last == KnownRoots.fidoMetadataServiceRoot)
        #expect(verified.catalog.legalHeader?.hasPrefix("Retrieval and use of this BLOB") == true)
    }

    @Test func oneChangedPayloadCharacterBreaksTheSignature() async throws {
        let blob = try Vectors.bytes(Vectors.realBLOB)
        let dots = blob.jwsDots
        let tampered = blob.flippingBase64URLCharacter(at: (dots[0] + dots[1]) / 2)
        let code = await metadataErrorCode { _ = try await MetadataBLOBVerifier().verify(tampered, at: pinnedTime) }
        #expect(code == .blobSignatureInvalid)
    }

    @Test func oneChangedSignatureCharacterBreaksTheSignature() async throws {
        let blob = try Vectors.bytes(Vectors.realBLOB)
        let tampered = blob.flippingBase64URLCharacter(at: blob.jwsDots[1] + 20)
        let code = await metadataErrorCode { _ = try await MetadataBLOBVerifier().verify(tampered, at: pinnedTime) }
        #expect(code == .blobSignatureInvalid)
    }

    @Test func truncatedSignatureIsRefused() async throws {
        let blob = try Vectors.bytes(Vectors.fakeBLOB)
        let truncated = Array(blob.prefix(blob.count - 8))
        let code = await metadataErrorCode {
            _ = try await MetadataBLOBVerifier(trustRoots: [try Vectors.certificate(Vectors.fakeRoot)]).verify(truncated, at: instant("2023-11-01T00:00:00Z"))
        }
        #expect(code == .blobSignatureInvalid)
    }

    @Test func appleRootDoesNotAnchorTheMDSChain() async throws {
        let apple = try Vectors.certificate("trust-anchors/apple-webauthn-root-ca.pem")
        let code = await metadataErrorCode {
            _ = try await MetadataBLOBVerifier(trustRoots: [apple]).verify(try Vectors.bytes(Vectors.realBLOB), at: pinnedTime)
        }
        #expect(code == .blobChainUntrusted)
    }

    @Test func fakeConformanceRootDoesNotAnchorTheProductionBLOB() async throws {
        let code = await metadataErrorCode {
            _ = try await MetadataBLOBVerifier(trustRoots: [try Vectors.certificate(Vectors.fakeRoot)]).verify(try Vectors.bytes(Vectors.realBLOB), at: pinnedTime)
        }
        #expect(code == .blobChainUntrusted)
    }

    @Test(arguments: ["2022-06-01T00:00:00Z", "2021-04-01T00:00:00Z"])
    func timeOutsideTheChainValidityIsExpired(_ time: String) async throws {
        let code = await metadataErrorCode {
            _ = try await MetadataBLOBVerifier().verify(try Vectors.bytes(Vectors.realBLOB), at: instant(time))
        }
        #expect(code == .blobExpired)
    }

    @Test func pastNextUpdateIsReportedStaleAndRefusedOnlyWhenFreshnessIsRequired() async throws {
        let blob = try Vectors.bytes(Vectors.realBLOB)
        let late = instant("2022-01-15T00:00:00Z")
        let verified = try await MetadataBLOBVerifier().verify(blob, at: late)
        #expect(verified.isStale)
        let code = await metadataErrorCode { _ = try await MetadataBLOBVerifier(requireFresh: true).verify(blob, at: late) }
        #expect(code == .blobStale)
    }

    @Test func blobWhoseNumberIsNotGreaterThanTheAcceptedOneIsARollback() async throws {
        let blob = try Vectors.bytes(Vectors.realBLOB)
        for previous in [9, 10] {
            let code = await metadataErrorCode { _ = try await MetadataBLOBVerifier().verify(blob, at: pinnedTime, previousSerialNumber: previous) }
            #expect(code == .blobRollback)
        }
        let accepted = try await MetadataBLOBVerifier().verify(blob, at: pinnedTime, previousSerialNumber: 8)
        #expect(accepted.serialNumber == 9)
    }

    @Test func webauthn4jConformanceBLOBVerifiesAgainstTheFakeRoot() async throws {
        let verified = try await MetadataBLOBVerifier(trustRoots: [try Vectors.certificate(Vectors.fakeRoot)])
            .verify(try Vectors.bytes(Vectors.conformanceBLOB), at: instant("2022-11-01T00:00:00Z"))
        #expect(verified.serialNumber == 42)
        #expect(verified.algorithm == "ES256")
        #expect(verified.catalog.entries.count == 200)
        #expect(verified.nextUpdate.map(MetadataDate.format) == "2022-11-09")
    }

    @Test func simpleWebAuthnFakeBLOBVerifiesAgainstTheFakeRootAndNotGlobalSign() async throws {
        let blob = try Vectors.bytes(Vectors.fakeBLOB)
        let time = instant("2023-11-01T00:00:00Z")
        let verified = try await MetadataBLOBVerifier(trustRoots: [try Vectors.certificate(Vectors.fakeRoot)]).verify(blob, at: time)
        #expect(verified.serialNumber == 42)
        #expect(verified.nextUpdate.map(MetadataDate.format) == "2023-11-08")
        let code = await metadataErrorCode { _ = try await MetadataBLOBVerifier().verify(blob, at: time) }
        #expect(code == .blobChainUntrusted)
    }

    @Test func specExampleBLOBParsesAndVerifiesWithItsOwnExampleRoot() async throws {
        let blob = try Vectors.bytes(Vectors.specExampleBLOB)
        // The example's x5c is [intermediate-signed leaf, example root]: trust its last certificate.
        let header = try #require(Base64URL.decode(String(decoding: blob.prefix(upTo: blob.jwsDots[0]), as: UTF8.self)))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(header)) as? [String: Any])
        let x5c = try #require(json["x5c"] as? [String])
        let chain = try x5c.map { try Certificate(derEncoded: Array(Data(base64Encoded: $0) ?? Data())) }
        let exampleRoot = try #require(chain.last)
        let time = try #require(chain.map(\.notValidBefore).max()).addingTimeInterval(86_400)
        let verified = try await MetadataBLOBVerifier(trustRoots: [exampleRoot]).verify(blob, at: time)
        #expect(verified.serialNumber == 15)
        #expect(verified.nextUpdate.map(MetadataDate.format) == "2020-03-30")
        #expect(verified.catalog.entries.count == 2)
        #expect(verified.catalog.entry(aaid: "1234#5678")?.statement?.protocolFamily == "uaf")
        let sample = try #require(verified.catalog.entry(aaguid: AAGUID("0132d110-bf4e-4208-a403-ab4f5f12efe5")!))
        #expect(sample.latestStatus?.status == .fidoCertifiedL1)
        #expect(sample.latestStatus?.certificateNumber == "FIDO2100020151221001")
        #expect(sample.status(at: MetadataDate.parse("2020-01-01")!)?.status == .fidoCertified)
    }

    @Test(arguments: [
        "", "a", "a.b", "a.b.c.d", "!!!.e30.AA", "e30.e30.AA", "eyJhbGciOiJub25lIn0.e30.AA",
        "eyJhbGciOiJFUzI1NiJ9.e30.AA", "eyJhbGciOiJFUzI1NiIsIng1YyI6WyJAQEAiXX0.e30.AA",
    ])
    func hostileInputIsMalformedNeverATrap(_ text: String) async {
        let code = await metadataErrorCode { _ = try await MetadataBLOBVerifier().verify(Array(text.utf8), at: pinnedTime) }
        #expect(code == .blobMalformed)
    }

    @Test func oversizedBLOBIsRefusedBeforeParsing() async {
        let code = await metadataErrorCode {
            _ = try await MetadataBLOBVerifier(maxBytes: 1024).verify([UInt8](repeating: UInt8(ascii: "A"), count: 2048), at: pinnedTime)
        }
        #expect(code == .blobMalformed)
    }

    @Test func randomCorruptionOfTheBLOBNeverTraps() async throws {
        let blob = try Vectors.bytes(Vectors.specExampleBLOB)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var copy = blob
            for _ in 0..<4 { copy[Int.random(in: 0..<copy.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            let cut = Int.random(in: 0...copy.count, using: &generator)
            _ = try? await MetadataBLOBVerifier().verify(Array(copy.prefix(cut)), at: pinnedTime)
        }
    }
}

@Suite("Synthetic BLOB signing PKI")
struct SyntheticBLOBTests {
    static let now = instant("2025-01-01T00:00:00Z")

    static func pki() throws -> MetadataSigningPKI {
        try MetadataSigningPKI(notBefore: now.addingTimeInterval(-86_400 * 30), notAfter: now.addingTimeInterval(86_400 * 365))
    }

    @Test func generatedBLOBVerifiesAgainstItsRootAndDecodesEveryEntry() async throws {
        let pki = try Self.pki()
        let payload = try SyntheticMetadata.payload(entries: 50, serialNumber: 7, nextUpdate: "2025-02-01", vendors: 3)
        let verified = try await MetadataBLOBVerifier(trustRoots: [pki.root]).verify(try pki.sign(payload: payload.json), at: Self.now)
        #expect(verified.serialNumber == 7)
        #expect(verified.catalog.entries.count == 50)
        for aaguid in payload.aaguids { #expect(verified.catalog.contains(aaguid: aaguid)) }
        for identifier in payload.keyIdentifiers { #expect(verified.catalog.entry(attestationCertificateKeyIdentifier: identifier) != nil) }
    }

    @Test func signerRevokedByTheIntermediateCRLIsRefused() async throws {
        let pki = try Self.pki()
        let payload = try SyntheticMetadata.payload(entries: 3, serialNumber: 1, nextUpdate: "2025-02-01", vendors: 1)
        let blob = try pki.sign(payload: payload.json)
        let revoked = try pki.intermediateCRL(revokingSigner: true, thisUpdate: Self.now.addingTimeInterval(-3600), nextUpdate: Self.now.addingTimeInterval(86_400))
        let code = await metadataErrorCode { _ = try await MetadataBLOBVerifier(trustRoots: [pki.root], crls: [revoked]).verify(blob, at: Self.now) }
        #expect(code == .blobCertificateRevoked)
    }

    @Test func intermediateRevokedByTheRootCRLIsRefused() async throws {
        let pki = try Self.pki()
        let blob = try pki.sign(payload: try SyntheticMetadata.payload(entries: 1, serialNumber: 1, nextUpdate: "2025-02-01", vendors: 1).json)
        let revoked = try pki.rootCRL(revokingIntermediate: true, thisUpdate: Self.now.addingTimeInterval(-3600), nextUpdate: nil)
        let code = await metadataErrorCode { _ = try await MetadataBLOBVerifier(trustRoots: [pki.root], crls: [revoked]).verify(blob, at: Self.now) }
        #expect(code == .blobCertificateRevoked)
    }

    @Test func currentCRLsWithoutTheChainAcceptTheBLOBAndCoverageCanBeRequired() async throws {
        let pki = try Self.pki()
        let blob = try pki.sign(payload: try SyntheticMetadata.payload(entries: 1, serialNumber: 1, nextUpdate: "2025-02-01", vendors: 1).json)
        let thisUpdate = Self.now.addingTimeInterval(-3600), nextUpdate = Self.now.addingTimeInterval(86_400)
        let crls = [try pki.intermediateCRL(revokingSigner: false, thisUpdate: thisUpdate, nextUpdate: nextUpdate),
                    try pki.rootCRL(revokingIntermediate: false, thisUpdate: thisUpdate, nextUpdate: nextUpdate)]
        let verified = try await MetadataBLOBVerifier(trustRoots: [pki.root], crls: crls, requireRevocationCheck: true).verify(blob, at: Self.now)
        #expect(verified.serialNumber == 1)
        let code = await metadataErrorCode {
            _ = try await MetadataBLOBVerifier(trustRoots: [pki.root], crls: [crls[0]], requireRevocationCheck: true).verify(blob, at: Self.now)
        }
        #expect(code == .blobCRLInvalid)
    }

    @Test func signedButHostilePayloadsAreMalformedAndOddMembersAreTolerated() async throws {
        let pki = try Self.pki()
        let verifier = MetadataBLOBVerifier(trustRoots: [pki.root])
        let hostile = [
            String(repeating: "[", count: 100_000),
            "{\"no\":1,\"nextUpdate\":\"2025-02-01\",\"entries\":[" + String(repeating: "{\"x\":", count: 5000) + "1" + String(repeating: "}", count: 5000) + "]}",
            "{\"no\":\"1\",\"nextUpdate\":\"2025-02-01\",\"entries\":[]}",
            "{\"no\":1,\"nextUpdate\":\"2025-02-31\",\"entries\":[]}",
            "{\"no\":1,\"nextUpdate\":\"2025-02-01\",\"entries\":[]} trailing",
            "{\"no\":1,\"nextUpdate\":\"2025-02-01\",\"entries\":[{\"aaid\":\"\\ud800\"}]}",
        ]
        for payload in hostile {
            let code = await metadataErrorCode { _ = try await verifier.verify(try pki.sign(payload: Array(payload.utf8)), at: Self.now) }
            #expect(code == .blobMalformed)
        }
        let odd = "{\"no\":3,\"nextUpdate\":\"2025-02-01\",\"future\":{\"a\":[1,2.5e3,null,true]},\"entries\":[7,\"x\","
            + "{\"aaguid\":\"0132d110-bf4e-4208-a403-ab4f5f12efe5\",\"statusReports\":[{\"status\":5},{\"status\":\"REVOKED\"}],"
            + "\"metadataStatement\":{\"description\":\"caf\\u00e9\",\"keyProtection\":\"hardware\",\"cryptoStrength\":\"x\"}}]}"
        let verified = try await verifier.verify(try pki.sign(payload: Array(odd.utf8)), at: Self.now)
        #expect(verified.catalog.entries.count == 1)
        let entry = try #require(verified.catalog.entries.first)
        #expect(entry.statusReports.map(\.status) == [.revoked])
        #expect(entry.statement?.description == "café")
        #expect(entry.statement?.keyProtection == [])
        #expect(entry.statement?.cryptoStrength == nil)
    }

    @Test func crlPastItsNextUpdateOrFromAnotherKeyIsInvalid() async throws {
        let pki = try Self.pki()
        let other = try Self.pki()
        let blob = try pki.sign(payload: try SyntheticMetadata.payload(entries: 1, serialNumber: 1, nextUpdate: "2025-02-01", vendors: 1).json)
        let old = try pki.intermediateCRL(revokingSigner: false, thisUpdate: Self.now.addingTimeInterval(-86_400 * 10), nextUpdate: Self.now.addingTimeInterval(-86_400))
        #expect(await metadataErrorCode { _ = try await MetadataBLOBVerifier(trustRoots: [pki.root], crls: [old]).verify(blob, at: Self.now) } == .blobCRLInvalid)
        // Same issuer name, signed by a different CA key.
        let forged = try other.intermediateCRL(revokingSigner: false, thisUpdate: Self.now.addingTimeInterval(-3600), nextUpdate: nil)
        let renamed = try CertificateRevocationList.issue(issuer: pki.intermediate.subject, key: .init(), thisUpdate: forged.thisUpdate, nextUpdate: nil, revoked: [])
        #expect(await metadataErrorCode { _ = try await MetadataBLOBVerifier(trustRoots: [pki.root], crls: [renamed]).verify(blob, at: Self.now) } == .blobCRLInvalid)
    }
}

/// The payload reader refuses a repeated member, like the JSON parser for client data.
@Suite struct PayloadDuplicateMemberTests {
    @Test func a_payload_with_a_repeated_member_is_malformed() {
        let payload = Array(#"{"no":1,"no":2,"nextUpdate":"2030-01-01","entries":[]}"#.utf8)
        #expect(throws: MetadataError.self) { try PayloadReader.decode(payload) }
        let once = Array(#"{"no":1,"nextUpdate":"2030-01-01","entries":[]}"#.utf8)
        #expect(throws: Never.self) { try PayloadReader.decode(once) }
    }
}
