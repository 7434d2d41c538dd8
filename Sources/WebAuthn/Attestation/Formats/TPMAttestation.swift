import Crypto
import X509
import SwiftASN1

/// `tpm` (WebAuthn L3 §8.3): a TPM 2.0 certifies the credential key with its attestation
/// identity key (AIK), whose certificate (`aikCert`, first in `x5c`) an AIK CA issued.
///
/// Statement: `{ver: "2.0", alg, x5c, sig, certInfo, pubArea}`. `pubArea` is the TPMT_PUBLIC
/// of the credential key, `certInfo` the TPMS_ATTEST the AIK signed with `alg`.
public enum TPMAttestation: AttestationFormatVerifier {
    public static let identifier = "tpm"

    public static func verify(_ input: AttestationInput) throws(WebAuthnError) -> AttestationStatementResult {
        // Step 1: attStmt is CBOR conforming to the syntax above; extract its members.
        let reader = StatementReader(format: identifier, statement: input.statement)
        try reader.allowOnly(["ver", "alg", "x5c", "sig", "certInfo", "pubArea"])
        guard try reader.text("ver") == "2.0" else { throw .statement("tpm: attStmt.ver must be \"2.0\"") }
        let alg = try reader.algorithm()
        let signature = try reader.bytes("sig")
        let certInfoBytes = try reader.bytes("certInfo")
        let pubAreaBytes = try reader.bytes("pubArea")
        // Step 5 (checked early, before any work): x5c is present.
        guard let chain = try reader.certificateChain(), let aikCert = chain.first else {
            throw .statement("tpm: attStmt.x5c is required (ECDAA is not supported)")
        }
        if alg.isSHA1 && !input.options.allowSHA1 {
            throw WebAuthnError(.insecureAlgorithm, "tpm: attestation algorithm \(alg.name) relies on SHA-1")
        }

        // Step 2: the key in pubArea's parameters and unique is the credential public key.
        let pubArea = try TPMPublicArea(pubAreaBytes)
        try requireSameKey(pubArea, as: input.credential.publicKey)

        // Steps 3–4: certInfo is valid. magic and type are checked while parsing.
        let certInfo = try TPMCertifyInfo(certInfoBytes)
        // extraData = hash_alg(attToBeSigned), attToBeSigned = authenticatorData || clientDataHash.
        let expectedExtraData = try digest(input.signedData, for: alg)
        guard bytesEqual(certInfo.extraData, expectedExtraData) else {
            throw .statement("tpm: certInfo.extraData is not the \(alg.name) hash of authenticatorData || clientDataHash")
        }
        // attested.name is a valid Name for pubArea: nameAlg || H_nameAlg(pubArea) ([TPMv2-Part1] §16).
        if pubArea.nameAlg == TPMAlgorithmID.sha1 && !input.options.allowSHA1 {
            throw WebAuthnError(.insecureAlgorithm, "tpm: pubArea.nameAlg is SHA-1")
        }
        guard let pubAreaDigest = TPMAlgorithmID.digest(pubAreaBytes, algorithm: pubArea.nameAlg) else {
            throw WebAuthnError(.unsupportedAlgorithm, "tpm: pubArea.nameAlg 0x\(String(pubArea.nameAlg, radix: 16)) is not supported")
        }
        let expectedName = [UInt8(truncatingIfNeeded: pubArea.nameAlg >> 8), UInt8(truncatingIfNeeded: pubArea.nameAlg)] + pubAreaDigest
        guard bytesEqual(certInfo.attestedName, expectedName) else {
            throw .statement("tpm: certInfo.attested.name is not the Name of pubArea")
        }
        // qualifiedSigner, clockInfo and firmwareVersion are deliberately not verified (§8.3).

        // Step 6: sig is a valid signature over certInfo with the aikCert key under alg.
        let aikKey = try COSEKey(certificateKey: aikCert.publicKey, algorithm: alg)
        guard aikKey.isValidSignature(signature, over: certInfoBytes) else {
            throw WebAuthnError(.badSignature, "tpm: sig does not verify over certInfo with the aikCert key")
        }

        // Step 7: aikCert meets §8.3.1. Step 8: its AAGUID extension, if any, matches.
        _ = try checkAIKCertificate(aikCert)
        try aikCert.requireAAGUIDMatches(input.credential.aaguid, format: identifier)

        // Step 9: attestation type AttCA, trust path x5c.
        return AttestationStatementResult(type: .attCA, trustPath: chain)
    }

    // MARK: - Step 2: pubArea key == credential key

