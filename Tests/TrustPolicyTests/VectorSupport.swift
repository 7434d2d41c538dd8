import FIDOMetadata
import Foundation
import VectorTestSupport
import WebAuthn

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
