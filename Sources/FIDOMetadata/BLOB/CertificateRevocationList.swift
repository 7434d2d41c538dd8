import Crypto
import Foundation
import SwiftASN1
import X509

/// An X.509 CRL (RFC 5280 §5), parsed with SwiftASN1: swift-certificates has no CRL type.
///
/// ```
/// CertificateList ::= SEQUENCE { tbsCertList TBSCertList, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
/// TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature AlgorithmIdentifier, issuer Name,
///     thisUpdate Time, nextUpdate Time OPTIONAL,
///     revokedCertificates SEQUENCE OF SEQUENCE { userCertificate INTEGER, revocationDate Time, crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
///     crlExtensions [0] EXPLICIT Extensions OPTIONAL }
/// ```
public struct CertificateRevocationList: Sendable {
    public let issuer: DistinguishedName
    public let thisUpdate: Date
    public let nextUpdate: Date?
    /// Revoked serial numbers with their revocation dates.
    public let revoked: [Certificate.SerialNumber: Date]
    /// The DER of `tbsCertList`: what the signature covers.
    let tbsBytes: [UInt8]
    let signatureAlgorithm: ASN1ObjectIdentifier
    let signatureBytes: [UInt8]
    /// The DER of the whole CRL.
    public let derEncoded: [UInt8]

    /// Parses a DER CRL, or a PEM one (`-----BEGIN X509 CRL-----`).
    public init(bytes: [UInt8]) throws(MetadataError) {
        var der = bytes
        if bytes.starts(with: Array("-----BEGIN".utf8)) {
            guard let document = try? PEMDocument(pemString: String(decoding: bytes, as: UTF8.self)), document.discriminator == "X509 CRL" else {
                throw MetadataError(.blobCRLInvalid, "the PEM document is not an X509 CRL")
            }
            der = document.derBytes
        }
        guard der.count <= 16 << 20 else { throw MetadataError(.blobCRLInvalid, "the CRL is larger than 16 MiB") }
        do {
            self = try Self.parse(der)
        } catch let error as MetadataError {
            throw error
        } catch {
            throw MetadataError(.blobCRLInvalid, "the CRL is not valid DER: \(error)")
        }
    }

    private init(issuer: DistinguishedName, thisUpdate: Date, nextUpdate: Date?, revoked: [Certificate.SerialNumber: Date], tbsBytes: [UInt8],
                 signatureAlgorithm: ASN1ObjectIdentifier, signatureBytes: [UInt8], derEncoded: [UInt8]) {
        self.issuer = issuer
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.revoked = revoked
        self.tbsBytes = tbsBytes
        self.signatureAlgorithm = signatureAlgorithm
        self.signatureBytes = signatureBytes
        self.derEncoded = derEncoded
    }

