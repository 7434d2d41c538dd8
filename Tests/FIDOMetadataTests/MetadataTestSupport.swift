import FIDOMetadata
import Foundation
import Testing
import WebAuthn
import X509

/// The shared vectors (`../shared/vectors/mds`), found from this file; tests skip when absent.
enum Vectors {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/vectors")

    static var available: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("mds/webauthn4j/mds3-blob-no9-2021.jwt").path) }

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(path)))
    }

    static func certificate(_ path: String) throws -> Certificate {
        try Certificate(pemEncoded: String(decoding: try bytes(path), as: UTF8.self))
    }

    static let realBLOB = "mds/webauthn4j/mds3-blob-no9-2021.jwt"
    static let conformanceBLOB = "mds/webauthn4j/fido-conformance-test-blob-no42.jwt"
    static let fakeBLOB = "mds/simplewebauthn/fake-mds3-blob.jwt"
    static let fakeRoot = "mds/simplewebauthn/fido-conformance-mds3-fake-root.pem"
    static let specExampleBLOB = "mds/java-webauthn-server/mds3-spec-example-blob.jwt"
}

/// UTC instants by ISO 8601 (`2021-11-15T00:00:00Z`).
func instant(_ text: String) -> Date {
    ISO8601DateFormatter().date(from: text) ?? .distantPast
}

/// The day the real BLOB was current: its chain valid, before its nextUpdate (2021-12-01).
let pinnedTime = instant("2021-11-15T00:00:00Z")

/// The real BLOB, verified once for the tests that only read its catalog.
enum RealBLOB {
    static func verified() async throws -> VerifiedMetadataBLOB {
        try await MetadataBLOBVerifier().verify(try Vectors.bytes(Vectors.realBLOB), at: pinnedTime)
    }
}

/// Runs `body` and returns the MetadataError code it threw, or nil when it did not throw one.
func metadataErrorCode(_ body: () async throws -> Void) async -> MetadataError.Code? {
    do {
        try await body()
        return nil
    } catch let error as MetadataError {
        return error.code
    } catch {
        return nil
    }
}

extension Array where Element == UInt8 {
    /// A copy with the base64url character at `index` replaced by a different one.
    func flippingBase64URLCharacter(at index: Int) -> [UInt8] {
        var copy = self
        copy[index] = copy[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        return copy
    }

    /// Offsets of the two dots of a compact JWS.
    var jwsDots: [Int] { indices.filter { self[$0] == UInt8(ascii: ".") } }
}
