import FIDOMetadata
import Foundation
import WebAuthn

/// Everything the classifier looks at, gathered once: what the attestation proved, what the
/// credential claims, the metadata entry and the time at which its status is read.
///
/// Facts are plain values so that a stored credential can be re-classified later (a metadata
/// update, a flag change, a policy edit) with `updating(metadata:at:)`.
public struct CredentialFacts: Sendable {
    /// Attestation statement format (`packed`, `tpm`, `none`, …).
    public var format: String
    public var attestationType: AttestationType
    /// The attestation chain verified to a trust anchor.
    public var attestationTrusted: Bool
    /// SHA-256 (lowercase hex) of the anchor the chain ended at, when trusted.
    public var trustAnchorFingerprint: String?
    /// The anchor is one of the roots the MDS statement for this AAGUID lists.
    public var attestationRootFromMetadata: Bool
    public var aaguid: AAGUID
    /// The metadata entry for the AAGUID (or the attestation key identifier), when there is one.
    public var metadata: MetadataEntry?
    /// The time at which the metadata status is read (status reports effective later do not count).
    public var evaluationTime: Date
    /// BE: the credential may be backed up (synced) to other devices.
    public var backupEligible: Bool
    /// BS: the credential is backed up now.
    public var backupState: Bool
    public var userVerified: Bool
    public var transports: [String]
    public var authenticatorAttachment: String?

    public init(format: String, attestationType: AttestationType, attestationTrusted: Bool, trustAnchorFingerprint: String? = nil,
                attestationRootFromMetadata: Bool = false, aaguid: AAGUID, metadata: MetadataEntry? = nil, evaluationTime: Date,
                backupEligible: Bool = false, backupState: Bool = false, userVerified: Bool = true, transports: [String] = [],
                authenticatorAttachment: String? = nil) {
        self.format = format
        self.attestationType = attestationType
        self.attestationTrusted = attestationTrusted
        self.trustAnchorFingerprint = trustAnchorFingerprint
        self.attestationRootFromMetadata = attestationRootFromMetadata
        self.aaguid = aaguid
        self.metadata = metadata
        self.evaluationTime = evaluationTime
        self.backupEligible = backupEligible
        self.backupState = backupState
        self.userVerified = userVerified
        self.transports = transports
        self.authenticatorAttachment = authenticatorAttachment
    }

    /// The facts of a verified registration. `metadata` is the entry the bank's catalog has for
    /// the credential's AAGUID (or nil); `date` is when its status is read (normally now).
    public init(registration: VerifiedRegistration, metadata: MetadataEntry?, at date: Date) {
        self.init(format: registration.format, attestationType: registration.attestation.type,
                  attestationTrusted: registration.attestation.trusted,
                  trustAnchorFingerprint: registration.attestation.trustAnchorFingerprint,
                  attestationRootFromMetadata: false, aaguid: registration.aaguid, metadata: metadata, evaluationTime: date,
                  backupEligible: registration.backupEligible, backupState: registration.backupState,
                  userVerified: registration.userVerified, transports: registration.transports,
                  authenticatorAttachment: registration.authenticatorAttachment)
        attestationRootFromMetadata = Self.anchorIsMetadataRoot(trusted: attestationTrusted, fingerprint: trustAnchorFingerprint, metadata: metadata)
    }

    /// The same credential evaluated against another metadata entry (a BLOB update) and time.
    /// Whether the attestation root is the MDS root is re-derived from the new entry.
    public func updating(metadata: MetadataEntry?, at date: Date) -> CredentialFacts {
        var copy = self
        copy.metadata = metadata
        copy.evaluationTime = date
        if trustAnchorFingerprint != nil {
            copy.attestationRootFromMetadata = Self.anchorIsMetadataRoot(trusted: attestationTrusted, fingerprint: trustAnchorFingerprint, metadata: metadata)
        }
        return copy
    }

    static func anchorIsMetadataRoot(trusted: Bool, fingerprint: String?, metadata: MetadataEntry?) -> Bool {
        guard trusted, let fingerprint, let metadata else { return false }
        return MetadataTrust.rootFingerprints(metadata).contains(fingerprint.lowercased())
    }

    // MARK: Derived facts

    /// The AAGUID is a verified fact only when a trusted basic / attCA / anonCA attestation vouches
    /// for it. Without one (none, self, untrusted chain) it is a claim any software can make.
    public var aaguidVerified: Bool {
        guard attestationTrusted else { return false }
        switch attestationType {
        case .basic, .attCA, .anonCA: return true
        case .none, .self: return false
        }
    }

    /// The status report in force at the evaluation time.
    public var status: StatusReport? { metadata?.status(at: evaluationTime) }
    /// Compromise reports in force at the evaluation time.
    public var compromises: [StatusReport] { metadata?.compromises(at: evaluationTime) ?? [] }
    /// The highest certification level stated by reports in force at the evaluation time.
    public var certificationLevel: CertificationLevel? { metadata?.certificationLevel(at: evaluationTime) }
}

/// Attestation trust derived from a metadata entry.
public enum MetadataTrust {
    /// The entry's attestation roots (`attestationRootCertificates`) as trust anchors for every
    /// format: what a registration of this AAGUID must chain to for tier 1. Roots that do not
    /// parse are skipped.
    public static func anchors(for entry: MetadataEntry) -> TrustAnchors {
        var anchors = TrustAnchors()
        for base64 in entry.statement?.attestationRootCertificates ?? [] {
            guard let certificates = try? TrustAnchors.certificates(pem: pem(base64)) else { continue }
            for certificate in certificates { anchors.add(certificate) }
        }
        return anchors
    }

    /// SHA-256 fingerprints (lowercase hex) of the entry's attestation roots.
    public static func rootFingerprints(_ entry: MetadataEntry) -> Set<String> {
        Set(anchors(for: entry).general.map(\.sha256Fingerprint).filter { !$0.isEmpty })
    }

    /// Wraps standard base64 DER (as MDS carries it) in PEM armour, 64 characters a line.
    static func pem(_ base64: String) -> String {
        let clean = base64.filter { !$0.isWhitespace }
        var lines: [Substring] = []
        var start = clean.startIndex
        while start < clean.endIndex {
            let end = clean.index(start, offsetBy: 64, limitedBy: clean.endIndex) ?? clean.endIndex
            lines.append(clean[start..<end])
            start = end
        }
        return "-----BEGIN CERTIFICATE-----\n" + lines.joined(separator: "\n") + "\n-----END CERTIFICATE-----\n"
    }
}
