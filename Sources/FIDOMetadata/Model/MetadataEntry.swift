import Foundation
import WebAuthn
import X509

/// One BLOB payload entry (MDS 3 §3.1.1 `MetadataBLOBPayloadEntry`).
public struct MetadataEntry: Sendable {
    public var aaid: String?
    public var aaguid: AAGUID?
    /// Lowercase hex SHA-1 of the attestation certificate's subjectPublicKey (U2F authenticators).
    public var attestationCertificateKeyIdentifiers: [String]
    public var statement: MetadataStatement?
    public var statusReports: [StatusReport]
    public var timeOfLastStatusChange: String?

    public init(aaid: String? = nil, aaguid: AAGUID? = nil, attestationCertificateKeyIdentifiers: [String] = [], statement: MetadataStatement? = nil,
                statusReports: [StatusReport] = [], timeOfLastStatusChange: String? = nil) {
        self.aaid = aaid
        self.aaguid = aaguid
        self.attestationCertificateKeyIdentifiers = attestationCertificateKeyIdentifiers
        self.statement = statement
        self.statusReports = statusReports
        self.timeOfLastStatusChange = timeOfLastStatusChange
    }

    /// The status in force at `date`: the latest report whose effectiveDate is not after it
    /// (reports without a date count as in force). Unknown status values are skipped.
    /// Of reports with the same effectiveDate, the one listed last wins (reports are chronological).
    public func status(at date: Date) -> StatusReport? {
        var best: StatusReport?
        var bestDate = Date.distantPast
        for report in statusReports {
            if case .unknown = report.status { continue }
            let effective = report.effectiveDate ?? .distantPast
            guard effective <= date else { continue }
            if best == nil || effective >= bestDate {
                best = report
                bestDate = effective
            }
        }
        return best
    }

    /// The latest known status report regardless of date (unknown values skipped).
    public var latestStatus: StatusReport? { status(at: .distantFuture) }

    /// Compromise or RETIRED statuses in force at `date`: what a bank acts on.
    public func alerts(at date: Date) -> [StatusReport] {
        statusReports.filter { ($0.status.isCompromise || $0.status == .retired) && ($0.effectiveDate ?? .distantPast) <= date }
    }

    /// The highest FIDO certification level any report in force at `date` states.
    public func certificationLevel(at date: Date) -> CertificationLevel? {
        statusReports
            .filter { ($0.effectiveDate ?? .distantPast) <= date }
            .compactMap(\.status.certificationLevel)
            .max()
    }

    /// Compromise statuses in force at `date` (any of them, not only the latest, counts).
    public func compromises(at date: Date) -> [StatusReport] {
        statusReports.filter { $0.status.isCompromise && ($0.effectiveDate ?? .distantPast) <= date }
    }

    public var description: String { statement?.description ?? aaguid?.description ?? aaid ?? attestationCertificateKeyIdentifiers.first ?? "unknown authenticator" }
}

/// `StatusReport` (MDS 3 §3.1.3).
public struct StatusReport: Sendable, Hashable {
    public var status: AuthenticatorStatus
    public var effectiveDate: Date?
    /// MDS 3.1: when a RETIRED or superseded authenticator stops being supported.
    public var sunsetDate: Date?
    public var authenticatorVersion: Int?
    public var certificate: String?
    public var url: String?
    public var certificationDescriptor: String?
    public var certificateNumber: String?
    public var certificationPolicyVersion: String?
    public var certificationRequirementsVersion: String?

    public init(status: AuthenticatorStatus, effectiveDate: Date? = nil, sunsetDate: Date? = nil, authenticatorVersion: Int? = nil,
                certificate: String? = nil, url: String? = nil, certificationDescriptor: String? = nil, certificateNumber: String? = nil,
                certificationPolicyVersion: String? = nil, certificationRequirementsVersion: String? = nil) {
        self.status = status
        self.effectiveDate = effectiveDate
        self.sunsetDate = sunsetDate
        self.authenticatorVersion = authenticatorVersion
        self.certificate = certificate
        self.url = url
        self.certificationDescriptor = certificationDescriptor
        self.certificateNumber = certificateNumber
        self.certificationPolicyVersion = certificationPolicyVersion
        self.certificationRequirementsVersion = certificationRequirementsVersion
    }
}

