import Crypto
import Foundation
import SwiftASN1
import WebAuthn
import X509

/// A generated MDS signing PKI (root → intermediate → BLOB signer, P-256) that signs BLOBs
/// and issues CRLs: for tests, benchmarks and offline conformance setups. Never for production.
public struct MetadataSigningPKI: Sendable {
    public let root: Certificate
    public let intermediate: Certificate
    public let signer: Certificate
    let rootKey: P256.Signing.PrivateKey
    let intermediateKey: P256.Signing.PrivateKey
    let signerKey: P256.Signing.PrivateKey

    /// Certificates valid from `notBefore` to `notAfter`.
    public init(name: String = "Claviger Test MDS", notBefore: Date, notAfter: Date) throws {
        rootKey = P256.Signing.PrivateKey()
        intermediateKey = P256.Signing.PrivateKey()
        signerKey = P256.Signing.PrivateKey()
        let rootName = try DistinguishedName { OrganizationName("Claviger Test"); CommonName("\(name) Root") }
        let intermediateName = try DistinguishedName { OrganizationName("Claviger Test"); CommonName("\(name) CA-1") }
        let signerName = try DistinguishedName { OrganizationName("Claviger Test"); CommonName("\(name) BLOB Signer") }
        let ca = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
        }
        root = try Certificate(version: .v3, serialNumber: .init(), publicKey: .init(rootKey.publicKey), notValidBefore: notBefore,
                               notValidAfter: notAfter, issuer: rootName, subject: rootName, signatureAlgorithm: .ecdsaWithSHA256,
                               extensions: ca, issuerPrivateKey: .init(rootKey))
        intermediate = try Certificate(version: .v3, serialNumber: .init(), publicKey: .init(intermediateKey.publicKey), notValidBefore: notBefore,
                                       notValidAfter: notAfter, issuer: rootName, subject: intermediateName, signatureAlgorithm: .ecdsaWithSHA256,
                                       extensions: ca, issuerPrivateKey: .init(rootKey))
        let leaf = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
        }
        signer = try Certificate(version: .v3, serialNumber: .init(), publicKey: .init(signerKey.publicKey), notValidBefore: notBefore,
                                 notValidAfter: notAfter, issuer: intermediateName, subject: signerName, signatureAlgorithm: .ecdsaWithSHA256,
                                 extensions: leaf, issuerPrivateKey: .init(intermediateKey))
    }

    /// Signs `payload` as an ES256 compact JWS with `x5c` = [signer, intermediate].
    public func sign(payload: [UInt8]) throws -> [UInt8] {
        let x5c = try [signer, intermediate].map { certificate -> String in
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return Data(serializer.serializedBytes).base64EncodedString()
        }
        let header = "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"x5c\":[" + x5c.map { "\"\($0)\"" }.joined(separator: ",") + "]}"
        var signingInput = Array(Base64URL.encode(Array(header.utf8)).utf8)
        signingInput.append(UInt8(ascii: "."))
        signingInput.append(contentsOf: Base64URL.encode(payload).utf8)
        let signature = try signerKey.signature(for: SHA256.hash(data: signingInput)).rawRepresentation
        signingInput.append(UInt8(ascii: "."))
        signingInput.append(contentsOf: Base64URL.encode(Array(signature)).utf8)
        return signingInput
    }

    /// A CRL from the intermediate (covering the signer), optionally revoking the signer.
    public func intermediateCRL(revokingSigner: Bool, thisUpdate: Date, nextUpdate: Date?) throws -> CertificateRevocationList {
        try CertificateRevocationList.issue(issuer: intermediate.subject, key: intermediateKey, thisUpdate: thisUpdate, nextUpdate: nextUpdate,
                                            revoked: revokingSigner ? [(signer.serialNumber, thisUpdate)] : [])
    }

    /// A CRL from the root (covering the intermediate), optionally revoking the intermediate.
    public func rootCRL(revokingIntermediate: Bool, thisUpdate: Date, nextUpdate: Date?) throws -> CertificateRevocationList {
        try CertificateRevocationList.issue(issuer: root.subject, key: rootKey, thisUpdate: thisUpdate, nextUpdate: nextUpdate,
                                            revoked: revokingIntermediate ? [(intermediate.serialNumber, thisUpdate)] : [])
    }
}

/// Synthetic BLOB payloads shaped like the production MDS: FIDO2 entries by AAGUID, U2F by key
/// identifiers, UAF by AAID; statements with vendor roots, icons and status histories.
public enum SyntheticMetadata {
    public struct Payload: Sendable {
        public let json: [UInt8]
        public let aaguids: [AAGUID]
        public let keyIdentifiers: [String]
    }

