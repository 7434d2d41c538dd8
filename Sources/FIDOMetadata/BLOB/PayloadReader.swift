import Foundation
import WebAuthn

/// A single-pass JSON reader that decodes the BLOB payload straight into the model types,
/// without building a tree: the production payload is megabytes and is decoded on every
/// refresh. Strict on syntax (RFC 8259), bounded in depth, tolerant on content: unknown
/// members are skipped, members of an unexpected type are ignored. Never traps.
struct PayloadReader {
    typealias Failure = JSONParseError

    /// Lexing (strings, numbers, literals) is the WebAuthn module's `JSONLexer`; this reader
    /// adds the streaming structure.
    var lexer: JSONLexer
    let maxDepth = 64

    init(_ bytes: UnsafeBufferPointer<UInt8>) { lexer = JSONLexer(bytes) }

    var offset: Int {
        get { lexer.offset }
        set { lexer.offset = newValue }
    }

    static func decode(_ payload: [UInt8]) throws(MetadataError) -> (header: PayloadDecoding.Header, entries: [MetadataEntry]) {
        let result: Result<(PayloadDecoding.Header, [MetadataEntry]), Failure> = payload.withUnsafeBufferPointer { buffer in
            var reader = PayloadReader(buffer)
            do throws(Failure) {
                let decoded = try reader.payload()
                reader.skipWhitespace()
                guard reader.offset == buffer.count else { throw reader.failure("trailing characters") }
                return .success(decoded)
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let (header, entries)): return (header, entries)
        case .failure(let failure): throw MetadataError(.blobMalformed, "the BLOB payload is not valid: \(failure.reason) at byte \(failure.offset)")
        }
    }

    // MARK: - Model

    mutating func payload() throws(Failure) -> (PayloadDecoding.Header, [MetadataEntry]) {
        var legalHeader: String?
        var no: Int?
        var nextUpdate: Date?
        var entries: [MetadataEntry]?
        try object(depth: 0) { (reader, key) throws(Failure) in
            switch key {
            case "legalHeader": legalHeader = try reader.optionalString(depth: 1)
            case "no": no = try reader.optionalInteger(depth: 1)
            case "nextUpdate": nextUpdate = try reader.optionalString(depth: 1).flatMap(CalendarDate.parseDay)
            case "entries":
                var list: [MetadataEntry] = []
                let isArray = try reader.array(depth: 1) { (reader) throws(Failure) in
                    if let entry = try reader.entry(depth: 2) { list.append(entry) }
                }
                if isArray { entries = list }
            default: try reader.skipValue(depth: 1)
            }
        }
        guard let no else { throw failure("the payload has no integer `no`") }
        guard let nextUpdate else { throw failure("the payload has no nextUpdate date (YYYY-MM-DD)") }
        guard let entries else { throw failure("the payload has no entries array") }
        return (PayloadDecoding.Header(legalHeader: legalHeader, serialNumber: no, nextUpdate: nextUpdate, entries: []), entries)
    }

    mutating func entry(depth: Int) throws(Failure) -> MetadataEntry? {
        var entry = MetadataEntry()
        let isObject = try object(depth: depth) { (reader, key) throws(Failure) in
            switch key {
            case "aaid": entry.aaid = try reader.optionalString(depth: depth + 1)
            case "aaguid": entry.aaguid = try reader.optionalString(depth: depth + 1).flatMap(AAGUID.init)
            case "attestationCertificateKeyIdentifiers":
                entry.attestationCertificateKeyIdentifiers = try reader.strings(depth: depth + 1).map { $0.lowercased() }
            case "metadataStatement": entry.statement = try reader.statement(depth: depth + 1)
            case "statusReports":
                var reports: [StatusReport] = []
                _ = try reader.array(depth: depth + 1) { (reader) throws(Failure) in
                    if let report = try reader.statusReport(depth: depth + 2) { reports.append(report) }
                }
                entry.statusReports = reports
            case "timeOfLastStatusChange": entry.timeOfLastStatusChange = try reader.optionalString(depth: depth + 1)
            default: try reader.skipValue(depth: depth + 1)
            }
        }
        guard isObject else { return nil }
        if entry.aaguid == nil, let aaguid = entry.statement?.aaguid { entry.aaguid = aaguid }
        if entry.aaid == nil { entry.aaid = entry.statement?.aaid }
        if entry.attestationCertificateKeyIdentifiers.isEmpty, let identifiers = entry.statement?.attestationCertificateKeyIdentifiers {
            entry.attestationCertificateKeyIdentifiers = identifiers
        }
        return entry
    }

