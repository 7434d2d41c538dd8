import Crypto
import Foundation
import Testing
import X509
@testable import ClavigerTesting
@testable import WebAuthn

/// What a registration produced, decoded the way an RP would.
struct DecodedRegistration {
    let clientData: CollectedClientData
    let object: AttestationObject
    let credential: AuthenticatorData.AttestedCredentialData

    init(_ response: RegistrationResponseJSON) throws {
        let clientDataBytes = try #require(Base64URL.decode(response.response.clientDataJSON))
        let objectBytes = try #require(Base64URL.decode(response.response.attestationObject))
        clientData = try CollectedClientData(clientDataBytes)
        object = try AttestationObject(objectBytes)
        credential = try #require(object.authenticatorData.attestedCredential)
    }

    func verify(allowSHA1: Bool = false, allowSafetyNet: Bool = false, now: Date = Date()) throws -> AttestationStatementResult {
        var options = AttestationOptions(now: now)
        options.allowSHA1 = allowSHA1
        options.allowSafetyNet = allowSafetyNet
        let input = AttestationInput(statement: object.statement, authenticatorData: object.authenticatorData, credential: credential,
                                     clientDataHash: clientData.hash, options: options)
        return try AttestationFormats.verify(format: object.format, input)
    }
}

enum Fixture {
    static let rpID = "bank.example"
    static let origin = "https://bank.example"
    static func challenge() -> [UInt8] { (0..<32).map { _ in UInt8.random(in: 0...255) } }
}

@Suite("Software authenticator attestations verify and chain to the test PKI")
struct SoftwareAuthenticatorAttestationTests {
    let pki: TestPKI

    init() throws { pki = try TestPKI.shared() }