/// The metadata statement (FIDO Metadata Statement 3 §4): what the vendor states about a model.
public struct MetadataStatement: Sendable {
    /// The fields live in one copy-on-write box: an entry (and its statement) is copied out of
    /// the catalog on every lookup, and one reference is much cheaper to copy than twenty.
    final class Storage: @unchecked Sendable {
        var description: String = ""
        var alternativeDescriptions: [String: String] = [:]
        var authenticatorVersion: Int? = nil
        var protocolFamily: String = ""
        var schema: Int? = nil
        var authenticationAlgorithms: [String] = []
        var publicKeyAlgAndEncodings: [String] = []
        var attestationTypes: [String] = []
        var userVerificationDetails: [[VerificationMethod]] = []
        var keyProtection: [String] = []
        var isKeyRestricted: Bool? = nil
        var isFreshUserVerificationRequired: Bool? = nil
        var matcherProtection: [String] = []
        var cryptoStrength: Int? = nil
        var attachmentHint: [String] = []
        var attestationRootCertificates: [String] = []
        var multiDeviceCredentialSupport: String? = nil
        var supportedExtensions: [String] = []
        var icon: String? = nil
        var aaguid: AAGUID? = nil
        var aaid: String? = nil
        var attestationCertificateKeyIdentifiers: [String] = []

        func copy() -> Storage {
            let copy = Storage()
            copy.description = description
            copy.alternativeDescriptions = alternativeDescriptions
            copy.authenticatorVersion = authenticatorVersion
            copy.protocolFamily = protocolFamily
            copy.schema = schema
            copy.authenticationAlgorithms = authenticationAlgorithms
            copy.publicKeyAlgAndEncodings = publicKeyAlgAndEncodings
            copy.attestationTypes = attestationTypes
            copy.userVerificationDetails = userVerificationDetails
            copy.keyProtection = keyProtection
            copy.isKeyRestricted = isKeyRestricted
            copy.isFreshUserVerificationRequired = isFreshUserVerificationRequired
            copy.matcherProtection = matcherProtection
            copy.cryptoStrength = cryptoStrength
            copy.attachmentHint = attachmentHint
            copy.attestationRootCertificates = attestationRootCertificates
            copy.multiDeviceCredentialSupport = multiDeviceCredentialSupport
            copy.supportedExtensions = supportedExtensions
            copy.icon = icon
            copy.aaguid = aaguid
            copy.aaid = aaid
            copy.attestationCertificateKeyIdentifiers = attestationCertificateKeyIdentifiers
            return copy
        }
    }

    // Sendable: the box is only mutated through `uniqueStorage()`, i.e. when not shared.
    private var storage = Storage()

    private mutating func uniqueStorage() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    public var description: String {
        get { storage.description }
        set { uniqueStorage().description = newValue }
    }
    public var alternativeDescriptions: [String: String] {
        get { storage.alternativeDescriptions }
        set { uniqueStorage().alternativeDescriptions = newValue }
    }
    public var authenticatorVersion: Int? {
        get { storage.authenticatorVersion }
        set { uniqueStorage().authenticatorVersion = newValue }
    }
    /// `fido2`, `u2f` or `uaf`.
    public var protocolFamily: String {
        get { storage.protocolFamily }
        set { uniqueStorage().protocolFamily = newValue }
    }
    public var schema: Int? {
        get { storage.schema }
        set { uniqueStorage().schema = newValue }
    }
    public var authenticationAlgorithms: [String] {
        get { storage.authenticationAlgorithms }
        set { uniqueStorage().authenticationAlgorithms = newValue }
    }
    public var publicKeyAlgAndEncodings: [String] {
        get { storage.publicKeyAlgAndEncodings }
        set { uniqueStorage().publicKeyAlgAndEncodings = newValue }
    }
    /// `basic_full`, `basic_surrogate`, `attca`, `anonca`, `none`, `ecdaa`.
    public var attestationTypes: [String] {
        get { storage.attestationTypes }
        set { uniqueStorage().attestationTypes = newValue }
    }
    /// Alternatives (outer) of combinations (inner) of user verification methods.
    public var userVerificationDetails: [[VerificationMethod]] {
        get { storage.userVerificationDetails }
        set { uniqueStorage().userVerificationDetails = newValue }
    }
    /// `software`, `hardware`, `tee`, `secure_element`, `remote_handle`.
    public var keyProtection: [String] {
        get { storage.keyProtection }
        set { uniqueStorage().keyProtection = newValue }
    }
    public var isKeyRestricted: Bool? {
        get { storage.isKeyRestricted }
        set { uniqueStorage().isKeyRestricted = newValue }
    }
    public var isFreshUserVerificationRequired: Bool? {
        get { storage.isFreshUserVerificationRequired }
        set { uniqueStorage().isFreshUserVerificationRequired = newValue }
    }
    /// `software`, `tee`, `on_chip`.
    public var matcherProtection: [String] {
        get { storage.matcherProtection }
        set { uniqueStorage().matcherProtection = newValue }
    }
    public var cryptoStrength: Int? {
        get { storage.cryptoStrength }
        set { uniqueStorage().cryptoStrength = newValue }
    }
    /// `internal`, `external`, `wired`, `wireless`, `nfc`, `bluetooth`, `network`, `ready`, `wifi_direct`.
    public var attachmentHint: [String] {
        get { storage.attachmentHint }
        set { uniqueStorage().attachmentHint = newValue }
    }
    /// Base64 (standard) DER of the roots this model's attestation chains to.
    public var attestationRootCertificates: [String] {
        get { storage.attestationRootCertificates }
        set { uniqueStorage().attestationRootCertificates = newValue }
    }
    /// MDS 3.1: whether credentials may leave the authenticator (`unsupported`, `explicit`, `implicit`).
    public var multiDeviceCredentialSupport: String? {
        get { storage.multiDeviceCredentialSupport }
        set { uniqueStorage().multiDeviceCredentialSupport = newValue }
    }
    public var supportedExtensions: [String] {
        get { storage.supportedExtensions }
        set { uniqueStorage().supportedExtensions = newValue }
    }
    public var icon: String? {
        get { storage.icon }
        set { uniqueStorage().icon = newValue }
    }
    /// The identifiers as the statement itself states them (the BLOB entry's take precedence).
    public var aaguid: AAGUID? {
        get { storage.aaguid }
        set { uniqueStorage().aaguid = newValue }
    }
    public var aaid: String? {
        get { storage.aaid }
        set { uniqueStorage().aaid = newValue }
    }
    public var attestationCertificateKeyIdentifiers: [String] {
        get { storage.attestationCertificateKeyIdentifiers }
        set { uniqueStorage().attestationCertificateKeyIdentifiers = newValue }
    }

