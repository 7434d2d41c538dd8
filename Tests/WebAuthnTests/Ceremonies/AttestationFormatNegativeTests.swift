import Crypto
import Foundation
import Testing
import X509
@testable import ClavigerTesting
@testable import WebAuthn

/// Every attestation statement format (WebAuthn L3 §8) through `RegistrationCeremony.verify`
/// with the test PKI's roots as anchors and `requireTrustedAttestation`: the honest statement
/// is trusted with the right type and anchor; each verification-procedure check refuses its
/// deviation with its exact code.
@Suite("§8 attestation formats: trusted when valid, each check rejects with its code")
struct AttestationFormatNegativeTests {
    typealias Fixture = CeremonyStepFixture
    let pki: TestPKI

    init() throws { pki = try TestPKI.shared() }

    /// A registration with the test PKI as anchors and trusted attestation required.
    func scenario(_ authenticator: SoftwareAuthenticator, _ configure: (inout RegistrationPolicy) -> Void = { _ in }) throws -> RegistrationStepScenario {
        var scenario = RegistrationStepScenario(authenticator)
        scenario.policy = try Fixture.trustedPolicy(configure)
        return scenario
    }

    func expectTrusted(_ verified: VerifiedRegistration, format: String, type: AttestationType, root: Certificate,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(verified.format == format, sourceLocation: sourceLocation)
        #expect(verified.attestation.type == type, sourceLocation: sourceLocation)
        #expect(verified.attestation.trusted, sourceLocation: sourceLocation)
        #expect(verified.attestation.untrustedReason == nil, sourceLocation: sourceLocation)
        #expect(verified.attestation.trustAnchorFingerprint == root.sha256Fingerprint, sourceLocation: sourceLocation)
        #expect(verified.attestation.trustAnchor == String(describing: root.subject), sourceLocation: sourceLocation)
        #expect(!verified.attestation.trustPath.isEmpty, sourceLocation: sourceLocation)
    }

    static func replacingLeaf(_ certificate: Certificate) -> Tampering {
        Tampering { $0.mutateStatement = { $0.ceremonyStepReplacingX5C(at: 0, with: certificate) } }
    }

    static func setting(_ member: String, _ value: CBOR?) -> Tampering {
        Tampering { $0.mutateStatement = { $0.ceremonyStepSetting(member, value) } }
    }

    // MARK: - packed (§8.2)

    @Test func packed_basic_attestation_is_trusted_through_the_packed_root() async throws {
        let verified = try await scenario(SoftwareAuthenticator(attestation: .packedBasic)).attempt().mustVerify()
        expectTrusted(verified, format: "packed", type: .basic, root: pki.packed.root)
        #expect(verified.attestation.trustPath.count == 2)
        #expect(verified.attestation.components.isEmpty)
    }

    @Test func packed_basic_signature_by_another_key_is_rejected() async throws {
        let scenario = try scenario(SoftwareAuthenticator(attestation: .packedBasic))
        try await scenario.attempt().mustVerify()
        try await scenario.attempt(Tampering { $0.attestationKey = .p256(P256.Signing.PrivateKey()) }).mustFail(with: .badSignature)
        try await scenario.attempt(Self.setting("sig", .bytes(Fixture.randomBytes(71)))).mustFail(with: .badSignature, "random bytes")
    }

    @Test func packed_certificate_naming_another_aaguid_is_rejected() async throws {
        let scenario = try scenario(SoftwareAuthenticator(attestation: .packedBasic))
        // A freshly issued leaf for the same AAGUID verifies: the replacement itself is sound.
        let same = try pki.packedAttestationCertificate(aaguid: SoftwareAuthenticator.testAAGUID)
        try await scenario.attempt(Self.replacingLeaf(same)).mustVerify("same AAGUID")
        // The AAGUID extension is optional.
        let without = try pki.packedAttestationCertificate(aaguid: nil, includeAAGUIDExtension: false)
        try await scenario.attempt(Self.replacingLeaf(without)).mustVerify("no AAGUID extension")
        let other = try pki.packedAttestationCertificate(aaguid: Fixture.otherAAGUID)
        try await scenario.attempt(Self.replacingLeaf(other)).mustFail(with: .aaguidMismatch)
    }

    @Test func packed_self_attestation_verifies_as_self_and_is_never_trusted() async throws {
        var scenario = try scenario(SoftwareAuthenticator(attestation: .packedSelf)) { $0.requireTrustedAttestation = false }
        let verified = try await scenario.attempt().mustVerify()
        #expect(verified.attestation.type == .self)
        #expect(!verified.attestation.trusted)
        scenario.policy.requireTrustedAttestation = true
        try await scenario.attempt().mustFail(with: .attestationUntrusted)
    }

