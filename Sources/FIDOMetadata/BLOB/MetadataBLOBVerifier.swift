import Foundation
import SwiftASN1
import WebAuthn
@_spi(FixedExpiryValidationTime) import X509

/// A BLOB that passed verification: its catalog and the facts an operator alerts on.
public struct VerifiedMetadataBLOB: Sendable {
    public let catalog: MetadataCatalog
    /// The JWS `alg` (`ES256`, `RS256`, `PS256`, `ES384`).
    public let algorithm: String
    /// The validated chain, signing certificate first, trusted root last.
    public let chain: [Certificate]
    /// The time the BLOB was verified at.
    public let verifiedAt: Date
    /// `verifiedAt` is past `nextUpdate`: a newer BLOB should exist. Banks keep using the last
    /// good BLOB and alert; `MetadataBLOBVerifier.requireFresh` turns this into `blob_stale`.
    public let isStale: Bool

    public var serialNumber: Int { catalog.serialNumber }
    public var nextUpdate: Date? { catalog.nextUpdate }
    public var signingCertificate: Certificate? { chain.first }
}

/// Verifies an MDS3 BLOB (FIDO Metadata Service 3 §3.2): the JWS, its `x5c` chain to a pinned
/// root at a given time, optional CRLs, the serial number against rollback, and `nextUpdate`.
public struct MetadataBLOBVerifier: Sendable {
    /// The largest BLOB accepted (the production BLOB is a few MiB).
    public static let defaultMaxBytes = 32 << 20

    /// Roots the chain must end at: GlobalSign Root CA - R3 unless the caller gives others.
    public var trustRoots: [Certificate]
    /// CRLs for the chain's certificates (DER or PEM parsed by `CertificateRevocationList`).
    public var crls: [CertificateRevocationList]
    /// Refuse the BLOB when a non-root chain certificate is not covered by a supplied CRL.
    public var requireRevocationCheck: Bool
    /// Refuse a BLOB past its `nextUpdate` (`blob_stale`) instead of reporting `isStale`.
    public var requireFresh: Bool
    public var maxBytes: Int

    public init(trustRoots: [Certificate]? = nil, crls: [CertificateRevocationList] = [], requireRevocationCheck: Bool = false,
                requireFresh: Bool = false, maxBytes: Int = MetadataBLOBVerifier.defaultMaxBytes) {
        self.trustRoots = trustRoots ?? KnownRoots.fidoMetadataServiceRoot.map { [$0] } ?? []
        self.crls = crls
        self.requireRevocationCheck = requireRevocationCheck
        self.requireFresh = requireFresh
        self.maxBytes = maxBytes
    }

    /// Verifies `blob` at `time`. `previousSerialNumber` is the `no` of the BLOB already
    /// accepted: a BLOB whose `no` is not greater is refused (`blob_rollback`).
    public func verify(_ blob: [UInt8], at time: Date, previousSerialNumber: Int? = nil) async throws(MetadataError) -> VerifiedMetadataBLOB {
        guard blob.count <= maxBytes else { throw MetadataError(.blobMalformed, "the BLOB is \(blob.count) bytes, more than the \(maxBytes) accepted") }
        let jws = try blob.withUnsafeBufferPointer { (buffer) throws(MetadataError) in try CompactJWS.parse(buffer) }
        let chain = try await validateChain(jws.certificateChain, at: time)
        try Self.checkRevocation(chain: chain, crls: crls, at: time, requireCoverage: requireRevocationCheck)
        try blob.withUnsafeBufferPointer { (buffer) throws(MetadataError) in
            try jws.verifySignature(signingInput: UnsafeBufferPointer(rebasing: buffer[jws.signingInputRange]))
        }
        let (header, entries) = try PayloadReader.decode(jws.payload)
        if let previousSerialNumber, header.serialNumber <= previousSerialNumber {
            throw MetadataError(.blobRollback, "the BLOB's no \(header.serialNumber) is not greater than the accepted \(previousSerialNumber)")
        }
        let stale = time > header.nextUpdate
        if stale && requireFresh {
            throw MetadataError(.blobStale, "the BLOB's nextUpdate \(CalendarDate.formatDay(header.nextUpdate)) has passed")
        }
        let catalog = MetadataCatalog(serialNumber: header.serialNumber, nextUpdate: header.nextUpdate, legalHeader: header.legalHeader,
                                      entries: entries)
        return VerifiedMetadataBLOB(catalog: catalog, algorithm: jws.algorithm.rawValue, chain: chain, verifiedAt: time, isStale: stale)
    }

    /// Builds the chain from the `x5c` leaf through its intermediates to a trusted root.
    func validateChain(_ x5c: [Certificate], at time: Date) async throws(MetadataError) -> [Certificate] {
        guard let leaf = x5c.first else { throw MetadataError(.blobMalformed, "the x5c chain is empty") }
        guard !trustRoots.isEmpty else { throw MetadataError(.blobChainUntrusted, "no metadata trust root is configured") }
        var verifier = Verifier(rootCertificates: CertificateStore(trustRoots)) {
            RFC5280Policy(fixedExpiryValidationTime: time)
            MetadataSigningPolicy()
        }
        switch await verifier.validate(leaf: leaf, intermediates: CertificateStore(x5c.dropFirst())) {
        case .validCertificate(let chain):
            return Array(chain)
        case .couldNotValidate(let failures):
            if let expired = x5c.first(where: { time < $0.notValidBefore || time > $0.notValidAfter }) {
                throw MetadataError(.blobExpired, "the BLOB chain certificate \(expired.subject) is not valid at \(time) "
                    + "(valid \(expired.notValidBefore) to \(expired.notValidAfter))")
            }
            throw MetadataError(.blobChainUntrusted, "the BLOB's x5c chain does not lead to a trusted root"
                + (failures.first.map { ": \($0.policyFailureReason)" } ?? ""))
        }
    }

    /// Checks each non-root certificate of a validated `chain` (leaf first) against the CRLs
    /// its issuer published: the CRL must be signed by the issuer and current at `time`.
    public static func checkRevocation(chain: [Certificate], crls: [CertificateRevocationList], at time: Date,
                                       requireCoverage: Bool = false) throws(MetadataError) {
        guard chain.count >= 2 else { return }
        for index in 0..<(chain.count - 1) {
            let certificate = chain[index]
            let issuer = chain[index + 1]
            var covered = false
            for crl in crls where crl.issuer == certificate.issuer {
                guard crl.isSigned(by: issuer) else {
                    throw MetadataError(.blobCRLInvalid, "the CRL for \(crl.issuer) is not signed by the chain's issuer certificate")
                }
                guard crl.isCurrent(at: time) else {
                    throw MetadataError(.blobCRLInvalid, "the CRL for \(crl.issuer) is not current at \(time) "
                        + "(thisUpdate \(crl.thisUpdate), nextUpdate \(crl.nextUpdate.map { "\($0)" } ?? "none"))")
                }
                if crl.revokes(certificate, at: time) {
                    throw MetadataError(.blobCertificateRevoked, "the certificate \(certificate.subject) (serial \(certificate.serialNumber)) is revoked")
                }
                covered = true
            }
            if requireCoverage && !covered {
                throw MetadataError(.blobCRLInvalid, "no CRL covers \(certificate.subject)")
            }
        }
    }
}

/// Extensions that MDS signing chains mark critical and that path validation need not act on
/// (the JWS signature is the only use of the leaf key).
struct MetadataSigningPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [
        .X509ExtensionID.extendedKeyUsage,
        .X509ExtensionID.keyUsage,
        [2, 5, 29, 32],  // certificatePolicies
    ]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        .meetsPolicy
    }
}