    public init(description: String, alternativeDescriptions: [String: String] = [:], authenticatorVersion: Int? = nil, protocolFamily: String,
                schema: Int? = nil, authenticationAlgorithms: [String] = [], publicKeyAlgAndEncodings: [String] = [], attestationTypes: [String] = [],
                userVerificationDetails: [[VerificationMethod]] = [], keyProtection: [String] = [], isKeyRestricted: Bool? = nil,
                isFreshUserVerificationRequired: Bool? = nil, matcherProtection: [String] = [], cryptoStrength: Int? = nil,
                attachmentHint: [String] = [], attestationRootCertificates: [String] = [], multiDeviceCredentialSupport: String? = nil,
                supportedExtensions: [String] = [], icon: String? = nil) {
        self.description = description
        self.alternativeDescriptions = alternativeDescriptions
        self.authenticatorVersion = authenticatorVersion
        self.protocolFamily = protocolFamily
        self.schema = schema
        self.authenticationAlgorithms = authenticationAlgorithms
        self.publicKeyAlgAndEncodings = publicKeyAlgAndEncodings
        self.attestationTypes = attestationTypes
        self.userVerificationDetails = userVerificationDetails
        self.keyProtection = keyProtection
        self.isKeyRestricted = isKeyRestricted
        self.isFreshUserVerificationRequired = isFreshUserVerificationRequired
        self.matcherProtection = matcherProtection
        self.cryptoStrength = cryptoStrength
        self.attachmentHint = attachmentHint
        self.attestationRootCertificates = attestationRootCertificates
        self.multiDeviceCredentialSupport = multiDeviceCredentialSupport
        self.supportedExtensions = supportedExtensions
        self.icon = icon
    }

    public struct VerificationMethod: Sendable, Hashable {
        /// `presence_internal`, `fingerprint_internal`, `passcode_internal`, `none`, …
        public var method: String
        public init(method: String) { self.method = method }
    }

    /// `attestationRootCertificates` parsed as X.509 certificates (entries that are not valid
    /// base64 DER certificates are skipped).
    public var attestationRoots: [Certificate] {
        attestationRootCertificates.compactMap(MetadataStatement.parseRoot)
    }

    static func parseRoot(_ text: String) -> Certificate? {
        if text.contains("-----BEGIN") { return try? Certificate(pemEncoded: text) }
        guard text.utf8.count <= 64 * 1024, let der = Data(base64Encoded: text, options: .ignoreUnknownCharacters), !der.isEmpty else { return nil }
        return try? Certificate(derEncoded: Array(der))
    }

    /// Key protection in hardware (hardware, TEE or secure element), not software.
    public var hasHardwareKeyProtection: Bool {
        !keyProtection.contains("software") && keyProtection.contains { ["hardware", "tee", "secure_element"].contains($0) }
    }
}