    @Test func packed_self_attestation_with_alg_other_than_the_credential_alg_is_rejected() async throws {
        let scenario = try scenario(SoftwareAuthenticator(attestation: .packedSelf)) { $0.requireTrustedAttestation = false }
        try await scenario.attempt(Self.setting("alg", .int(COSEAlgorithm.es256.rawValue))).mustVerify("alg restated")
        for alg in [COSEAlgorithm.es384, .rs256, .edDSA, .esp256] {
            try await scenario.attempt(Self.setting("alg", .int(alg.rawValue))).mustFail(with: .attestationStatementInvalid, alg.name, mentioning: "self attestation alg")
        }
        try await scenario.attempt(Self.setting("alg", .int(-65536))).mustFail(with: .unsupportedAlgorithm, "unknown alg")
        try await scenario.attempt(Self.setting("alg", "ES256")).mustFail(with: .attestationStatementInvalid, "alg as text")
    }

    @Test func packed_self_attestation_signed_by_another_key_is_rejected() async throws {
        let scenario = try scenario(SoftwareAuthenticator(attestation: .packedSelf)) { $0.requireTrustedAttestation = false }
        try await scenario.attempt().mustVerify()
        try await scenario.attempt(Tampering { $0.signingKey = try? CredentialPrivateKey(generating: .es256) }).mustFail(with: .badSignature)
    }

    /// A packed attestation leaf for the batch key, issued by the packed intermediate.
    func packedLeaf(subject: DistinguishedName, certificateAuthority: Bool = false) throws -> Certificate {
        try TestPKI.issue(
            by: pki.packed, subject: subject, publicKey: Certificate.PublicKey(pki.packedBatchKey.publicKey), now: pki.createdAt,
            extensions: [
                try Certificate.Extension(certificateAuthority ? BasicConstraints.isCertificateAuthority(maxPathLength: nil) : .notCertificateAuthority,
                                          critical: true),
                try TestPKI.aaguidExtension(SoftwareAuthenticator.testAAGUID),
            ])
    }

    @Test func packed_leaf_without_the_authenticator_attestation_OU_is_rejected() async throws {
        let scenario = try scenario(SoftwareAuthenticator(attestation: .packedBasic))
        let good = try packedLeaf(subject: try DistinguishedName {
            CountryName("DE"); OrganizationName("Vendor"); OrganizationalUnitName("Authenticator Attestation"); CommonName("Batch 7")
        })
        let verified = try await scenario.attempt(Self.replacingLeaf(good)).mustVerify("hand-issued leaf with the right profile")
        expectTrusted(verified, format: "packed", type: .basic, root: pki.packed.root)

        let wrongOU = try packedLeaf(subject: try DistinguishedName {
            CountryName("DE"); OrganizationName("Vendor"); OrganizationalUnitName("Authenticator"); CommonName("Batch 7")
        })
        try await scenario.attempt(Self.replacingLeaf(wrongOU)).mustFail(with: .attestationStatementInvalid, "OU Authenticator", mentioning: "OU must be")
        let noOU = try packedLeaf(subject: try DistinguishedName { CountryName("DE"); OrganizationName("Vendor"); CommonName("Batch 7") })
        try await scenario.attempt(Self.replacingLeaf(noOU)).mustFail(with: .attestationStatementInvalid, "no OU", mentioning: "C, O, OU and CN")
        let noCountry = try packedLeaf(subject: try DistinguishedName {
            OrganizationName("Vendor"); OrganizationalUnitName("Authenticator Attestation"); CommonName("Batch 7")
        })
        try await scenario.attempt(Self.replacingLeaf(noCountry)).mustFail(with: .attestationStatementInvalid, "no C", mentioning: "C, O, OU and CN")
        let ca = try packedLeaf(subject: try DistinguishedName {
            CountryName("DE"); OrganizationName("Vendor"); OrganizationalUnitName("Authenticator Attestation"); CommonName("Batch 7")
        }, certificateAuthority: true)
        try await scenario.attempt(Self.replacingLeaf(ca)).mustFail(with: .attestationStatementInvalid, "leaf is a CA", mentioning: "must not be a CA")
    }