    /// Registers, verifies the statement, and checks the trust path against the format's test root.
    @discardableResult
    func registerAndVerify(_ authenticator: SoftwareAuthenticator, expectFormat: String, expectType: AttestationType,
                           allowSHA1: Bool = false, allowSafetyNet: Bool = false) async throws -> AttestationStatementResult {
        let challenge = Fixture.challenge()
        let (response, stored) = try authenticator.register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: challenge, userHandle: [1, 2, 3])
        let decoded = try DecodedRegistration(response)
        #expect(decoded.object.format == expectFormat)
        #expect(decoded.clientData.type == "webauthn.create")
        #expect(decoded.clientData.challengeBytes == challenge)
        #expect(decoded.object.authenticatorData.rpIDHash == Array(SHA256.hash(data: Array(Fixture.rpID.utf8))))
        #expect(decoded.credential.credentialID == stored.id)
        #expect(decoded.credential.publicKey.encoded == stored.publicKey)
        let result = try decoded.verify(allowSHA1: allowSHA1, allowSafetyNet: allowSafetyNet)
        #expect(result.type == expectType)
        let paths = result.components.isEmpty ? [(expectFormat, result.trustPath)] : result.components.map { ($0.format, $0.result.trustPath) }
        for (format, path) in paths where !path.isEmpty {
            let assessment = await ChainVerification.assess(trustPath: path, anchors: pki.roots(for: format), at: Date())
            #expect(assessment.trusted, "\(format): \(assessment.failure?.description ?? "")")
            #expect(assessment.anchor == pki.roots(for: format).first)
            // The same path is untrusted against another vendor's root.
            let otherRoots = pki.roots.filter { !pki.roots(for: format).contains($0) }
            let wrong = await ChainVerification.assess(trustPath: path, anchors: otherRoots, at: Date())
            #expect(!wrong.trusted)
        }
        return result
    }

    @Test func noneAttestationVerifiesAsNone() async throws {
        try await registerAndVerify(SoftwareAuthenticator(attestation: .none), expectFormat: "none", expectType: .none)
    }

    @Test(arguments: [COSEAlgorithm.es256, .es384, .es512, .edDSA, .ed25519, .rs256, .ps256, .mlDSA65])
    func packedSelfAttestationVerifiesForEveryAlgorithm(_ algorithm: COSEAlgorithm) async throws {
        try await registerAndVerify(SoftwareAuthenticator(algorithm: algorithm, attestation: .packedSelf), expectFormat: "packed", expectType: .self)
    }

    @Test func packedSelfAttestationWithRS1Verifies() async throws {
        let (response, _) = try SoftwareAuthenticator(algorithm: .rs1, attestation: .packedSelf)
            .register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: Fixture.challenge())
        let decoded = try DecodedRegistration(response)
        #expect(decoded.credential.publicKey.algorithm == .rs1)
        #expect(try decoded.verify().type == .self)
    }

    @Test func packedBasicAttestationChainsToPackedRoot() async throws {
        let result = try await registerAndVerify(SoftwareAuthenticator(attestation: .packedBasic), expectFormat: "packed", expectType: .basic)
        let leaf = try #require(result.trustPath.first)
        #expect(try leaf.fidoAAGUIDExtension() == SoftwareAuthenticator.testAAGUID)
        #expect(result.trustPath.count == 2)
    }

    @Test func packedBasicWithAnotherAAGUIDIsRefusedAsMismatch() throws {
        let other = try #require(AAGUID("00000000-0000-0000-0000-0000000000aa"))
        // The certificate names the authenticator's AAGUID; authenticator data claims another.
        let tampering = Tampering { t in
            t.mutateAuthenticatorData = { bytes in
                var bytes = bytes
                bytes.replaceSubrange(37..<53, with: other.bytes)
                return bytes
            }
        }
        // The statement is built over the mutated bytes, so the certificate names `other`; swap it back.
        let authenticator = SoftwareAuthenticator(attestation: .packedBasic)
        let (honest, _) = try authenticator.register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: Fixture.challenge(), tampering: tampering)
        #expect(try DecodedRegistration(honest).verify().type == .basic)

        let pki = self.pki
        let mismatched = Tampering { t in
            t.mutateStatement = { statement in
                guard let leaf = try? pki.packedAttestationCertificate(aaguid: other) else { return statement }
                return .map((statement.mapValue ?? []).map { $0.key == "x5c" ? CBORPair("x5c", .array([.bytes(leaf.x5cBytes)])) : $0 })
            }
        }
        let (response, _) = try authenticator.register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: Fixture.challenge(), tampering: mismatched)
        #expect(throws: WebAuthnError.self) { try DecodedRegistration(response).verify() }
        do { _ = try DecodedRegistration(response).verify() } catch let error as WebAuthnError { #expect(error.code == .aaguidMismatch) }
    }

    @Test func fidoU2FAttestationChainsToU2FRoot() async throws {
        let result = try await registerAndVerify(SoftwareAuthenticator.u2fSecurityKey(), expectFormat: "fido-u2f", expectType: .basic)
        #expect(result.trustPath.count == 1)
    }

    @Test func tpmRSAPubAreaWithSHA256Verifies() async throws {
        try await registerAndVerify(SoftwareAuthenticator(algorithm: .rs256, attestation: .tpm(.sha256)), expectFormat: "tpm", expectType: .attCA)
    }

    @Test func tpmECCPubAreaWithSHA256Verifies() async throws {
        try await registerAndVerify(SoftwareAuthenticator(algorithm: .es256, attestation: .tpm(.sha256)), expectFormat: "tpm", expectType: .attCA)
    }

    @Test func tpmECCPubAreaSignedByECCAIKVerifies() async throws {
        try await registerAndVerify(SoftwareAuthenticator(algorithm: .es256, attestation: .tpm(.eccAIK)), expectFormat: "tpm", expectType: .attCA)
    }

    @Test func tpmSHA1VariantVerifiesOnlyWhenSHA1IsAllowed() async throws {
        let authenticator = SoftwareAuthenticator(algorithm: .rs256, attestation: .tpm(.sha1))
        try await registerAndVerify(authenticator, expectFormat: "tpm", expectType: .attCA, allowSHA1: true)
        let (response, _) = try authenticator.register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: Fixture.challenge())
        do {
            _ = try DecodedRegistration(response).verify()
            Issue.record("SHA-1 TPM attestation verified without allowSHA1")
        } catch let error as WebAuthnError {
            #expect(error.code == .insecureAlgorithm)
        }
    }

    @Test func tpmAIKCertificateHasTheTCGProfile() throws {
        let certificate = try pki.tpmAIKCertificate(aaguid: SoftwareAuthenticator.testAAGUID, ecc: false)
        #expect(certificate.subject.isEmpty)
        let san = try #require(certificate.extensions[oid: .X509ExtensionID.subjectAlternativeName])
        #expect(san.critical)
        #expect(try certificate.extensions.extendedKeyUsage?.contains(ExtendedKeyUsage.Usage(oid: [2, 23, 133, 8, 3])) == true)
        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
        #expect(try certificate.fidoAAGUIDExtension() == SoftwareAuthenticator.testAAGUID)
    }

    @Test(arguments: [COSEAlgorithm.es256, .rs256])
    func androidKeyAttestationChainsToAndroidRoot(_ algorithm: COSEAlgorithm) async throws {
        let result = try await registerAndVerify(SoftwareAuthenticator(algorithm: algorithm, attestation: .androidKey), expectFormat: "android-key", expectType: .basic)
        #expect(result.trustPath.count == 3)
    }

    @Test func androidKeyWithAllApplicationsIsRefused() throws {
        let authenticator = SoftwareAuthenticator(attestation: .androidKey(AndroidKeyOptions { $0.teeEnforced.allApplications = true }))
        let (response, _) = try authenticator.register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: Fixture.challenge())
        #expect(throws: WebAuthnError.self) { try DecodedRegistration(response).verify() }
    }

    @Test func androidSafetyNetVerifiesWhenAllowed() async throws {
        try await registerAndVerify(SoftwareAuthenticator(attestation: .androidSafetyNet), expectFormat: "android-safetynet", expectType: .basic, allowSafetyNet: true)
    }

    @Test func androidSafetyNetIsRefusedByDefault() throws {
        let (response, _) = try SoftwareAuthenticator(attestation: .androidSafetyNet).register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: Fixture.challenge())
        do {
            _ = try DecodedRegistration(response).verify()
            Issue.record("SafetyNet verified without allowSafetyNet")
        } catch let error as WebAuthnError {
            #expect(error.code == .formatNotAllowed)
        }
    }

    @Test func appleAnonymousAttestationChainsToAppleRoot() async throws {
        try await registerAndVerify(SoftwareAuthenticator(attestation: .apple) { $0.backupEligible = true; $0.backupState = true },
                                    expectFormat: "apple", expectType: .anonCA)
    }

    @Test func compoundOfPackedAndTPMVerifiesEveryComponent() async throws {
        let authenticator = SoftwareAuthenticator(algorithm: .es256, attestation: .compound([.packedBasic, .tpm(.sha256), .apple]))
        let result = try await registerAndVerify(authenticator, expectFormat: "compound", expectType: .attCA)
        #expect(result.components.map(\.format) == ["packed", "tpm", "apple"])
    }

    @Test func everyRootIsASelfSignedCA() throws {
        for root in pki.roots {
            #expect(root.issuer == root.subject)
            #expect(try root.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))
        }
        #expect(pki.trustAnchors.anchors(for: "tpm") == [pki.tpm.root])
    }
}

