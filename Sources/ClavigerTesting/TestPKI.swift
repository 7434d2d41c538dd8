import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import WebAuthn
import X509

/// One test certificate authority: a self-signed root and, for most vendor profiles, an
/// intermediate that issues the attestation leaves.
public struct TestCertificateAuthority: Sendable {
    public let name: String
    public let root: Certificate
    public let intermediate: Certificate?
    let rootKey: P256.Signing.PrivateKey
    let intermediateKey: P256.Signing.PrivateKey?

    /// The certificate that signs leaves (the intermediate when there is one).
    public var issuer: Certificate { intermediate ?? root }
    var issuerKey: P256.Signing.PrivateKey { intermediateKey ?? rootKey }

    /// The certificates that go after the leaf in an `x5c` (the intermediate, never the root).
    public var chainAfterLeaf: [Certificate] { intermediate.map { [$0] } ?? [] }

    public var rootPEM: String { (try? root.serializeAsPEM().pemString) ?? "" }
}

/// A generated test PKI: one root (+ intermediate) per vendor profile, and the long-lived
/// attestation keys those vendors' authenticators hold. Generated once per process
/// (`TestPKI.shared()`): RSA key generation is slow.
///
/// Certificate profiles follow WebAuthn L3 §8 and what real authenticators emit:
/// - `packed`: FIDO batch certificate (C, O, OU="Authenticator Attestation", CN; CA=false; AAGUID extension).
/// - `u2f`: a U2F batch certificate issued directly by the root (fido-u2f carries one certificate).
/// - `tpm`: AIK certificates (v3, empty subject, critical SAN directoryName with TPM
///   manufacturer / model / version, EKU 2.23.133.8.3, CA=false, AAGUID extension).
/// - `android`: key attestation leaves certifying the credential key, with the KeyDescription extension.
/// - `apple`: anonymous attestation leaves certifying the credential key, with the nonce extension.
/// - `safetyNet`: the JWS signing certificate for attest.android.com (RSA).
public struct TestPKI: Sendable {
    public let packed: TestCertificateAuthority
    public let u2f: TestCertificateAuthority
    public let tpm: TestCertificateAuthority
    public let android: TestCertificateAuthority
    public let apple: TestCertificateAuthority
    public let safetyNet: TestCertificateAuthority

    /// The batch attestation key every "packed basic" test authenticator shares.
    public let packedBatchKey: P256.Signing.PrivateKey
    /// The U2F batch key and its certificate.
    public let u2fBatchKey: P256.Signing.PrivateKey
    public let u2fBatchCertificate: Certificate
    /// TPM attestation identity keys (RSA as in most real TPMs, and ECC P-256).
    public let tpmRSAAIK: _RSA.Signing.PrivateKey
    public let tpmECCAIK: P256.Signing.PrivateKey
    /// The SafetyNet JWS signing key (RSA, RS256) and its certificate.
    public let safetyNetKey: _RSA.Signing.PrivateKey
    public let safetyNetCertificate: Certificate

    /// Certificates are valid from an hour before this moment for ten years (leaves: one year).
    public let createdAt: Date

    /// The TPM manufacturer the AIK certificates name by default: "id:FFFFF1D0" is the ID the
    /// FIDO conformance tools use for their test TPM. It is not in the TCG vendor registry, so an
    /// RP that checks the registry (py_webauthn does) needs `TPMOptions.manufacturer` set to a
    /// registered ID such as `TPMOptions.registeredManufacturer`.
    public static let tpmManufacturer = "id:FFFFF1D0"
    public static let tpmModel = "ClavigerTestTPM"
    public static let tpmVersion = "id:00020065"

    private static let cached: Result<TestPKI, any Error> = Result { try TestPKI() }

    /// The process-wide PKI, generated on first use.
    public static func shared() throws -> TestPKI { try cached.get() }

    /// Generates a new PKI (slow: two RSA keys). Prefer `shared()`.
    public init(now: Date = Date()) throws {
        createdAt = now
        packed = try Self.authority("Claviger Test FIDO", intermediate: true, now: now)
        u2f = try Self.authority("Claviger Test U2F", intermediate: false, now: now)
        tpm = try Self.authority("Claviger Test TPM", intermediate: true, now: now)
        android = try Self.authority("Claviger Test Android Key Attestation", intermediate: true, now: now)
        apple = try Self.authority("Claviger Test Apple WebAuthn", intermediate: true, now: now)
        safetyNet = try Self.authority("Claviger Test SafetyNet", intermediate: true, now: now)

        packedBatchKey = P256.Signing.PrivateKey()
        u2fBatchKey = P256.Signing.PrivateKey()
        tpmRSAAIK = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        tpmECCAIK = P256.Signing.PrivateKey()
        safetyNetKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)