    @Test func packed_statement_with_extra_or_missing_members_is_rejected() async throws {
        let basic = try scenario(SoftwareAuthenticator(attestation: .packedBasic))
        try await basic.attempt().mustVerify()
        try await basic.attempt(Self.setting("ecdaaKeyId", .bytes([1, 2, 3]))).mustFail(with: .attestationStatementInvalid, "ecdaaKeyId")
        try await basic.attempt(Self.setting("x5u", "https://evil.example/cert")).mustFail(with: .attestationStatementInvalid, "x5u")
        try await basic.attempt(Tampering { $0.mutateStatement = { .map(($0.mapValue ?? []) + [CBORPair(1, 1)]) } })
            .mustFail(with: .attestationStatementInvalid, "integer key")
        try await basic.attempt(Self.setting("sig", nil)).mustFail(with: .attestationStatementInvalid, "sig missing")
        try await basic.attempt(Self.setting("alg", nil)).mustFail(with: .attestationStatementInvalid, "alg missing")
        try await basic.attempt(Self.setting("x5c", .array([]))).mustFail(with: .attestationStatementInvalid, "x5c empty")
        try await basic.attempt(Self.setting("x5c", .bytes(pki.packed.root.x5cBytes))).mustFail(with: .attestationStatementInvalid, "x5c not an array")
        try await basic.attempt(Self.setting("x5c", .array([.bytes([0x30, 0x03, 0x02, 0x01, 0x01])]))).mustFail(with: .certificateInvalid, "x5c[0] not X.509")
        let selfAttested = try scenario(SoftwareAuthenticator(attestation: .packedSelf)) { $0.requireTrustedAttestation = false }
        try await selfAttested.attempt().mustVerify()
        try await selfAttested.attempt(Self.setting("extra", 0)).mustFail(with: .attestationStatementInvalid, "self + extra")
    }

    // MARK: - fido-u2f (§8.6)

    func u2fScenario() throws -> RegistrationStepScenario {
        var scenario = try scenario(SoftwareAuthenticator.u2fSecurityKey())
        scenario.expectations.userVerification = .discouraged
        return scenario
    }

    @Test func fido_u2f_attestation_is_trusted_through_the_u2f_root() async throws {
        let verified = try await u2fScenario().attempt().mustVerify()
        expectTrusted(verified, format: "fido-u2f", type: .basic, root: pki.u2f.root)
        #expect(verified.attestation.trustPath.count == 1)
        #expect(verified.aaguid == .zero)
    }

    @Test func fido_u2f_signature_by_another_key_is_rejected() async throws {
        let scenario = try u2fScenario()
        try await scenario.attempt().mustVerify()
        try await scenario.attempt(Tampering { $0.attestationKey = .p256(P256.Signing.PrivateKey()) }).mustFail(with: .badSignature)
        try await scenario.attempt(Self.setting("sig", .bytes(Fixture.randomBytes(70)))).mustFail(with: .badSignature, "random bytes")
    }

    @Test func fido_u2f_with_more_than_one_certificate_is_rejected() async throws {
        let scenario = try u2fScenario()
        try await scenario.attempt().mustVerify()
        try await scenario.attempt(Tampering { $0.mutateStatement = { [root = pki.u2f.root] in $0.ceremonyStepReplacingX5C(at: 1, with: root) } })
            .mustFail(with: .attestationStatementInvalid, mentioning: "exactly one certificate")
        try await scenario.attempt(Self.setting("x5c", nil)).mustFail(with: .attestationStatementInvalid, "no x5c")
        try await scenario.attempt(Self.setting("alg", .int(-7))).mustFail(with: .attestationStatementInvalid, "extra alg member", mentioning: "unexpected member")
    }

    @Test(arguments: [COSEAlgorithm.es384, .edDSA, .es512])
    func fido_u2f_for_a_credential_that_is_not_es256_is_rejected(_ algorithm: COSEAlgorithm) async throws {
        // A hand-made fido-u2f statement (the software authenticator only makes ES256 ones) with a
        // signature that cannot verify: an ES256 credential gets as far as the signature check…
        let forged = CBOR.map([CBORPair("sig", .bytes([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])),
                               CBORPair("x5c", .array([.bytes(pki.u2fBatchCertificate.x5cBytes)]))])
        let tampering = Tampering { $0.format = "fido-u2f"; $0.mutateStatement = { _ in forged } }
        var scenario = try scenario(SoftwareAuthenticator(algorithm: .es256))
        scenario.expectations.allowedAlgorithms = [.es256, .es384, .es512, .edDSA]
        try await scenario.attempt(tampering).mustFail(with: .badSignature)
        // …while any other credential key is refused before it, as U2F keys are P-256 only.
        scenario.authenticator.algorithm = algorithm
        try await scenario.attempt(tampering).mustFail(with: .attestationStatementInvalid, mentioning: "must be ES256")
    }

