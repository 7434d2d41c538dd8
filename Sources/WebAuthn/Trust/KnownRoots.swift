import X509

/// The public attestation roots shipped with Claviger, each pinned by SHA-256 fingerprint.
public enum KnownRoots {
    public struct Entry: Sendable {
        public let name: String
        public let description: String
        /// Attestation formats the root anchors (empty: not an attestation root, e.g. the MDS root).
        public let formats: [String]
        public let sha256: String
        public let pem: String
    }

    /// Every shipped root whose PEM parses and matches its pinned fingerprint.
    public static let certificates: [(entry: Entry, certificate: Certificate)] = catalog.compactMap { entry in
        guard let certificate = try? Certificate(pemEncoded: entry.pem), certificate.sha256Fingerprint == entry.sha256 else { return nil }
        return (entry, certificate)
    }

    /// The default attestation anchors, each scoped to the formats it signs for.
    public static var attestationAnchors: TrustAnchors {
        var anchors = TrustAnchors()
        for (entry, certificate) in certificates {
            for format in entry.formats { anchors.add(certificate, format: format) }
        }
        return anchors
    }

    /// GlobalSign Root CA - R3, which signs the FIDO Metadata Service BLOB.
    public static var fidoMetadataServiceRoot: Certificate? {
        certificates.first { $0.entry.name == "globalSignRootR3" }?.certificate
    }
}
