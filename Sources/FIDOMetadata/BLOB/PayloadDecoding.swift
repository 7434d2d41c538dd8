import Foundation
import WebAuthn

/// Decodes the BLOB payload (MDS 3 §3.1.6 `MetadataBLOBPayload`) into the model types.
///
/// Tolerant where the specification asks for tolerance: unknown members are ignored, unknown
/// status values are kept as `.unknown`, an entry whose statement cannot be read keeps its
/// identifiers and status reports. Strict where the BLOB is unusable: `no`, `nextUpdate` and
/// `entries` are required.
enum PayloadDecoding {
    static let limits = JSONValue.Limits(maxDepth: 64, maxBytes: MetadataBLOBVerifier.defaultMaxBytes)

    struct Header {
        let legalHeader: String?
        let serialNumber: Int
        let nextUpdate: Date
        let entries: [JSONValue]
    }

    static func parse(_ payload: [UInt8]) throws(MetadataError) -> Header {
        let root: JSONValue
        switch JSONValue.parse(payload, limits: limits) {
        case .success(let value): root = value
        case .failure(let error): throw MetadataError(.blobMalformed, "the BLOB payload is not JSON: \(error.reason) at byte \(error.offset)")
        }
        guard case .object = root else { throw MetadataError(.blobMalformed, "the BLOB payload is not a JSON object") }
        guard let no = root["no"].flatMap(integer) else { throw MetadataError(.blobMalformed, "the BLOB payload has no integer `no`") }
        guard let nextUpdateText = root["nextUpdate"]?.stringValue, let nextUpdate = CalendarDate.parseDay(nextUpdateText) else {
            throw MetadataError(.blobMalformed, "the BLOB payload has no nextUpdate date (YYYY-MM-DD)")
        }
        guard let entries = root["entries"]?.arrayValue else { throw MetadataError(.blobMalformed, "the BLOB payload has no entries array") }
        return Header(legalHeader: root["legalHeader"]?.stringValue, serialNumber: no, nextUpdate: nextUpdate, entries: entries)
    }

    static func entries(_ values: [JSONValue]) -> [MetadataEntry] {
        var entries: [MetadataEntry] = []
        entries.reserveCapacity(values.count)
        for value in values {
            if let entry = entry(value) { entries.append(entry) }
        }
        return entries
    }

    /// One `MetadataBLOBPayloadEntry`; `nil` when it is not an object.
    static func entry(_ value: JSONValue) -> MetadataEntry? {
        guard case .object(let members) = value else { return nil }
        var entry = MetadataEntry()
        entry.aaid = members["aaid"]?.stringValue
        entry.aaguid = members["aaguid"]?.stringValue.flatMap(AAGUID.init)
        entry.attestationCertificateKeyIdentifiers = strings(members["attestationCertificateKeyIdentifiers"]).map { $0.lowercased() }
        if let statement = members["metadataStatement"] { entry.statement = self.statement(statement) }
        entry.statusReports = (members["statusReports"]?.arrayValue ?? []).compactMap(statusReport)
        entry.timeOfLastStatusChange = members["timeOfLastStatusChange"]?.stringValue
        // Entries sometimes carry their identifiers only inside the statement.
        if entry.aaguid == nil, let aaguid = entry.statement?.aaguid { entry.aaguid = aaguid }
        if entry.aaid == nil { entry.aaid = entry.statement?.aaid }
        if entry.attestationCertificateKeyIdentifiers.isEmpty, let identifiers = entry.statement?.attestationCertificateKeyIdentifiers {
            entry.attestationCertificateKeyIdentifiers = identifiers
        }
        return entry
    }

    static func statusReport(_ value: JSONValue) -> StatusReport? {
        guard case .object(let m) = value, let status = m["status"]?.stringValue else { return nil }
        return StatusReport(
            status: AuthenticatorStatus(rawValue: status),
            effectiveDate: m["effectiveDate"]?.stringValue.flatMap(CalendarDate.parseDay),
            sunsetDate: m["sunsetDate"]?.stringValue.flatMap(CalendarDate.parseDay),
            authenticatorVersion: m["authenticatorVersion"].flatMap(integer),
            certificate: m["certificate"]?.stringValue,
            url: m["url"]?.stringValue,
            certificationDescriptor: m["certificationDescriptor"]?.stringValue,
            certificateNumber: m["certificateNumber"]?.stringValue,
            certificationPolicyVersion: m["certificationPolicyVersion"]?.stringValue,
            certificationRequirementsVersion: m["certificationRequirementsVersion"]?.stringValue)
    }