    // MARK: - tpm (§8.3)

    @Test(arguments: [CeremonyStepCase("RSA AIK, RS256", TPMOptions.sha256), CeremonyStepCase("ECC AIK, ES256", TPMOptions.eccAIK)])
    func tpm_attestation_is_trusted_through_the_tpm_root(_ options: CeremonyStepCase<TPMOptions>) async throws {
        let verified = try await scenario(SoftwareAuthenticator(algorithm: .es256, attestation: .tpm(options.value))).attempt().mustVerify()
        expectTrusted(verified, format: "tpm", type: .attCA, root: pki.tpm.root)
        #expect(verified.attestation.trustPath.count == 2)
    }

    /// certInfo: magic(4) type(2) qualifiedSigner(2 + 34) then extraData(2 + 32 for SHA-256).
    static let extraDataRange = 44..<76

    @Test func tpm_certInfo_extraData_not_over_this_registration_is_rejected() async throws {
        var options = TPMOptions()
        let scenario = try scenario(SoftwareAuthenticator(algorithm: .es256, attestation: .tpm(options)))
        try await scenario.attempt().mustVerify()
        options.mutateCertInfo = { certInfo in
            var certInfo = certInfo
            certInfo[Self.extraDataRange.lowerBound] ^= 0x01
            return certInfo
        }
        var tampered = scenario
        tampered.authenticator.attestation = .tpm(options)
        try await tampered.attempt().mustFail(with: .attestationStatementInvalid, mentioning: "extraData")
    }

    @Test func tpm_pubArea_of_another_key_than_the_credential_is_rejected() async throws {
        let credentialKey = try CredentialPrivateKey(generating: .es256)
        let otherKey = try CredentialPrivateKey(generating: .es256)
        /// A consistent statement (certInfo names `pubAreaKey`'s pubArea, the AIK signs it) for `pubAreaKey`.
        func options(certifying pubAreaKey: CredentialPrivateKey) throws -> TPMOptions {
            let pubArea = try TPMEncoding.pubArea(for: pubAreaKey, nameAlg: TPMEncoding.algSHA256)
            var options = TPMOptions()
            options.mutatePubArea = { _ in pubArea }
            options.mutateCertInfo = { certInfo in
                TPMEncoding.certInfo(pubArea: pubArea, nameAlg: TPMEncoding.algSHA256, extraData: Array(certInfo[Self.extraDataRange]))
            }
            return options
        }
        var scenario = try scenario(SoftwareAuthenticator(algorithm: .es256) { $0.credentialKey = credentialKey })
        scenario.authenticator.attestation = .tpm(try options(certifying: credentialKey))
        try await scenario.attempt().mustVerify("rebuilt for the credential key")
        scenario.authenticator.attestation = .tpm(try options(certifying: otherKey))
        try await scenario.attempt().mustFail(with: .attestationStatementInvalid, "pubArea of another key", mentioning: "differs from the credential public key")
        // Only pubArea swapped (certInfo still names the honest one): refused as well.
        var swapped = TPMOptions()
        let otherPubArea = try TPMEncoding.pubArea(for: otherKey, nameAlg: TPMEncoding.algSHA256)
        swapped.mutatePubArea = { _ in otherPubArea }
        scenario.authenticator.attestation = .tpm(swapped)
        try await scenario.attempt().mustFail(with: .attestationStatementInvalid, "pubArea swapped", mentioning: "differs from the credential public key")
    }

    @Test func tpm_sha1_is_refused_by_default_and_accepted_with_allowSHA1() async throws {
        var scenario = try scenario(SoftwareAuthenticator(algorithm: .es256, attestation: .tpm(.sha1)))
        try await scenario.attempt().mustFail(with: .insecureAlgorithm, "RS1 signature, SHA-1 name")
        scenario.authenticator.attestation = .tpm(TPMOptions(nameAlg: TPMEncoding.algSHA1, signatureAlgorithm: .rs256))
        try await scenario.attempt().mustFail(with: .insecureAlgorithm, "RS256 signature, SHA-1 name")
        scenario.policy.allowSHA1 = true
        expectTrusted(try await scenario.attempt().mustVerify(), format: "tpm", type: .attCA, root: pki.tpm.root)
        scenario.authenticator.attestation = .tpm(.sha1)
        expectTrusted(try await scenario.attempt().mustVerify(), format: "tpm", type: .attCA, root: pki.tpm.root)
    }