    /// Compares key material as unsigned integers: TPM2B buffers may carry a leading zero byte
    /// (seen in software TPMs) where COSE and X9.62 encodings have none.
    static func requireSameKey(_ pubArea: TPMPublicArea, as credentialKey: COSEKey) throws(WebAuthnError) {
        switch (pubArea.parameters, pubArea.unique, credentialKey.verifier) {
        case (.rsa(_, _, _, let exponent), .rsa(let modulus), .rsa(let key, _)):
            guard let primitives = try? key.getKeyPrimitives() else {
                throw .statement("tpm: the credential RSA key's modulus and exponent are unavailable")
            }
            let tpmExponent: UInt32 = exponent == 0 ? 65537 : exponent
            let exponentBytes = (0..<4).map { UInt8(truncatingIfNeeded: tpmExponent >> (24 - 8 * $0)) }
            guard sameUnsignedInteger(modulus, Array(primitives.modulus)) else {
                throw .statement("tpm: pubArea.unique (RSA modulus) differs from the credential public key")
            }
            guard sameUnsignedInteger(exponentBytes, Array(primitives.publicExponent)) else {
                throw .statement("tpm: pubArea RSA exponent differs from the credential public key")
            }
        case (.ecc(_, _, let curveID, _), .ecc(let x, let y), _):
            let expected: (curve: UInt16, length: Int)
            switch credentialKey.verifier {
            case .p256: expected = (TPMECCCurve.nistP256, 32)
            case .p384: expected = (TPMECCCurve.nistP384, 48)
            case .p521: expected = (TPMECCCurve.nistP521, 66)
            default: throw .statement("tpm: pubArea is an ECC key but the credential key is not ECDSA P-256, P-384 or P-521")
            }
            guard curveID == expected.curve else {
                throw .statement("tpm: pubArea curveID 0x\(String(curveID, radix: 16)) differs from the credential key's curve")
            }
            guard let point = credentialKey.x963Representation, point.count == 1 + 2 * expected.length else {
                throw .statement("tpm: the credential EC key has no uncompressed point")
            }
            let credentialX = point.dropFirst().prefix(expected.length)
            let credentialY = point.dropFirst(1 + expected.length)
            guard sameUnsignedInteger(x, credentialX), sameUnsignedInteger(y, credentialY) else {
                throw .statement("tpm: pubArea.unique (ECC point) differs from the credential public key")
            }
        case (.rsa, _, _):
            throw .statement("tpm: pubArea is an RSA key but the credential key is not RSA")
        case (.ecc, _, _):
            throw .statement("tpm: pubArea is an ECC key but the credential key is not EC")
        }
    }

    /// The hash that `alg` signs with: certInfo.extraData must be that hash of attToBeSigned.
    static func digest(_ data: [UInt8], for alg: COSEAlgorithm) throws(WebAuthnError) -> [UInt8] {
        switch alg {
        case .rs1: Array(Insecure.SHA1.hash(data: data))
        case .es256, .esp256, .rs256, .ps256: Array(SHA256.hash(data: data))
        case .es384, .esp384, .rs384, .ps384: Array(SHA384.hash(data: data))
        case .es512, .esp512, .rs512, .ps512: Array(SHA512.hash(data: data))
        case .edDSA, .ed25519, .mlDSA65, .mlDSA87:
            throw WebAuthnError(.unsupportedAlgorithm, "tpm: attestation algorithm \(alg.name) is not a TPM signing algorithm")
        }
    }

    // MARK: - §8.3.1 aikCert requirements

    /// 2.23.133.8.3 tcg-kp-AIKCertificate.
    static let aikCertificateUsage: ASN1ObjectIdentifier = [2, 23, 133, 8, 3]
    /// TCG subject alternative name attributes ([TPMv2-EK-Profile] §3.1.2).
    static let tpmManufacturer: ASN1ObjectIdentifier = [2, 23, 133, 2, 1]
    static let tpmModel: ASN1ObjectIdentifier = [2, 23, 133, 2, 2]
    static let tpmVersion: ASN1ObjectIdentifier = [2, 23, 133, 2, 3]

    /// What the AIK certificate's subject alternative name says about the TPM.
    struct TPMDevice: Sendable, Equatable {
        /// "id:" followed by 8 hex digits: the TCG vendor ID (e.g. "id:494E5443" for Intel).
        let manufacturer: String
        let model: String
        let version: String

        /// The vendor from the TCG TPM Vendor ID Registry, when the ID is in it.
        var vendorName: String? { TPMAttestation.tcgVendors["id:" + String(manufacturer.dropFirst(3)).uppercased()] }
    }

