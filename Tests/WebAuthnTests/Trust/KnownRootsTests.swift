import Foundation
import Testing
import X509
@testable import WebAuthn

@Suite struct KnownRootsTests {
    @Test func every_shipped_root_parses_and_matches_its_pinned_fingerprint() {
        #expect(KnownRoots.certificates.count == KnownRoots.catalog.count)
        for (entry, certificate) in KnownRoots.certificates {
            #expect(certificate.sha256Fingerprint == entry.sha256, "\(entry.name)")
            #expect(certificate.issuer == certificate.subject, "\(entry.name) is self-issued")
        }
    }

    @Test func shipped_roots_match_the_shared_trust_anchor_manifest() throws {
        let manifestURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/vectors/trust-anchors/manifest.json")
        guard let data = try? Data(contentsOf: manifestURL) else { return }
        let manifest = try JSONDecoder().decode([[String: AnyCodable]].self, from: data)
        let pinned = Set(manifest.compactMap { $0["sha256_fingerprint"]?.string })
        let fromManifest = KnownRoots.catalog.filter { pinned.contains($0.sha256) }
        // Every shipped root but Google's 2026 P-384 root (not in that folder) is in the manifest.
        #expect(fromManifest.count == KnownRoots.catalog.count - 1)
        #expect(KnownRoots.catalog.filter { !pinned.contains($0.sha256) }.map(\.name) == ["googleKeyAttestationCA1"])
    }

    @Test func google_2026_p384_root_is_shipped_for_android_key() throws {
        let entry = try #require(KnownRoots.certificates.first { $0.entry.name == "googleKeyAttestationCA1" })
        #expect(entry.entry.sha256 == "6d9db4ce6c5c0b293166d08986e05774a8776ceb525d9e4329520de12ba4bcc0")
        #expect(String(describing: entry.certificate.subject).contains("Key Attestation CA1"))
        #expect(entry.certificate.signatureAlgorithm == .ecdsaWithSHA384)
        #expect(entry.entry.formats == ["android-key"])
        #expect(KnownRoots.attestationAnchors.anchors(for: "android-key").contains(entry.certificate))
        #expect(!KnownRoots.attestationAnchors.anchors(for: "tpm").contains(entry.certificate))
    }

    @Test func a_pem_whose_fingerprint_differs_is_not_trusted() {
        #expect(KnownRoots.catalog.allSatisfy { $0.sha256.count == 64 })
        let shipped = Set(KnownRoots.certificates.map(\.entry.sha256))
        #expect(shipped.count == KnownRoots.catalog.count)
    }
}

/// Just enough JSON for the manifest.
struct AnyCodable: Decodable {
    let string: String?
    init(from decoder: any Decoder) throws {
        string = try? decoder.singleValueContainer().decode(String.self)
    }
}