@Suite("Software authenticator ceremonies and tampering hooks")
struct SoftwareAuthenticatorCeremonyTests {
    func verifyAssertion(_ response: AuthenticationResponseJSON, _ credential: StoredCredential) throws -> (CollectedClientData, AuthenticatorData) {
        let clientData = try CollectedClientData(try #require(Base64URL.decode(response.response.clientDataJSON)))
        let authData = try AuthenticatorData(try #require(Base64URL.decode(response.response.authenticatorData)))
        let signature = try #require(Base64URL.decode(response.response.signature))
        try COSEKey(cose: credential.publicKey).verify(signature: signature, over: authData.bytes + clientData.hash)
        return (clientData, authData)
    }

    @Test(arguments: [COSEAlgorithm.es256, .es384, .es512, .edDSA, .rs256, .ps256, .rs1, .mlDSA87])
    func assertionsVerifyWithTheRegisteredKey(_ algorithm: COSEAlgorithm) throws {
        let authenticator = SoftwareAuthenticator(algorithm: algorithm)
        var (_, credential) = try authenticator.register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: Fixture.challenge(), userHandle: [9, 9])
        let challenge = Fixture.challenge()
        let response = try authenticator.authenticate(credential: &credential, origin: Fixture.origin, challenge: challenge)
        let (clientData, authData) = try verifyAssertion(response, credential)
        #expect(clientData.type == "webauthn.get")
        #expect(clientData.challengeBytes == challenge)
        #expect(authData.signCount == 1)
        #expect(response.response.userHandle == Base64URL.encode([9, 9]))
        #expect(response.id == credential.idBase64URL)
    }

    @Test func counterAdvancesOnEveryAssertion() throws {
        let authenticator = SoftwareAuthenticator { $0.initialSignCount = 10; $0.signCountIncrement = 5 }
        var (_, credential) = try authenticator.register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: Fixture.challenge())
        #expect(credential.signCount == 10)
        for expected in [UInt32(15), 20, 25] {
            let response = try authenticator.authenticate(credential: &credential, origin: Fixture.origin, challenge: Fixture.challenge())
            #expect(try verifyAssertion(response, credential).1.signCount == expected)
        }
    }