    @Test func tpm_signature_by_another_aik_is_rejected() async throws {
        let scenario = try scenario(SoftwareAuthenticator(algorithm: .es256, attestation: .tpm(.eccAIK)))
        try await scenario.attempt().mustVerify()
        try await scenario.attempt(Tampering { $0.attestationKey = .p256(P256.Signing.PrivateKey()) }).mustFail(with: .badSignature)
    }

    @Test func tpm_statement_with_wrong_version_or_extra_member_is_rejected() async throws {
        let scenario = try scenario(SoftwareAuthenticator(algorithm: .es256, attestation: .tpm))
        try await scenario.attempt().mustVerify()
        try await scenario.attempt(Self.setting("ver", "1.2")).mustFail(with: .attestationStatementInvalid, "ver 1.2", mentioning: "ver")
        try await scenario.attempt(Self.setting("ecdaaKeyId", .bytes([1]))).mustFail(with: .attestationStatementInvalid, "extra member")
        try await scenario.attempt(Self.setting("x5c", nil)).mustFail(with: .attestationStatementInvalid, "no x5c")
    }

    // MARK: - android-key (§8.4)

    @Test(arguments: [COSEAlgorithm.es256, .rs256])
    func android_key_attestation_is_trusted_through_the_android_root(_ algorithm: COSEAlgorithm) async throws {
        let authenticator = SoftwareAuthenticator(algorithm: algorithm, attestation: .androidKey) {
            if algorithm == .rs256 { $0.credentialKey = try? Fixture.rsaCredentialKey(.rs256) }
        }
        let verified = try await scenario(authenticator).attempt().mustVerify()
        expectTrusted(verified, format: "android-key", type: .basic, root: pki.android.root)
    }

    @Test func android_key_attestation_challenge_other_than_clientDataHash_is_rejected() async throws {
        var scenario = try scenario(SoftwareAuthenticator(attestation: .androidKey))
        try await scenario.attempt().mustVerify()
        scenario.authenticator.attestation = .androidKey(AndroidKeyOptions { $0.attestationChallenge = [UInt8](repeating: 0, count: 32) })
        try await scenario.attempt().mustFail(with: .attestationStatementInvalid, "zero challenge", mentioning: "attestationChallenge")
        scenario.authenticator.attestation = .androidKey(AndroidKeyOptions { $0.attestationChallenge.removeLast() })
        try await scenario.attempt().mustFail(with: .attestationStatementInvalid, "truncated challenge", mentioning: "attestationChallenge")
    }

    @Test func android_key_with_allApplications_is_rejected() async throws {
        var scenario = try scenario(SoftwareAuthenticator(attestation: .androidKey))
        try await scenario.attempt().mustVerify()
        scenario.authenticator.attestation = .androidKey(AndroidKeyOptions { $0.teeEnforced.allApplications = true })
        try await scenario.attempt().mustFail(with: .attestationStatementInvalid, "teeEnforced", mentioning: "allApplications")
        scenario.authenticator.attestation = .androidKey(AndroidKeyOptions { $0.softwareEnforced.allApplications = true })
        try await scenario.attempt().mustFail(with: .attestationStatementInvalid, "softwareEnforced", mentioning: "allApplications")
    }

    @Test func android_key_certificate_for_another_key_than_the_credential_is_rejected() async throws {
        let scenario = try scenario(SoftwareAuthenticator(attestation: .androidKey))
        let pki = self.pki
        /// Re-issues the leaf for `key` with the honest key description, and has `key` sign.
        func certifying(_ key: CredentialPrivateKey) throws -> Tampering {
            let certificateKey = try key.certificatePublicKey()
            return Tampering { t in
                t.signingKey = key
                t.mutateStatement = { statement in
                    guard let leaf = statement.ceremonyStepX5C(0),
                          let description = leaf.extensions[oid: TestAndroidKeyDescription.extensionOID]?.value,
                          let reissued = try? pki.androidKeyCertificate(credentialKey: certificateKey, keyDescription: Array(description)) else { return .null }
                    return statement.ceremonyStepReplacingX5C(at: 0, with: reissued)
                }
            }
        }
        var honest = scenario
        let credentialKey = try CredentialPrivateKey(generating: .es256)
        honest.authenticator.credentialKey = credentialKey
        try await honest.attempt(try certifying(credentialKey)).mustVerify("leaf re-issued for the credential key")
        try await honest.attempt(try certifying(try CredentialPrivateKey(generating: .es256)))
            .mustFail(with: .attestationStatementInvalid, mentioning: "credential public key differs")
    }

