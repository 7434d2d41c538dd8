/// A FIDO metadata failure: a stable machine-readable `code` and a human `message`.
///
/// Codes never change meaning once published: the CLI, the API and the audit log use them.
public struct MetadataError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public enum Code: String, Sendable, CaseIterable, Codable {
        /// Not a compact JWS, bad base64url, bad JSON, unsupported `alg`, missing members, too large.
        case blobMalformed = "blob_malformed"
        /// The JWS signature does not verify with the signing certificate's key.
        case blobSignatureInvalid = "blob_signature_invalid"
        /// The `x5c` chain does not lead to a trusted root.
        case blobChainUntrusted = "blob_chain_untrusted"
        /// A certificate of the chain is listed in a supplied CRL.
        case blobCertificateRevoked = "blob_certificate_revoked"
        /// A supplied CRL for the chain is not signed by its issuer, or is not current.
        case blobCRLInvalid = "blob_crl_invalid"
        /// The verification time is outside the validity of a chain certificate.
        case blobExpired = "blob_expired"
        /// The BLOB's `no` is not greater than the serial number already accepted.
        case blobRollback = "blob_rollback"
        /// The verification time is past the BLOB's `nextUpdate` (only an error with `requireFresh`).
        case blobStale = "blob_stale"
        /// The download failed (network, HTTP status, size) and no usable cache exists.
        case downloadFailed = "download_failed"
        /// The cache directory could not be read or written.
        case cacheFailed = "cache_failed"
    }
}