    /// §8.3.1: version 3, empty subject, critical SAN with the TPM directoryName
    /// ([TPMv2-EK-Profile] §3.2.9), EKU tcg-kp-AIKCertificate, not a CA.
    @discardableResult
    static func checkAIKCertificate(_ certificate: Certificate) throws(WebAuthnError) -> TPMDevice {
        guard certificate.version == .v3 else { throw .statement("tpm: aikCert must be X.509 v3") }
        guard certificate.subject.isEmpty else { throw .statement("tpm: aikCert subject must be empty") }

        // Subject Alternative Name: critical (the subject is empty, RFC 5280 §4.2.1.6) and
        // naming the TPM manufacturer, model and version in a directoryName.
        guard let sanExtension = certificate.extensions[oid: .X509ExtensionID.subjectAlternativeName] else {
            throw .statement("tpm: aikCert has no subject alternative name extension")
        }
        guard sanExtension.critical else { throw .statement("tpm: aikCert subject alternative name must be critical") }
        let names: SubjectAlternativeNames
        do {
            names = try SubjectAlternativeNames(sanExtension)
        } catch {
            throw .statement("tpm: aikCert subject alternative name extension is malformed")
        }
        let device = try tpmDevice(from: names)

        // Extended Key Usage contains tcg-kp-AIKCertificate.
        let usages: ExtendedKeyUsage?
        do {
            usages = try certificate.extensions.extendedKeyUsage
        } catch {
            throw .statement("tpm: aikCert extended key usage extension is malformed")
        }
        guard let usages, usages.contains(ExtendedKeyUsage.Usage(oid: aikCertificateUsage)) else {
            throw .statement("tpm: aikCert extended key usage must contain tcg-kp-AIKCertificate (2.23.133.8.3)")
        }

        // Basic Constraints: CA false (an absent extension means not a CA).
        let constraints: BasicConstraints?
        do {
            constraints = try certificate.extensions.basicConstraints
        } catch {
            throw .statement("tpm: aikCert basic constraints extension is malformed")
        }
        if let constraints, case .isCertificateAuthority = constraints {
            throw .statement("tpm: aikCert must not be a CA certificate")
        }

        // Key usage is marked handled for chain verification; when present it must allow signing.
        let keyUsage: KeyUsage?
        do {
            keyUsage = try certificate.extensions.keyUsage
        } catch {
            throw .statement("tpm: aikCert key usage extension is malformed")
        }
        if let keyUsage, !keyUsage.digitalSignature {
            throw .statement("tpm: aikCert key usage must include digitalSignature")
        }
        return device
    }

    /// Collects the TPM attributes from the directoryName(s) of the SAN. TPMs encode them
    /// either as one multi-valued RDN or as three single-valued RDNs; both are accepted.
    /// Each attribute must appear exactly once.
    static func tpmDevice(from names: SubjectAlternativeNames) throws(WebAuthnError) -> TPMDevice {
        var manufacturer: [String] = []
        var model: [String] = []
        var version: [String] = []
        for name in names {
            guard case .directoryName(let directory) = name else { continue }
            for rdn in directory {
                for attribute in rdn {
                    let text = String(attribute.value)
                    switch attribute.type {
                    case tpmManufacturer: manufacturer.append(text ?? "")
                    case tpmModel: model.append(text ?? "")
                    case tpmVersion: version.append(text ?? "")
                    default: continue
                    }
                }
            }
        }
        guard manufacturer.count == 1, model.count == 1, version.count == 1,
              let manufacturerID = manufacturer.first, let modelName = model.first, let versionText = version.first,
              !modelName.isEmpty, !versionText.isEmpty else {
            throw .statement("tpm: aikCert subject alternative name must hold exactly one TPM manufacturer, model and version")
        }
        guard isTCGVendorIDSyntax(manufacturerID) else {
            throw .statement("tpm: aikCert TPM manufacturer \"\(manufacturerID)\" is not of the form id:XXXXXXXX")
        }
        return TPMDevice(manufacturer: manufacturerID, model: modelName, version: versionText)
    }

    /// "id:" followed by 8 hexadecimal digits ([TPMv2-EK-Profile] §3.1.2: the TPM vendor ID
    /// as a hex string).
    static func isTCGVendorIDSyntax(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count == 11, utf8.prefix(3).elementsEqual("id:".utf8) else { return false }
        return utf8.dropFirst(3).allSatisfy { c in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(c)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(c)
        }
    }

    /// TCG TPM Vendor ID Registry (version 1.07). Informational: the vendor is not enforced,
    /// since trust comes from chaining aikCert to a TPM vendor's root, and test TPMs
    /// (FIDO conformance "id:FFFFF1D0") use IDs outside the registry.
    static let tcgVendors: [String: String] = [
        "id:414D4400": "AMD", "id:41544D4C": "Atmel", "id:4252434D": "Broadcom", "id:4353434F": "Cisco",
        "id:464C5953": "Flyslice", "id:524F4343": "Fuzhou Rockchip", "id:474F4F47": "Google", "id:48504900": "HPI",
        "id:48504500": "HPE", "id:48495349": "Huawei", "id:49424D00": "IBM", "id:49424D20": "IBM",
        "id:49464E58": "Infineon", "id:494E5443": "Intel", "id:4C454E00": "Lenovo", "id:4D534654": "Microsoft",
        "id:4E534D20": "National Semiconductor", "id:4E545A00": "Nationz", "id:4E544300": "Nuvoton",
        "id:51434F4D": "Qualcomm", "id:534D5343": "SMSC", "id:53544D20": "STMicroelectronics", "id:534D534E": "Samsung",
        "id:534E5300": "Sinosun", "id:54584E00": "Texas Instruments", "id:57454300": "Winbond",
        "id:FFFFF1D0": "FIDO Alliance conformance testing",
    ]
}

/// Equality of two big-endian unsigned integers, ignoring leading zero bytes.
private func sameUnsignedInteger(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    bytesEqual(a.drop(while: { $0 == 0 }), b.drop(while: { $0 == 0 }))
}