    @Test func android_key_signature_by_another_key_is_rejected() async throws {
        let scenario = try scenario(SoftwareAuthenticator(attestation: .androidKey))
        try await scenario.attempt().mustVerify()
        try await scenario.attempt(Tampering { $0.signingKey = try? CredentialPrivateKey(generating: .es256) }).mustFail(with: .badSignature)
    }

    @Test func android_key_not_generated_in_the_tee_for_signing_is_rejected() async throws {
        var scenario = try scenario(SoftwareAuthenticator(attestation: .androidKey))
        try await scenario.attempt().mustVerify()
        let cases: [CeremonyStepCase<AndroidKeyOptions>] = [
            .init("imported key (origin 2)", AndroidKeyOptions { $0.teeEnforced.origin = 2 }),
            .init("no origin", AndroidKeyOptions { $0.teeEnforced.origin = nil }),
            .init("encrypt-only purpose", AndroidKeyOptions { $0.teeEnforced.purpose = [0, 1] }),
            .init("origin and purpose only software-enforced", AndroidKeyOptions { d in
                d.softwareEnforced.origin = 0
                d.softwareEnforced.purpose = [2]
                d.teeEnforced.origin = nil
                d.teeEnforced.purpose = nil
            }),
        ]
        for option in cases {
            scenario.authenticator.attestation = .androidKey(option.value)
            try await scenario.attempt().mustFail(with: .attestationStatementInvalid, option.label, mentioning: "teeEnforced")
        }
    }

    // MARK: - android-safetynet (§8.5)

    @Test func android_safetynet_is_refused_by_default_and_trusted_when_allowed() async throws {
        var scenario = try scenario(SoftwareAuthenticator(attestation: .androidSafetyNet))
        try await scenario.attempt().mustFail(with: .formatNotAllowed)
        scenario.policy.allowSafetyNet = true
        let verified = try await scenario.attempt().mustVerify()
        expectTrusted(verified, format: "android-safetynet", type: .basic, root: pki.safetyNet.root)
    }

    func safetyNetScenario(_ jws: SafetyNetJWS = SafetyNetJWS()) throws -> RegistrationStepScenario {
        try scenario(SoftwareAuthenticator(attestation: .androidSafetyNet(jws))) { $0.allowSafetyNet = true }
    }

    @Test func android_safetynet_nonce_not_over_this_registration_is_rejected() async throws {
        try await safetyNetScenario().attempt().mustVerify()
        var jws = SafetyNetJWS()
        jws.nonceOverride = Data([UInt8](repeating: 0, count: 32)).base64EncodedString()
        try await safetyNetScenario(jws).attempt().mustFail(with: .attestationStatementInvalid, mentioning: "nonce")
    }

    @Test func android_safetynet_without_cts_profile_match_is_rejected_unless_the_check_is_off() async throws {
        var jws = SafetyNetJWS()
        jws.ctsProfileMatch = false
        var scenario = try safetyNetScenario(jws)
        try await scenario.attempt().mustFail(with: .attestationStatementInvalid, mentioning: "ctsProfileMatch")
        scenario.policy.safetyNetRequireCTSProfileMatch = false
        try await scenario.attempt().mustVerify()
    }

    @Test func android_safetynet_stale_or_future_timestamp_is_rejected() async throws {
        var scenario = try safetyNetScenario(SafetyNetJWS(timestamp: Date().addingTimeInterval(-120)))
        try await scenario.attempt().mustFail(with: .attestationStatementInvalid, "two minutes old, 60 s allowed", mentioning: "older than")
        scenario.policy.safetyNetMaxAgeSeconds = 300
        try await scenario.attempt().mustVerify("two minutes old, 300 s allowed")
        scenario.authenticator.attestation = .androidSafetyNet(SafetyNetJWS(timestamp: Date().addingTimeInterval(600)))
        try await scenario.attempt().mustFail(with: .attestationStatementInvalid, "ten minutes in the future", mentioning: "in the future")
    }

    @Test func android_safetynet_jws_signed_by_another_key_is_rejected() async throws {
        let scenario = try safetyNetScenario()
        try await scenario.attempt().mustVerify()
        try await scenario.attempt(Tampering { $0.attestationKey = try? Fixture.uncertifiedRSAAttestationKey() }).mustFail(with: .badSignature)
    }

    // MARK: - apple (§8.8)

    @Test func apple_attestation_is_trusted_through_the_apple_root() async throws {
        let verified = try await scenario(SoftwareAuthenticator(attestation: .apple)).attempt().mustVerify()
        expectTrusted(verified, format: "apple", type: .anonCA, root: pki.apple.root)
    }