    mutating func statusReport(depth: Int) throws(Failure) -> StatusReport? {
        var report = StatusReport(status: .unknown(""))
        var status: String?
        let isObject = try object(depth: depth) { (reader, key) throws(Failure) in
            let d = depth + 1
            switch key {
            case "status": status = try reader.optionalString(depth: d)
            case "effectiveDate": report.effectiveDate = try reader.optionalString(depth: d).flatMap(CalendarDate.parseDay)
            case "sunsetDate": report.sunsetDate = try reader.optionalString(depth: d).flatMap(CalendarDate.parseDay)
            case "authenticatorVersion": report.authenticatorVersion = try reader.optionalInteger(depth: d)
            case "certificate": report.certificate = try reader.optionalString(depth: d)
            case "url": report.url = try reader.optionalString(depth: d)
            case "certificationDescriptor": report.certificationDescriptor = try reader.optionalString(depth: d)
            case "certificateNumber": report.certificateNumber = try reader.optionalString(depth: d)
            case "certificationPolicyVersion": report.certificationPolicyVersion = try reader.optionalString(depth: d)
            case "certificationRequirementsVersion": report.certificationRequirementsVersion = try reader.optionalString(depth: d)
            default: try reader.skipValue(depth: d)
            }
        }
        guard isObject, let status else { return nil }
        report.status = AuthenticatorStatus(rawValue: status)
        return report
    }

    mutating func statement(depth: Int) throws(Failure) -> MetadataStatement? {
        var s = MetadataStatement(description: "", protocolFamily: "")
        let isObject = try object(depth: depth) { (reader, key) throws(Failure) in
            let d = depth + 1
            switch key {
            case "description": s.description = try reader.optionalString(depth: d) ?? ""
            case "alternativeDescriptions":
                var names: [String: String] = [:]
                _ = try reader.object(depth: d) { (reader, language) throws(Failure) in
                    if let name = try reader.optionalString(depth: d + 1) { names[language] = name }
                }
                s.alternativeDescriptions = names
            case "authenticatorVersion": s.authenticatorVersion = try reader.optionalInteger(depth: d)
            case "protocolFamily": s.protocolFamily = try reader.optionalString(depth: d) ?? ""
            case "schema": s.schema = try reader.optionalInteger(depth: d)
            case "authenticationAlgorithms": s.authenticationAlgorithms = try reader.strings(depth: d)
            case "publicKeyAlgAndEncodings": s.publicKeyAlgAndEncodings = try reader.strings(depth: d)
            case "attestationTypes": s.attestationTypes = try reader.strings(depth: d)
            case "userVerificationDetails":
                var alternatives: [[MetadataStatement.VerificationMethod]] = []
                _ = try reader.array(depth: d) { (reader) throws(Failure) in
                    var combination: [MetadataStatement.VerificationMethod] = []
                    _ = try reader.array(depth: d + 1) { (reader) throws(Failure) in
                        var method: String?
                        _ = try reader.object(depth: d + 2) { (reader, key) throws(Failure) in
                            if key == "userVerificationMethod" { method = try reader.optionalString(depth: d + 3) } else { try reader.skipValue(depth: d + 3) }
                        }
                        if let method { combination.append(.init(method: method)) }
                    }
                    alternatives.append(combination)
                }
                s.userVerificationDetails = alternatives
            case "keyProtection": s.keyProtection = try reader.strings(depth: d)
            case "isKeyRestricted": s.isKeyRestricted = try reader.optionalBool(depth: d)
            case "isFreshUserVerificationRequired": s.isFreshUserVerificationRequired = try reader.optionalBool(depth: d)
            case "matcherProtection": s.matcherProtection = try reader.strings(depth: d)
            case "cryptoStrength": s.cryptoStrength = try reader.optionalInteger(depth: d)
            case "attachmentHint": s.attachmentHint = try reader.strings(depth: d)
            case "attestationRootCertificates": s.attestationRootCertificates = try reader.strings(depth: d)
            case "multiDeviceCredentialSupport": s.multiDeviceCredentialSupport = try reader.optionalString(depth: d)
            case "supportedExtensions":
                var extensions: [String] = []
                _ = try reader.array(depth: d) { (reader) throws(Failure) in
                    // MDS 3 lists extensions as objects ({"id": …}); older statements as strings.
                    if reader.peek() == UInt8(ascii: "\"") {
                        extensions.append(try reader.string())
                    } else {
                        var id: String?
                        let isObject = try reader.object(depth: d + 1) { (reader, key) throws(Failure) in
                            if key == "id" { id = try reader.optionalString(depth: d + 2) } else { try reader.skipValue(depth: d + 2) }
                        }
                        if isObject, let id { extensions.append(id) }
                    }
                }
                s.supportedExtensions = extensions
            case "icon": s.icon = try reader.optionalString(depth: d)
            case "aaguid": s.aaguid = try reader.optionalString(depth: d).flatMap(AAGUID.init)
            case "aaid": s.aaid = try reader.optionalString(depth: d)
            case "attestationCertificateKeyIdentifiers": s.attestationCertificateKeyIdentifiers = try reader.strings(depth: d).map { $0.lowercased() }
            default: try reader.skipValue(depth: d)
            }
        }
        return isObject ? s : nil
    }