    private static func parse(_ der: [UInt8]) throws -> CertificateRevocationList {
        let root = try DER.parse(der)
        return try DER.sequence(root, identifier: .sequence) { nodes in
            guard let tbsNode = nodes.next() else { throw MetadataError(.blobCRLInvalid, "the CRL has no tbsCertList") }
            let outerAlgorithm = try parseAlgorithm(nodes.next())
            let signature = try ASN1BitString(derEncoded: try required(nodes.next()))
            guard nodes.next() == nil else { throw MetadataError(.blobCRLInvalid, "trailing members in the CRL") }

            var issuer = DistinguishedName()
            var thisUpdate = Date.distantFuture
            var nextUpdate: Date?
            var revoked: [Certificate.SerialNumber: Date] = [:]
            var innerAlgorithm: ASN1ObjectIdentifier?
            try DER.sequence(tbsNode, identifier: .sequence) { tbs in
                var node = try required(tbs.next())
                if node.identifier == .integer {
                    let version = try Int(derEncoded: node)
                    guard version == 1 else { throw MetadataError(.blobCRLInvalid, "unsupported CRL version \(version)") }
                    node = try required(tbs.next())
                }
                innerAlgorithm = try parseAlgorithm(node)
                issuer = try DistinguishedName(derEncoded: try required(tbs.next()))
                thisUpdate = try parseTime(try required(tbs.next()))
                var next = tbs.next()
                if let candidate = next, candidate.identifier == .utcTime || candidate.identifier == .generalizedTime {
                    nextUpdate = try parseTime(candidate)
                    next = tbs.next()
                }
                if let candidate = next, candidate.identifier == .sequence {
                    try DER.sequence(candidate, identifier: .sequence) { entries in
                        while let entry = entries.next() {
                            try DER.sequence(entry, identifier: .sequence) { fields in
                                let serial = try ArraySlice<UInt8>(derEncoded: try required(fields.next()))
                                let date = try parseTime(try required(fields.next()))
                                _ = fields.next()  // crlEntryExtensions: reasons are not needed to refuse a certificate.
                                revoked[Certificate.SerialNumber(bytes: serial)] = date
                            }
                        }
                    }
                    next = tbs.next()
                }
                // crlExtensions [0]: the CRL number and AKI are informative here.
                if let candidate = next, candidate.identifier != ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                    throw MetadataError(.blobCRLInvalid, "unexpected member in tbsCertList")
                }
            }
            guard innerAlgorithm == outerAlgorithm else { throw MetadataError(.blobCRLInvalid, "the CRL's two signature algorithms differ") }
            guard signature.paddingBits == 0 else { throw MetadataError(.blobCRLInvalid, "the CRL signature has padding bits") }
            return CertificateRevocationList(issuer: issuer, thisUpdate: thisUpdate, nextUpdate: nextUpdate, revoked: revoked,
                                             tbsBytes: Array(tbsNode.encodedBytes), signatureAlgorithm: outerAlgorithm,
                                             signatureBytes: Array(signature.bytes), derEncoded: der)
        }
    }

    private static func required(_ node: ASN1Node?) throws -> ASN1Node {
        guard let node else { throw MetadataError(.blobCRLInvalid, "the CRL is truncated") }
        return node
    }

    private static func parseAlgorithm(_ node: ASN1Node?) throws -> ASN1ObjectIdentifier {
        try DER.sequence(try required(node), identifier: .sequence) { nodes in
            let oid = try ASN1ObjectIdentifier(derEncoded: try required(nodes.next()))
            _ = nodes.next()  // parameters (NULL for RSA)
            return oid
        }
    }

    private static func parseTime(_ node: ASN1Node) throws -> Date {
        switch node.identifier {
        case .utcTime:
            let time = try UTCTime(derEncoded: node)
            return try date(time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
        case .generalizedTime:
            let time = try GeneralizedTime(derEncoded: node)
            return try date(time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
        default:
            throw MetadataError(.blobCRLInvalid, "a CRL time is neither UTCTime nor GeneralizedTime")
        }
    }

    private static func date(_ year: Int, _ month: Int, _ day: Int, _ hours: Int, _ minutes: Int, _ seconds: Int) throws -> Date {
        guard let days = CalendarDate.daysFromCivil(year: year, month: month, day: day) else {
            throw MetadataError(.blobCRLInvalid, "invalid CRL date")
        }
        return Date(timeIntervalSince1970: Double(days) * 86_400 + Double(hours * 3600 + minutes * 60 + seconds))
    }

    /// The swift-certificates algorithm for the CRL's signature OID.
    var x509SignatureAlgorithm: Certificate.SignatureAlgorithm? {
        switch signatureAlgorithm {
        case [1, 2, 840, 10045, 4, 3, 2]: .ecdsaWithSHA256
        case [1, 2, 840, 10045, 4, 3, 3]: .ecdsaWithSHA384
        case [1, 2, 840, 10045, 4, 3, 4]: .ecdsaWithSHA512
        case [1, 2, 840, 113549, 1, 1, 11]: .sha256WithRSAEncryption
        case [1, 2, 840, 113549, 1, 1, 12]: .sha384WithRSAEncryption
        case [1, 2, 840, 113549, 1, 1, 13]: .sha512WithRSAEncryption
        case [1, 3, 101, 112]: .ed25519
        default: nil
        }
    }

    /// Whether `issuerCertificate` signed this CRL.
    public func isSigned(by issuerCertificate: Certificate) -> Bool {
        guard issuerCertificate.subject == issuer, let algorithm = x509SignatureAlgorithm else { return false }
        return issuerCertificate.publicKey.isValidSignature(signatureBytes, for: tbsBytes, signatureAlgorithm: algorithm)
    }

    /// Whether the CRL is current at `time`: issued at or before it and not past `nextUpdate`.
    public func isCurrent(at time: Date) -> Bool {
        thisUpdate <= time && (nextUpdate.map { time <= $0 } ?? true)
    }

    /// Whether `certificate` is listed as revoked at or before `time`.
    public func revokes(_ certificate: Certificate, at time: Date) -> Bool {
        guard certificate.issuer == issuer, let date = revoked[certificate.serialNumber] else { return false }
        return date <= time
    }
}

extension CertificateRevocationList {
    /// Issues a CRL signed with a P-256 key (ecdsa-with-SHA256): for tests, benchmarks and
    /// local conformance setups, never for production revocation.
    public static func issue(issuer: DistinguishedName, key: P256.Signing.PrivateKey, thisUpdate: Date, nextUpdate: Date?,
                             revoked: [(serial: Certificate.SerialNumber, date: Date)], crlNumber: Int = 1) throws -> CertificateRevocationList {
        let algorithm: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
        func writeAlgorithm(_ coder: inout DER.Serializer) throws {
            try coder.appendConstructedNode(identifier: .sequence) { try $0.serialize(algorithm) }
        }
        func writeTime(_ coder: inout DER.Serializer, _ date: Date) throws {
            let c = CalendarDate.components(of: date)
            try coder.serialize(try GeneralizedTime(year: c.year, month: c.month, day: c.day, hours: c.hour, minutes: c.minute, seconds: c.second, fractionalSeconds: 0))
        }
        var tbs = DER.Serializer()
        try tbs.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1)
            try writeAlgorithm(&coder)
            try coder.serialize(issuer)
            try writeTime(&coder, thisUpdate)
            if let nextUpdate { try writeTime(&coder, nextUpdate) }
            if !revoked.isEmpty {
                try coder.appendConstructedNode(identifier: .sequence) { list in
                    for entry in revoked {
                        try list.appendConstructedNode(identifier: .sequence) { item in
                            try item.serialize(entry.serial.bytes)
                            try writeTime(&item, entry.date)
                        }
                    }
                }
            }
            try coder.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { explicit in
                try explicit.appendConstructedNode(identifier: .sequence) { extensions in
                    try extensions.appendConstructedNode(identifier: .sequence) { ext in
                        let crlNumberOID: ASN1ObjectIdentifier = [2, 5, 29, 20]
                        try ext.serialize(crlNumberOID)
                        var number = DER.Serializer()
                        try number.serialize(crlNumber)
                        try ext.serialize(ASN1OctetString(contentBytes: ArraySlice(number.serializedBytes)))
                    }
                }
            }
        }
        let tbsBytes = tbs.serializedBytes
        let signature = try key.signature(for: SHA256.hash(data: tbsBytes)).derRepresentation
        var whole = DER.Serializer()
        try whole.appendConstructedNode(identifier: .sequence) { coder in
            coder.serializeRawBytes(tbsBytes)
            try writeAlgorithm(&coder)
            try coder.serialize(ASN1BitString(bytes: ArraySlice(signature)))
        }
        return try CertificateRevocationList(bytes: Array(whole.serializedBytes))
    }
}