    /// Re-issues the apple leaf for `key` (the credential's when nil) and `nonce` (the honest one when nil).
    func appleLeaf(key: CredentialPrivateKey, nonce: [UInt8]?) throws -> Tampering {
        let pki = self.pki
        let certificateKey = try key.certificatePublicKey()
        return Tampering { t in
            t.mutateStatement = { statement in
                guard let leaf = statement.ceremonyStepX5C(0), let honest = try? AppleAttestation.certificateNonce(leaf),
                      let reissued = try? pki.appleCertificate(credentialKey: certificateKey, nonce: nonce ?? honest) else { return .null }
                return statement.ceremonyStepReplacingX5C(at: 0, with: reissued)
            }
        }
    }

    @Test func apple_nonce_not_over_this_registration_is_rejected() async throws {
        let key = try CredentialPrivateKey(generating: .es256)
        let scenario = try scenario(SoftwareAuthenticator(attestation: .apple) { $0.credentialKey = key })
        try await scenario.attempt(try appleLeaf(key: key, nonce: nil)).mustVerify("leaf re-issued with the honest nonce")
        try await scenario.attempt(try appleLeaf(key: key, nonce: [UInt8](repeating: 0, count: 32)))
            .mustFail(with: .attestationStatementInvalid, mentioning: "nonce does not match")
    }

    @Test func apple_certificate_for_another_key_than_the_credential_is_rejected() async throws {
        let key = try CredentialPrivateKey(generating: .es256)
        let scenario = try scenario(SoftwareAuthenticator(attestation: .apple) { $0.credentialKey = key })
        try await scenario.attempt(try appleLeaf(key: key, nonce: nil)).mustVerify("leaf re-issued for the credential key")
        try await scenario.attempt(try appleLeaf(key: try CredentialPrivateKey(generating: .es256), nonce: nil))
            .mustFail(with: .attestationStatementInvalid, mentioning: "differs from the certificate key")
    }

    @Test func apple_statement_with_an_extra_member_is_rejected() async throws {
        let scenario = try scenario(SoftwareAuthenticator(attestation: .apple))
        try await scenario.attempt(Self.setting("alg", .int(-7))).mustVerify("alg is tolerated")
        try await scenario.attempt(Self.setting("sig", .bytes([1]))).mustFail(with: .attestationStatementInvalid)
    }

    // MARK: - compound (§8.9)

    @Test func compound_of_two_good_statements_is_trusted() async throws {
        let verified = try await scenario(SoftwareAuthenticator(attestation: .compound([.packedBasic, .apple]))).attempt().mustVerify()
        #expect(verified.attestation.components == ["packed", "apple"])
        expectTrusted(verified, format: "compound", type: .basic, root: pki.packed.root)
    }

    /// Applies `edit` to component `index` of a compound statement's `attStmt`.
    static func editingComponent(_ index: Int, _ edit: @escaping @Sendable (CBOR) -> CBOR) -> Tampering {
        Tampering { t in
            t.mutateStatement = { statement in
                var entries = statement.arrayValue ?? []
                guard entries.indices.contains(index), let inner = entries[index][text: "attStmt"] else { return statement }
                entries[index] = entries[index].ceremonyStepSetting("attStmt", edit(inner))
                return .array(entries)
            }
        }
    }

    @Test func compound_with_one_bad_statement_fails_as_a_whole() async throws {
        let scenario = try scenario(SoftwareAuthenticator(attestation: .compound([.packedBasic, .apple, .tpm])))
        try await scenario.attempt().mustVerify()
        try await scenario.attempt(Self.editingComponent(0) { $0.ceremonyStepSetting("sig", .bytes(Fixture.randomBytes(70))) })
            .mustFail(with: .badSignature, "packed signature")
        try await scenario.attempt(Self.editingComponent(2) { $0.ceremonyStepSetting("ver", "1.0") })
            .mustFail(with: .attestationStatementInvalid, "tpm version", mentioning: "tpm")
        // A bad statement cannot hide behind a good one, whatever its position or format.
        let withNone = try self.scenario(SoftwareAuthenticator(attestation: .compound([.packedBasic, .none])))
        try await withNone.attempt().mustVerify()
        try await withNone.attempt(Self.editingComponent(1) { _ in .map([CBORPair("sig", .bytes([1]))]) })
            .mustFail(with: .attestationStatementInvalid, mentioning: "none")
    }