    /// A metadata statement (FIDO Metadata Statement 3 §4); `nil` when it is not an object.
    static func statement(_ value: JSONValue) -> MetadataStatement? {
        guard case .object(let m) = value else { return nil }
        var alternatives: [String: String] = [:]
        if case .object(let names)? = m["alternativeDescriptions"] {
            for (language, name) in names { if let text = name.stringValue { alternatives[language] = text } }
        }
        let userVerification: [[MetadataStatement.VerificationMethod]] = (m["userVerificationDetails"]?.arrayValue ?? []).map { combination in
            (combination.arrayValue ?? []).compactMap { method in
                method["userVerificationMethod"]?.stringValue.map(MetadataStatement.VerificationMethod.init(method:))
            }
        }
        // MDS 3 statements list extensions as objects ({"id": …}); older ones as strings.
        let extensions: [String] = (m["supportedExtensions"]?.arrayValue ?? []).compactMap { $0.stringValue ?? $0["id"]?.stringValue }
        var statement = MetadataStatement(
            description: m["description"]?.stringValue ?? "",
            alternativeDescriptions: alternatives,
            authenticatorVersion: m["authenticatorVersion"].flatMap(integer),
            protocolFamily: m["protocolFamily"]?.stringValue ?? "",
            schema: m["schema"].flatMap(integer),
            authenticationAlgorithms: strings(m["authenticationAlgorithms"]),
            publicKeyAlgAndEncodings: strings(m["publicKeyAlgAndEncodings"]),
            attestationTypes: strings(m["attestationTypes"]),
            userVerificationDetails: userVerification,
            keyProtection: strings(m["keyProtection"]),
            isKeyRestricted: m["isKeyRestricted"]?.boolValue,
            isFreshUserVerificationRequired: m["isFreshUserVerificationRequired"]?.boolValue,
            matcherProtection: strings(m["matcherProtection"]),
            cryptoStrength: m["cryptoStrength"].flatMap(integer),
            attachmentHint: strings(m["attachmentHint"]),
            attestationRootCertificates: strings(m["attestationRootCertificates"]),
            multiDeviceCredentialSupport: m["multiDeviceCredentialSupport"]?.stringValue,
            supportedExtensions: extensions,
            icon: m["icon"]?.stringValue)
        statement.aaguid = m["aaguid"]?.stringValue.flatMap(AAGUID.init)
        statement.aaid = m["aaid"]?.stringValue
        statement.attestationCertificateKeyIdentifiers = strings(m["attestationCertificateKeyIdentifiers"]).map { $0.lowercased() }
        return statement
    }

    static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let elements)? = value else { return [] }
        return elements.compactMap(\.stringValue)
    }

    static func integer(_ value: JSONValue) -> Int? {
        guard case .number(let number) = value, number.isFinite, abs(number) < 9.0e15 else { return nil }
        return Int(exactly: number)
    }
}

extension MetadataEntry {
    /// Decodes one BLOB payload entry from its JSON (tolerant, as in a BLOB); `nil` when the
    /// bytes are not a JSON object.
    public init?(json: [UInt8]) {
        guard case .success(let value) = JSONValue.parse(json, limits: .init(maxDepth: 32, maxBytes: 4 << 20)),
              let entry = PayloadDecoding.entry(value) else { return nil }
        self = entry
    }
}

extension MetadataStatement {
    /// Decodes a metadata statement from its JSON, e.g. a bank's local statement for an
    /// authenticator the MDS does not list; `nil` when the bytes are not a JSON object.
    public init?(json: [UInt8]) {
        guard case .success(let value) = JSONValue.parse(json, limits: .init(maxDepth: 32, maxBytes: 4 << 20)),
              let statement = PayloadDecoding.statement(value) else { return nil }
        self = statement
    }
}