    @Test func syncedPasskeyReportsBackupFlagsAndZeroCounter() throws {
        let authenticator = SoftwareAuthenticator.syncedPasskey()
        var (registration, credential) = try authenticator.register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: Fixture.challenge())
        let flags = try DecodedRegistration(registration).object.authenticatorData.flags
        #expect(flags.backupEligible && flags.backupState && flags.userVerified && flags.userPresent)
        let response = try authenticator.authenticate(credential: &credential, origin: Fixture.origin, challenge: Fixture.challenge())
        #expect(try verifyAssertion(response, credential).1.signCount == 0)
    }

    @Test func clientDataJSONIsCompactLikeABrowser() throws {
        let challenge: [UInt8] = [0xFB, 0xFF, 0x00, 0x01]
        let (response, _) = try SoftwareAuthenticator().register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: challenge)
        let json = String(decoding: try #require(Base64URL.decode(response.response.clientDataJSON)), as: UTF8.self)
        #expect(json == #"{"type":"webauthn.create","challenge":"-_8AAQ","origin":"https://bank.example","crossOrigin":false}"#)
    }

    @Test func crossOriginIframeAddsTopOrigin() throws {
        var (_, credential) = try SoftwareAuthenticator().register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: Fixture.challenge())
        let response = try SoftwareAuthenticator().authenticate(credential: &credential, origin: Fixture.origin, challenge: [1], topOrigin: "https://shop.example")
        let json = String(decoding: try #require(Base64URL.decode(response.response.clientDataJSON)), as: UTF8.self)
        #expect(json == #"{"type":"webauthn.get","challenge":"AQ","origin":"https://bank.example","crossOrigin":true,"topOrigin":"https://shop.example"}"#)
    }

    @Test func extensionOutputsAreCarriedInAuthenticatorDataAndClientResults() throws {
        let authenticator = SoftwareAuthenticator(attestation: .packedSelf) {
            $0.registrationExtensions = .map([CBORPair("credProtect", 2)])
            $0.clientExtensionResults = ClientExtensionResults(credProps: .init(rk: true))
        }
        let (response, _) = try authenticator.register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: Fixture.challenge())
        let decoded = try DecodedRegistration(response)
        #expect(decoded.object.authenticatorData.extensions?[text: "credProtect"]?.int64 == 2)
        #expect(response.clientExtensionResults.credProps?.rk == true)
        #expect(try decoded.verify().type == .self)
    }

    @Test func credentialIDsOfAnyLengthRoundTrip() throws {
        for length in [1, 16, 255, 1023] {
            let (response, credential) = try SoftwareAuthenticator { $0.credentialIDLength = length }
                .register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: Fixture.challenge())
            #expect(try DecodedRegistration(response).credential.credentialID.count == length)
            #expect(credential.id.count == length)
        }
        let (tooLong, _) = try SoftwareAuthenticator { $0.credentialIDLength = 1024 }
            .register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: Fixture.challenge())
        #expect(throws: WebAuthnError.self) { try DecodedRegistration(tooLong) }
    }

    @Test func clientDataOverridesAreWrittenVerbatim() throws {
        let tampering = Tampering { t in
            t.type = .string("webauthn.get")
            t.origin = .string("https://evil.example")
            t.crossOrigin = .omitted
            t.extraClientDataMembers = [.init("other_keys_can_be_added_here", "do not compare clientDataJSON against a template")]
        }
        let (response, _) = try SoftwareAuthenticator().register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: [0], tampering: tampering)
        let json = String(decoding: try #require(Base64URL.decode(response.response.clientDataJSON)), as: UTF8.self)
        #expect(json == #"{"type":"webauthn.get","challenge":"AA","origin":"https://evil.example","other_keys_can_be_added_here":"do not compare clientDataJSON against a template"}"#)

        let raw = Tampering { $0.clientDataJSON = Array("not json".utf8) }
        let (rawResponse, _) = try SoftwareAuthenticator().register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: [0], tampering: raw)
        #expect(rawResponse.response.clientDataJSON == Base64URL.encode(Array("not json".utf8)))
    }

    @Test func rpIDOverrideChangesOnlyTheHash() throws {
        let (response, _) = try SoftwareAuthenticator().register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: [0],
                                                                   tampering: Tampering { $0.rpIDForHash = "evil.example" })
        let decoded = try DecodedRegistration(response)
        #expect(decoded.object.authenticatorData.rpIDHash == Array(SHA256.hash(data: Array("evil.example".utf8))))
        #expect(decoded.clientData.origin == Fixture.origin)
    }

    @Test func signingWithAnotherKeyBreaksTheSignature() throws {
        let authenticator = SoftwareAuthenticator(attestation: .packedSelf)
        let other = try CredentialPrivateKey(generating: .es256)
        let (registration, _) = try authenticator.register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: [0], tampering: Tampering { $0.signingKey = other })
        #expect(throws: WebAuthnError.self) { try DecodedRegistration(registration).verify() }

        var (_, credential) = try authenticator.register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: [0])
        let assertion = try authenticator.authenticate(credential: &credential, origin: Fixture.origin, challenge: [1], tampering: Tampering { $0.signingKey = other })
        #expect(throws: WebAuthnError.self) { try verifyAssertion(assertion, credential) }
    }

    @Test func authenticatorDataMutationIsSignedOver() throws {
        // Clearing UP after signing would break the signature; the hook runs before signing, so it verifies.
        let authenticator = SoftwareAuthenticator()
        var (_, credential) = try authenticator.register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: [0])
        let tampering = Tampering { $0.mutateAuthenticatorData = { var b = $0; b[32] &= ~0x01; return b } }
        let response = try authenticator.authenticate(credential: &credential, origin: Fixture.origin, challenge: [1], tampering: tampering)
        #expect(try verifyAssertion(response, credential).1.flags.userPresent == false)
    }

    @Test func statementMutationReachesTheAttestationObject() throws {
        let tampering = Tampering { $0.mutateStatement = { _ in .map([CBORPair("alg", -7)]) } }
        let (response, _) = try SoftwareAuthenticator(attestation: .packedSelf).register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: [0], tampering: tampering)
        #expect(throws: WebAuthnError.self) { try DecodedRegistration(response).verify() }
    }

    @Test func securePaymentConfirmationAssertionCarriesThePaymentMember() throws {
        let authenticator = SoftwareAuthenticator()
        var (_, credential) = try authenticator.register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: [0])
        let payment = PaymentClientData(rpID: Fixture.rpID, topOrigin: "https://shop.example", payeeName: "Shop", payeeOrigin: "https://shop.example",
                                        total: .init(currency: "EUR", value: "12.50"), instrument: .init(displayName: "Visa ••42", icon: "https://bank.example/card.png"))
        let response = try authenticator.authenticatePayment(credential: &credential, origin: "https://shop.example", challenge: [7], payment: payment)
        let (clientData, _) = try verifyAssertion(response, credential)
        #expect(clientData.type == "payment.get")
        #expect(clientData.payment?["rpId"]?.stringValue == Fixture.rpID)
        #expect(clientData.payment?["total"]?["value"]?.stringValue == "12.50")
        #expect(clientData.payment?["instrument"]?["displayName"]?.stringValue == "Visa ••42")
        #expect(clientData.payment?["payeeOrigin"]?.stringValue == "https://shop.example")
    }
}