    @Test func compound_nested_in_compound_is_refused() async throws {
        let scenario = try scenario(SoftwareAuthenticator(attestation: .compound([.packedBasic, .apple])))
        try await scenario.attempt().mustVerify()
        var nested = scenario
        nested.authenticator.attestation = .compound([.packedBasic, .compound([.packedSelf, .apple])])
        try await nested.attempt().mustFail(with: .attestationStatementInvalid, "nested array")
        // A nested entry claiming fmt "compound" with a map statement is refused as well.
        let relabelled = Tampering { t in
            t.mutateStatement = { statement in
                var entries = statement.arrayValue ?? []
                entries[1] = entries[1].ceremonyStepSetting("fmt", "compound")
                return .array(entries)
            }
        }
        try await scenario.attempt(relabelled).mustFail(with: .attestationStatementInvalid, "fmt compound inside compound", mentioning: "cannot nest")
    }

    @Test func compound_needs_two_to_eight_statements() async throws {
        var scenario = try scenario(SoftwareAuthenticator(attestation: .compound([.packedBasic, .packedBasic])))
        try await scenario.attempt().mustVerify()
        scenario.authenticator.attestation = .compound([.packedBasic])
        try await scenario.attempt().mustFail(with: .attestationStatementInvalid, "one statement", mentioning: "2 to 8")
        scenario.authenticator.attestation = .compound(Array(repeating: .packedBasic, count: 9))
        try await scenario.attempt().mustFail(with: .attestationStatementInvalid, "nine statements", mentioning: "2 to 8")
    }

    @Test func compound_outside_allowedFormats_is_rejected() async throws {
        var scenario = try scenario(SoftwareAuthenticator(attestation: .compound([.packedBasic, .apple]))) { $0.allowedFormats = ["compound", "packed", "apple"] }
        try await scenario.attempt().mustVerify()
        scenario.policy.allowedFormats = ["packed", "apple"]
        try await scenario.attempt().mustFail(with: .formatNotAllowed)
    }

    /// `RegistrationPolicy.allowedFormats` ("only these formats are accepted") applies to the
    /// formats nested in a compound statement too, or a bank allowing ["compound", "packed"] would
    /// accept an apple, tpm or android-key statement wrapped next to a packed one.
    @Test func compound_components_are_subject_to_allowedFormats() async throws {
        var scenario = try scenario(SoftwareAuthenticator(attestation: .compound([.packedBasic, .apple]))) { $0.allowedFormats = ["compound", "packed", "apple"] }
        try await scenario.attempt().mustVerify()
        // A format the bank does not accept must not get in by being wrapped in a compound statement.
        scenario.policy.allowedFormats = ["compound", "packed"]
        try await scenario.attempt().mustFail(with: .formatNotAllowed, "apple component not allowed")
    }

    @Test func compound_components_need_their_own_switches() async throws {
        var scenario = try scenario(SoftwareAuthenticator(attestation: .compound([.packedBasic, .androidSafetyNet])))
        try await scenario.attempt().mustFail(with: .formatNotAllowed, "safetynet inside compound")
        scenario.policy.allowSafetyNet = true
        try await scenario.attempt().mustVerify()
        scenario.authenticator.attestation = .compound([.packedBasic, .tpm(.sha1)])
        try await scenario.attempt().mustFail(with: .insecureAlgorithm, "SHA-1 TPM inside compound")
    }

    @Test func compound_without_a_trusted_component_is_untrusted() async throws {
        var scenario = try scenario(SoftwareAuthenticator(attestation: .compound([.packedSelf, .none])))
        try await scenario.attempt().mustFail(with: .attestationUntrusted)
        scenario.policy.requireTrustedAttestation = false
        let verified = try await scenario.attempt().mustVerify()
        #expect(verified.attestation.type == .self)
        #expect(!verified.attestation.trusted)
    }

    // MARK: - none (§8.7)

    @Test func none_attestation_with_a_non_empty_statement_is_rejected() async throws {
        let scenario = try scenario(SoftwareAuthenticator(attestation: .none)) { $0.requireTrustedAttestation = false }
        let verified = try await scenario.attempt().mustVerify()
        #expect(verified.attestation.type == .none)
        #expect(!verified.attestation.trusted)
        try await scenario.attempt(Self.setting("alg", .int(-7))).mustFail(with: .attestationStatementInvalid, mentioning: "empty map")
        try await scenario.attempt(Self.setting("x5c", .array([.bytes(pki.packed.root.x5cBytes)]))).mustFail(with: .attestationStatementInvalid, mentioning: "empty map")
    }
}