    /// A payload of `entries` entries. Each vendor (one in 25 entries) has its own P-256 root.
    public static func payload(entries count: Int, serialNumber: Int, nextUpdate: String, vendors: Int = 40) throws -> Payload {
        let vendorRoots = try (0..<max(1, vendors)).map { index -> String in
            let key = P256.Signing.PrivateKey()
            let name = try DistinguishedName {
                OrganizationName("Vendor \(index)")
                CommonName("Vendor \(index) FIDO Root")
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: Date(timeIntervalSince1970: 1_500_000_000),
                notValidAfter: Date(timeIntervalSince1970: 2_500_000_000), issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions { Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil)) },
                issuerPrivateKey: .init(key))
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return Data(serializer.serializedBytes).base64EncodedString()
        }
        // A small PNG-sized data URL, as every production statement carries one.
        let icon = "data:image/png;base64," + Data((0..<90).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).base64EncodedString()
        let statuses = ["FIDO_CERTIFIED_L1", "FIDO_CERTIFIED_L2", "FIDO_CERTIFIED", "NOT_FIDO_CERTIFIED", "FIDO_CERTIFIED_L1plus", "SELF_ASSERTION_SUBMITTED"]
        var generator = SplitMix64(seed: 0x5EED)
        var aaguids: [AAGUID] = []
        var keyIdentifiers: [String] = []
        var out = "{\"legalHeader\":\"Retrieval and use of this BLOB indicates acceptance of the appropriate agreement located at https://fidoalliance.org/metadata/metadata-legal-terms/\",\"no\":\(serialNumber),\"nextUpdate\":\"\(nextUpdate)\",\"entries\":["
        out.reserveCapacity(count * 1200)
        for index in 0..<count {
            if index > 0 { out += "," }
            let vendor = index % vendorRoots.count
            let kind = index % 10  // 0-6 FIDO2, 7-8 U2F, 9 UAF
            let status = statuses[Int(generator.next() % UInt64(statuses.count))]
            var identifier = ""
            var statementIdentifier = ""
            var family = "fido2"
            if kind <= 6 {
                let aaguid = AAGUID(bytes: (0..<16).map { _ in UInt8(truncatingIfNeeded: generator.next()) }) ?? .zero
                aaguids.append(aaguid)
                identifier = "\"aaguid\":\"\(aaguid)\""
                statementIdentifier = identifier
            } else if kind <= 8 {
                let ids = (0..<2).map { _ in (0..<20).map { _ in UInt8(truncatingIfNeeded: generator.next()) }.hexString }
                keyIdentifiers.append(contentsOf: ids)
                identifier = "\"attestationCertificateKeyIdentifiers\":[" + ids.map { "\"\($0)\"" }.joined(separator: ",") + "]"
                statementIdentifier = identifier
                family = "u2f"
            } else {
                identifier = "\"aaid\":\"\(String(format: "%04X", index % 65536))#\(String(format: "%04X", index / 65536))\""
                statementIdentifier = identifier
                family = "uaf"
            }
            out += "{\(identifier),\"metadataStatement\":{\"legalHeader\":\"https://fidoalliance.org/metadata/metadata-statement-legal-header/\","
            out += "\(statementIdentifier),\"description\":\"Synthetic Vendor \(vendor) Security Key \(index)\",\"authenticatorVersion\":\(index % 7 + 1),"
            out += "\"protocolFamily\":\"\(family)\",\"schema\":3,\"upv\":[{\"major\":1,\"minor\":1}],"
            out += "\"authenticationAlgorithms\":[\"secp256r1_ecdsa_sha256_raw\"],\"publicKeyAlgAndEncodings\":[\"cose\"],"
            out += "\"attestationTypes\":[\"basic_full\"],\"userVerificationDetails\":[[{\"userVerificationMethod\":\"presence_internal\"}],"
            out += "[{\"userVerificationMethod\":\"passcode_external\"},{\"userVerificationMethod\":\"presence_internal\"}]],"
            out += "\"keyProtection\":[\"hardware\",\"secure_element\"],\"matcherProtection\":[\"on_chip\"],\"cryptoStrength\":128,"
            out += "\"attachmentHint\":[\"external\",\"wired\",\"nfc\"],\"tcDisplay\":[],\"multiDeviceCredentialSupport\":\"unsupported\","
            out += "\"attestationRootCertificates\":[\"\(vendorRoots[vendor])\"],\"icon\":\"\(icon)\"},"
            out += "\"statusReports\":[{\"status\":\"\(status)\",\"effectiveDate\":\"2021-0\(index % 9 + 1)-1\(index % 10)\","
            out += "\"certificationDescriptor\":\"Synthetic Vendor \(vendor) Security Key\",\"certificateNumber\":\"FIDO2\(index)\","
            out += "\"certificationPolicyVersion\":\"1.4.0\",\"certificationRequirementsVersion\":\"1.3\"}],\"timeOfLastStatusChange\":\"2021-0\(index % 9 + 1)-1\(index % 10)\"}"
        }
        out += "]}"
        return Payload(json: Array(out.utf8), aaguids: aaguids, keyIdentifiers: keyIdentifiers)
    }
}

/// A tiny deterministic generator, so synthetic BLOBs are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