        let u2fName = try DistinguishedName { CommonName("Claviger Test U2F EE Serial 23925734811") }
        u2fBatchCertificate = try Self.issue(
            by: u2f, subject: u2fName, publicKey: Certificate.PublicKey(u2fBatchKey.publicKey), now: now,
            extensions: [
                try Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true),
                // id-fido-u2f-ce-transports: BIT STRING, usb (bit 2).
                Certificate.Extension(oid: [1, 3, 6, 1, 4, 1, 45724, 2, 1, 1], critical: false, value: [0x03, 0x02, 0x05, 0x20]),
            ])

        let safetyNetName = try DistinguishedName {
            CountryName("US")
            StateOrProvinceName("California")
            LocalityName("Mountain View")
            OrganizationName("Google LLC")
            CommonName("attest.android.com")
        }
        safetyNetCertificate = try Self.issue(
            by: safetyNet, subject: safetyNetName, publicKey: Certificate.PublicKey(safetyNetKey.publicKey), now: now,
            extensions: [
                try Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true),
                try Certificate.Extension(KeyUsage(digitalSignature: true), critical: true),
                try Certificate.Extension(try ExtendedKeyUsage([.serverAuth]), critical: false),
                try Certificate.Extension(SubjectAlternativeNames([.dnsName("attest.android.com")]), critical: false),
            ])
    }

    // MARK: - Anchors

    /// Every root, for tests that trust them all.
    public var roots: [Certificate] { [packed.root, u2f.root, tpm.root, android.root, apple.root, safetyNet.root] }

    /// The root a statement of `format` chains to.
    public func roots(for format: String) -> [Certificate] {
        switch format {
        case "packed": [packed.root]
        case "fido-u2f": [u2f.root]
        case "tpm": [tpm.root]
        case "android-key": [android.root]
        case "apple": [apple.root]
        case "android-safetynet": [safetyNet.root]
        case "compound": roots
        default: []
        }
    }

    /// The roots as format-scoped trust anchors, as a bank would configure real vendors' roots.
    public var trustAnchors: TrustAnchors {
        var anchors = TrustAnchors()
        for format in ["packed", "fido-u2f", "tpm", "android-key", "apple", "android-safetynet"] {
            for root in roots(for: format) { anchors.add(root, format: format) }
        }
        return anchors
    }

    // MARK: - Leaves

    /// A FIDO batch attestation certificate for the packed batch key, naming `aaguid`.
    public func packedAttestationCertificate(aaguid: AAGUID?, includeAAGUIDExtension: Bool = true) throws -> Certificate {
        let subject = try DistinguishedName {
            CountryName("US")
            OrganizationName("Claviger Test Authenticators")
            OrganizationalUnitName("Authenticator Attestation")
            CommonName("Claviger Test Key Batch 1")
        }
        var extensions = [try Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true)]
        if includeAAGUIDExtension, let aaguid { extensions.append(try Self.aaguidExtension(aaguid)) }
        return try Self.issue(by: packed, subject: subject, publicKey: Certificate.PublicKey(packedBatchKey.publicKey), now: createdAt, extensions: extensions)
    }

    /// A TPM AIK certificate for the RSA or ECC AIK.
    public func tpmAIKCertificate(aaguid: AAGUID, ecc: Bool, manufacturer: String = TestPKI.tpmManufacturer,
                                  model: String = TestPKI.tpmModel, version: String = TestPKI.tpmVersion) throws -> Certificate {
        let tpmAttributes = RelativeDistinguishedName([
            RelativeDistinguishedName.Attribute(type: [2, 23, 133, 2, 1], utf8String: manufacturer),
            RelativeDistinguishedName.Attribute(type: [2, 23, 133, 2, 2], utf8String: model),
            RelativeDistinguishedName.Attribute(type: [2, 23, 133, 2, 3], utf8String: version),
        ])
        let san = SubjectAlternativeNames([.directoryName(DistinguishedName([tpmAttributes]))])
        let key = ecc ? Certificate.PublicKey(tpmECCAIK.publicKey) : Certificate.PublicKey(tpmRSAAIK.publicKey)
        return try Self.issue(
            by: tpm, subject: DistinguishedName(), publicKey: key, now: createdAt,
            extensions: [
                try Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true),
                try Certificate.Extension(KeyUsage(digitalSignature: true), critical: true),
                try Certificate.Extension(try ExtendedKeyUsage([ExtendedKeyUsage.Usage(oid: [2, 23, 133, 8, 3])]), critical: false),
                try Certificate.Extension(san, critical: true),
                try Self.aaguidExtension(aaguid),
            ])
    }

    /// An Android key attestation leaf certifying `credentialKey`, carrying `keyDescription`
    /// (the DER of the KeyDescription SEQUENCE).
    public func androidKeyCertificate(credentialKey: Certificate.PublicKey, keyDescription: [UInt8]) throws -> Certificate {
        let subject = try DistinguishedName { CommonName("Android Keystore Key") }
        return try Self.issue(
            by: android, subject: subject, publicKey: credentialKey, now: createdAt,
            extensions: [
                try Certificate.Extension(KeyUsage(digitalSignature: true), critical: true),
                Certificate.Extension(oid: TestAndroidKeyDescription.extensionOID, critical: false, value: ArraySlice(keyDescription)),
            ])
    }

    /// An Apple anonymous attestation leaf certifying `credentialKey`, with `nonce` in the
    /// 1.2.840.113635.100.8.2 extension.
    public func appleCertificate(credentialKey: Certificate.PublicKey, nonce: [UInt8]) throws -> Certificate {
        let subject = try DistinguishedName {
            CommonName(Array(SHA256.hash(data: nonce)).prefix(16).hexString)
            OrganizationalUnitName("AAA Certification")
            OrganizationName("Apple Inc.")
            StateOrProvinceName("California")
        }
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { seq in
            try seq.serialize(ASN1OctetString(contentBytes: ArraySlice(nonce)), explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
        }
        return try Self.issue(
            by: apple, subject: subject, publicKey: credentialKey, now: createdAt,
            extensions: [
                try Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true),
                try Certificate.Extension(KeyUsage(digitalSignature: true), critical: true),
                Certificate.Extension(oid: [1, 2, 840, 113635, 100, 8, 2], critical: false, value: ArraySlice(serializer.serializedBytes)),
            ])
    }

    // MARK: - Building blocks

    static func aaguidExtension(_ aaguid: AAGUID) throws -> Certificate.Extension {
        var serializer = DER.Serializer()
        try serializer.serialize(ASN1OctetString(contentBytes: ArraySlice(aaguid.bytes)))
        return Certificate.Extension(oid: [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4], critical: false, value: ArraySlice(serializer.serializedBytes))
    }

    static func authority(_ name: String, intermediate: Bool, now: Date) throws -> TestCertificateAuthority {
        let rootKey = P256.Signing.PrivateKey()
        let rootName = try DistinguishedName {
            CountryName("US")
            OrganizationName("Claviger Test PKI")
            CommonName("\(name) Root CA")
        }
        let rootPublic = Certificate.PublicKey(rootKey.publicKey)
        let root = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: rootPublic,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: rootName, subject: rootName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions([
                try Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: nil), critical: true),
                try Certificate.Extension(KeyUsage(keyCertSign: true, cRLSign: true), critical: true),
                try Certificate.Extension(SubjectKeyIdentifier(hash: rootPublic), critical: false),
            ]),
            issuerPrivateKey: Certificate.PrivateKey(rootKey))
        let rootAuthority = TestCertificateAuthority(name: name, root: root, intermediate: nil, rootKey: rootKey, intermediateKey: nil)
        guard intermediate else { return rootAuthority }

        let intermediateKey = P256.Signing.PrivateKey()
        let intermediatePublic = Certificate.PublicKey(intermediateKey.publicKey)
        let intermediateName = try DistinguishedName {
            CountryName("US")
            OrganizationName("Claviger Test PKI")
            CommonName("\(name) Issuing CA 1")
        }
        let intermediateCertificate = try issue(
            by: rootAuthority, subject: intermediateName, publicKey: intermediatePublic, now: now, lifetime: 5 * 365 * 86400,
            extensions: [
                try Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: 0), critical: true),
                try Certificate.Extension(KeyUsage(keyCertSign: true, cRLSign: true), critical: true),
                try Certificate.Extension(SubjectKeyIdentifier(hash: intermediatePublic), critical: false),
            ])
        return TestCertificateAuthority(name: name, root: root, intermediate: intermediateCertificate, rootKey: rootKey, intermediateKey: intermediateKey)
    }

    /// Issues a certificate from `authority`'s issuing CA, adding the authority key identifier.
    static func issue(by authority: TestCertificateAuthority, subject: DistinguishedName, publicKey: Certificate.PublicKey,
                      now: Date, lifetime: TimeInterval = 365 * 86400, extensions: [Certificate.Extension]) throws -> Certificate {
        var all = extensions
        let issuerKeyID = SubjectKeyIdentifier(hash: Certificate.PublicKey(authority.issuerKey.publicKey)).keyIdentifier
        all.append(try Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: issuerKeyID), critical: false))
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(lifetime),
            issuer: authority.issuer.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions(all),
            issuerPrivateKey: Certificate.PrivateKey(authority.issuerKey))
    }
}

extension Certificate {
    /// The DER encoding (what goes into x5c).
    public var x5cBytes: [UInt8] {
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(self)) != nil else { return [] }
        return serializer.serializedBytes
    }
}
