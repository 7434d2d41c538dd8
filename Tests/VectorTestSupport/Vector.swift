import Foundation
import WebAuthn
import X509

/// The shared vectors (`../shared/vectors`, format `webauthn-test-vector/1`) as test inputs:
/// one reader for every test target that walks them.
public struct Vector: Sendable {
    public let id: String
    public let ceremony: String
    public let json: [String: AnyJSON]
    public let rawResponse: Data

    /// The same vector with `response` edited.
    public func editingResponse(_ edit: (inout AnyJSON) -> Void) throws -> Vector {
        var response = try JSONDecoder().decode(AnyJSON.self, from: rawResponse)
        edit(&response)
        return Vector(id: id, ceremony: ceremony, json: json, rawResponse: try JSONEncoder().encode(response))
    }

    /// The same vector with id/rawId set to the credential it really is: the attested credential
    /// ID (registration) or the stored record's ID (authentication).
    public func withCredentialIDRepaired() throws -> Vector {
        let real = ceremony == "registration" ? derived["auth_data"]?["credential_id"]?.string : json["credential_record"]?["id"]?.string
        return try editingResponse { response in
            response["id"] = real.map(AnyJSON.string)
            response["rawId"] = real.map(AnyJSON.string)
        }
    }
    public var expectedValid: Bool { json["expected"]?["outcome"]?.string == "valid" }
    public var expectedReason: String? { json["expected"]?["reason_code"]?.string }
    public var options: AnyJSON { json["options"] ?? .null }
    public var derived: AnyJSON { json["derived"] ?? .null }

    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/vectors")

    public static var available: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("FORMAT.md").path) }

    /// Every vector file, walked so that new vectors are picked up.
    public static let all: [Vector] = {
        guard available else { return [] }
        var vectors: [Vector] = []
        for ceremony in ["registration", "authentication"] {
            let folder = root.appendingPathComponent(ceremony)
            guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where url.pathExtension == "json" {
                guard let data = try? Data(contentsOf: url),
                      case .object(let object)? = try? JSONDecoder().decode(AnyJSON.self, from: data),
                      let response = object["response"],
                      let responseData = try? JSONEncoder().encode(response) else { continue }
                vectors.append(Vector(id: url.deletingPathExtension().lastPathComponent, ceremony: ceremony,
                                      json: object, rawResponse: responseData))
            }
        }
        return vectors.sorted { $0.id < $1.id }
    }()

    public static let registrations = all.filter { $0.ceremony == "registration" }

    /// The registration vector with this id.
    public static func registration(_ id: String) throws -> Vector {
        guard let vector = registrations.first(where: { $0.id == id }) else { throw VectorError("no registration vector \(id)") }
        return vector
    }
    public static let authentications = all.filter { $0.ceremony == "authentication" }

    // MARK: Configuration the vector asks for

    public var relyingParty: RelyingParty {
        let rp = json["rp"]
        let topOrigins = rp?["top_origins"]?.array?.compactMap(\.string) ?? []
        return RelyingParty(
            id: rp?["id"]?.string ?? "",
            origins: rp?["origins"]?.array?.compactMap(\.string) ?? [],
            topOrigins: topOrigins,
            allowCrossOrigin: options["allow_cross_origin"]?.bool ?? false,
            allowSubdomainOrigins: options["allow_subdomain_origins"]?.bool ?? false)
    }

    public var challenge: [UInt8] { Base64URL.decode(json["challenge"]?.string ?? "") ?? [] }

    public var userVerification: UserVerificationRequirement {
        options["require_user_verification"]?.bool == true ? .required : .preferred
    }

    public var allowedAlgorithms: [COSEAlgorithm] {
        guard let list = options["supported_algs"]?.array else { return COSEAlgorithm.allCases }
        return list.compactMap { $0.number.flatMap { COSEAlgorithm(rawValue: Int64($0)) } }
    }

    /// The time certificates are checked at: the peer's pinned clock, else the midpoint of the
    /// chain's common validity window (so the test does not age), else now.
    public var verificationTime: Date {
        if let pinned = options["verification_time"]?.string, let date = parseISO8601(pinned) { return date }
        if let suggested = derived["suggested_verification_time"]?.string, let date = parseISO8601(suggested) { return date }
        if let window = derived["x5c_common_validity_window"], let from = window["from"]?.string.flatMap(parseISO8601),
           let to = window["to"]?.string.flatMap(parseISO8601) {
            return from.addingTimeInterval(to.timeIntervalSince(from) / 2)
        }
        return Date()
    }

    public var trustAnchorPaths: [String: [String]] {
        var result: [String: [String]] = [:]
        func paths(_ list: [AnyJSON]?) -> [String] {
            (list ?? []).compactMap(\.string).compactMap { entry in
                guard let range = entry.range(of: #"trust-anchors/[A-Za-z0-9._-]+\.pem"#, options: .regularExpression) else { return nil }
                return String(entry[range])
            }
        }
        if let general = options["trust_anchors"]?.array { result[""] = paths(general) }
        if case .object(let byFormat)? = options["trust_anchors_by_fmt"] {
            for (format, list) in byFormat { result[format] = paths(list.array) }
        }
        return result
    }

    public func trustAnchors() throws -> TrustAnchors {
        var anchors = TrustAnchors()
        for (format, paths) in trustAnchorPaths {
            for path in paths {
                let pem = try String(contentsOf: Vector.root.appendingPathComponent(path), encoding: .utf8)
                for certificate in try TrustAnchors.certificates(pem: pem) {
                    anchors.add(certificate, format: format.isEmpty ? nil : format)
                }
            }
        }
        return anchors
    }

    public var registrationPolicy: RegistrationPolicy {
        get throws {
            let anchors = try trustAnchors()
            let hasAnchors = !anchors.general.isEmpty || !anchors.byFormat.isEmpty
            var policy = RegistrationPolicy(trustAnchors: anchors)
            policy.requireTrustedAttestation = hasAnchors && options["attestation_trust_required"]?.bool != false
            if let enforce = options["safetynet_enforce_cts_profile_match"]?.bool { policy.safetyNetRequireCTSProfileMatch = enforce }
            if options["skip_safetynet_timestamp_check"]?.bool == true { policy.safetyNetMaxAgeSeconds = .infinity }
            if let aaguids = options["allowed_aaguids"]?.array {
                policy.allowedAAGUIDs = Set(aaguids.compactMap { $0.string.flatMap(AAGUID.init) })
            }
            return policy
        }
    }

    public var registrationExpectations: RegistrationExpectations {
        RegistrationExpectations(challenge: challenge, userVerification: userVerification,
                                 requireUserPresence: options["require_user_presence"]?.bool ?? true, allowedAlgorithms: allowedAlgorithms)
    }

    public var credentialRecord: CredentialRecord? {
        guard let record = json["credential_record"] else { return nil }
        return CredentialRecord(
            id: Base64URL.decode(record["id"]?.string ?? "") ?? [],
            publicKey: Base64URL.decode(record["public_key_cose"]?.string ?? "") ?? [],
            signCount: UInt32(record["sign_count"]?.number ?? 0),
            backupEligible: record["backup_eligible"]?.bool,
            backupState: record["backup_state"]?.bool,
            userHandle: record["user_handle"]?.string.flatMap(Base64URL.decode))
    }

    public var authenticationExpectations: AuthenticationExpectations {
        AuthenticationExpectations(challenge: challenge, userVerification: userVerification,
                                   appID: options["appid"]?.string, type: options["expected_type"]?.string ?? "webauthn.get",
                                   // Each vector names its credential record: the user was identified.
                                   userIdentified: true)
    }

    /// The AAGUID in the vector's authenticator data, as the vector's derivation read it.
    public var authDataAAGUID: AAGUID? { derived["auth_data"]?["aaguid"]?.string.flatMap(AAGUID.init) }

    /// Runs the registration ceremony with the given trust anchors (for tests where the policy,
    /// not the vector, decides them).
    public func verify(anchors: TrustAnchors) async throws -> VerifiedRegistration {
        let response = try JSONDecoder().decode(RegistrationResponseJSON.self, from: rawResponse)
        return try await RegistrationCeremony.verify(response, expecting: registrationExpectations, relyingParty: relyingParty,
                                                     policy: RegistrationPolicy(trustAnchors: anchors), now: verificationTime)
    }
}