    // MARK: - Typed helpers (a value of another type is skipped and reads as nil / empty)

    mutating func optionalString(depth: Int) throws(Failure) -> String? {
        skipWhitespace()
        if peek() == UInt8(ascii: "\"") { return try string() }
        try skipValue(depth: depth)
        return nil
    }

    mutating func optionalBool(depth: Int) throws(Failure) -> Bool? {
        skipWhitespace()
        switch peek() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: try skipValue(depth: depth); return nil
        }
    }

    mutating func optionalInteger(depth: Int) throws(Failure) -> Int? {
        skipWhitespace()
        guard let c = peek(), c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) else {
            try skipValue(depth: depth)
            return nil
        }
        let number = try self.number()
        guard number.isFinite, abs(number) < 9.0e15 else { return nil }
        return Int(exactly: number)
    }

    mutating func strings(depth: Int) throws(Failure) -> [String] {
        var result: [String] = []
        _ = try array(depth: depth) { (reader) throws(Failure) in
            if let text = try reader.optionalString(depth: depth + 1) { result.append(text) }
        }
        return result
    }

    // MARK: - Syntax

    func failure(_ reason: String) -> Failure { lexer.error(reason) }

    func peek() -> UInt8? { lexer.peek() }

    mutating func skipWhitespace() { lexer.skipWhitespace() }

    /// Reads an object, calling `member` for each key with the reader positioned at the value
    /// (which `member` must consume). Returns false (having skipped the value) when the value
    /// is not an object.
    @discardableResult
    mutating func object(depth: Int, _ member: (inout PayloadReader, String) throws(Failure) -> Void) throws(Failure) -> Bool {
        guard depth < maxDepth else { throw failure("nested deeper than \(maxDepth)") }
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else {
            try skipValue(depth: depth)
            return false
        }
        offset += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { offset += 1; return true }
        // A repeated member is refused, as in the WebAuthn module's JSON parser: two readers of
        // the same signed payload must not be able to see different values.
        var seen: [String] = []
        var seenSet = Set<String>()
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw failure("expected a member name") }
            let key = try string()
            let duplicate: Bool
            if seen.count < 16 {
                duplicate = seen.contains(key)
                seen.append(key)
            } else {
                if seenSet.isEmpty { seenSet = Set(seen) }
                duplicate = !seenSet.insert(key).inserted
            }
            guard !duplicate else { throw failure("duplicate member \"\(key)\"") }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw failure("expected ':'") }
            offset += 1
            try member(&self, key)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "}"): offset += 1; return true
            default: throw failure("expected ',' or '}'")
            }
        }
    }

    /// Reads an array, calling `element` with the reader at each element. Returns false
    /// (having skipped the value) when the value is not an array.
    @discardableResult
    mutating func array(depth: Int, _ element: (inout PayloadReader) throws(Failure) -> Void) throws(Failure) -> Bool {
        guard depth < maxDepth else { throw failure("nested deeper than \(maxDepth)") }
        skipWhitespace()
        guard peek() == UInt8(ascii: "[") else {
            try skipValue(depth: depth)
            return false
        }
        offset += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { offset += 1; return true }
        while true {
            skipWhitespace()
            let before = offset
            try element(&self)
            guard offset > before else { throw failure("expected a value") }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "]"): offset += 1; return true
            default: throw failure("expected ',' or ']'")
            }
        }
    }

    mutating func skipValue(depth: Int) throws(Failure) {
        guard depth < maxDepth else { throw failure("nested deeper than \(maxDepth)") }
        skipWhitespace()
        guard let c = peek() else { throw failure("unexpected end") }
        switch c {
        case UInt8(ascii: "{"): try object(depth: depth) { (reader, _) throws(Failure) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): try array(depth: depth) { (reader) throws(Failure) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try number()
        }
    }

    mutating func literal(_ word: StaticString) throws(Failure) { try lexer.literal(word) }

    mutating func number() throws(Failure) -> Double { try lexer.number() }

    mutating func string() throws(Failure) -> String { try lexer.string() }

    mutating func skipString() throws(Failure) { try lexer.skipString() }
}
