import FIDOMetadata
import Foundation
import Testing
import WebAuthn

/// A trimmed copy of Tests/ConformanceTests/VectorSupport.swift: reads one shared vector
/// (`../shared/vectors`, format `webauthn-test-vector/1`) and verifies it as the vector asks.
struct Vector: Sendable {
    let id: String
    let json: [String: AnyJSON]
    let rawResponse: Data

    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/vectors")

    static var available: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("FORMAT.md").path) }

    /// The registration vector with this id (any source folder).
    static func registration(_ id: String) throws -> Vector {
        let folder = root.appendingPathComponent("registration")
        let sources = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        for source in sources {
            let url = folder.appendingPathComponent(source).appendingPathComponent(id + ".json")
            guard let data = try? Data(contentsOf: url) else { continue }
            guard case .object(let object) = try JSONDecoder().decode(AnyJSON.self, from: data), let response = object["response"] else {
                throw VectorError("vector \(id) is not an object with a response")
            }
            return Vector(id: id, json: object, rawResponse: try JSONEncoder().encode(response))
        }
        throw VectorError("no registration vector \(id)")
    }

    var options: AnyJSON { json["options"] ?? .null }
    var derived: AnyJSON { json["derived"] ?? .null }
    var challenge: [UInt8] { Base64URL.decode(json["challenge"]?.string ?? "") ?? [] }

    var relyingParty: RelyingParty {
        let rp = json["rp"]
        return RelyingParty(id: rp?["id"]?.string ?? "", origins: rp?["origins"]?.array?.compactMap(\.string) ?? [],
                            topOrigins: rp?["top_origins"]?.array?.compactMap(\.string) ?? [],
                            allowCrossOrigin: options["allow_cross_origin"]?.bool ?? false,
                            allowSubdomainOrigins: options["allow_subdomain_origins"]?.bool ?? false)
    }

    var allowedAlgorithms: [COSEAlgorithm] {
        guard let list = options["supported_algs"]?.array else { return COSEAlgorithm.allCases }
        return list.compactMap { $0.number.flatMap { COSEAlgorithm(rawValue: Int64($0)) } }
    }

    /// The time certificates are checked at (pinned clock, else the chain's validity midpoint).
    var verificationTime: Date {
        if let pinned = options["verification_time"]?.string, let date = parseISO8601(pinned) { return date }
        if let suggested = derived["suggested_verification_time"]?.string, let date = parseISO8601(suggested) { return date }
        return Date()
    }

    var expectations: RegistrationExpectations {
        RegistrationExpectations(challenge: challenge,
                                 userVerification: options["require_user_verification"]?.bool == true ? .required : .preferred,
                                 requireUserPresence: options["require_user_presence"]?.bool ?? true, allowedAlgorithms: allowedAlgorithms)
    }

    /// Runs the registration ceremony with the given trust anchors (the policy decides them,
    /// not the vector: that is what these tests are about).
    func verify(anchors: TrustAnchors) async throws -> VerifiedRegistration {
        let response = try JSONDecoder().decode(RegistrationResponseJSON.self, from: rawResponse)
        return try await RegistrationCeremony.verify(response, expecting: expectations, relyingParty: relyingParty,
                                                     policy: RegistrationPolicy(trustAnchors: anchors), now: verificationTime)
    }

    var authDataAAGUID: AAGUID? { derived["auth_data"]?["aaguid"]?.string.flatMap(AAGUID.init) }
}

struct VectorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Untyped JSON for reading vector files.
enum AnyJSON: Sendable, Codable {
    case object([String: AnyJSON]), array([AnyJSON]), string(String), number(Double), bool(Bool), null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([AnyJSON].self) { self = .array(value) }
        else { self = .object(try container.decode([String: AnyJSON].self)) }
    }

    func encode(to encoder: any Encoder) throws {
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

    subscript(key: String) -> AnyJSON? {
        if case .object(let o) = self { o[key] } else { nil }
    }
    var string: String? { if case .string(let s) = self { s } else { nil } }
    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    var number: Double? { if case .number(let n) = self { n } else { nil } }
    var array: [AnyJSON]? { if case .array(let a) = self { a } else { nil } }
}

func parseISO8601(_ string: String) -> Date? {
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

/// The real FIDO MDS3 BLOB no. 9 (2021) from webauthn4j, verified with the FIDOMetadata BLOB
/// verifier against the shipped MDS root (GlobalSign Root CA - R3) at a time inside its chain's validity.
enum RealMetadata {
    static let blobPath = Vector.root.appendingPathComponent("mds/webauthn4j/mds3-blob-no9-2021.jwt")
    /// Inside the BLOB's validity (its nextUpdate is 2021-12-01).
    static let blobTime = day("2021-11-20")

    static func catalog() async throws -> MetadataCatalog {
        let bytes = Array(try Data(contentsOf: blobPath))
        let verified = try await MetadataBLOBVerifier().verify(bytes, at: blobTime)
        return verified.catalog
    }
}

func day(_ text: String) -> Date { parseISO8601(text) ?? Date(timeIntervalSince1970: 0) }

func aaguid(_ text: String) -> AAGUID { AAGUID(text) ?? .zero }