public struct VectorError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Untyped JSON for reading vector files.
public enum AnyJSON: Sendable, Codable {
    case object([String: AnyJSON]), array([AnyJSON]), string(String), number(Double), bool(Bool), null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([AnyJSON].self) { self = .array(value) }
        else { self = .object(try container.decode([String: AnyJSON].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .object(let o): try container.encode(o)
        case .array(let a): try container.encode(a)
        case .string(let s): try container.encode(s)
        case .number(let n):
            if n == n.rounded(), abs(n) < 1e15 { try container.encode(Int64(n)) } else { try container.encode(n) }
        case .bool(let b): try container.encode(b)
        case .null: try container.encodeNil()
        }
    }

    public subscript(key: String) -> AnyJSON? {
        get { if case .object(let o) = self { o[key] } else { nil } }
        set { if case .object(var o) = self { o[key] = newValue; self = .object(o) } }
    }

    public subscript(key: String, inner: String) -> AnyJSON? {
        get { self[key]?[inner] }
        set { if var child = self[key] { child[inner] = newValue; self[key] = child } }
    }
    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var number: Double? { if case .number(let n) = self { n } else { nil } }
    public var array: [AnyJSON]? { if case .array(let a) = self { a } else { nil } }
}

/// RFC 3339 with or without fractional seconds, or a plain date.
public func parseISO8601(_ string: String) -> Date? {
    let withFraction = ISO8601DateFormatter()
    withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = withFraction.date(from: string) { return date }
    let plain = ISO8601DateFormatter()
    plain.formatOptions = [.withInternetDateTime]
    if let date = plain.date(from: string) { return date }
    let day = ISO8601DateFormatter()
    day.formatOptions = [.withFullDate]
    return day.date(from: string)
}
