import Foundation
import Testing

/// `claviger metadata verify|lookup` on the real MDS3 BLOB (../shared/vectors/mds), as operations run them.
@Suite struct MetadataCommandTests {
    let cli = VerifyCommandTests()
    static let blob = PolicyAndClassifyCommandTests.vectors.appendingPathComponent("mds/webauthn4j/mds3-blob-no9-2021.jwt").path

    var available: Bool { FileManager.default.fileExists(atPath: Self.blob) }

    @Test func the_real_blob_verifies_at_its_time_with_its_serial_and_counts() throws {
        guard available else { return }
        let run = try cli.claviger(["metadata", "verify", Self.blob, "--at", "2021-11-15T00:00:00Z"])
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.json?["valid"] as? Bool == true)
        #expect(run.json?["no"] as? Int == 9)
        #expect(run.json?["entries"] as? Int == 98)
        let counts = try #require(run.json?["statusCounts"] as? [String: Int])
        #expect(counts.values.reduce(0, +) == 98)
    }

    @Test func a_tampered_blob_a_wrong_root_and_a_rollback_exit_1_with_their_codes() throws {
        guard available else { return }
        var text = try String(contentsOfFile: Self.blob, encoding: .utf8)
        let middle = try #require(text.firstIndex(of: ".")).utf16Offset(in: text) + 40
        let index = text.index(text.startIndex, offsetBy: middle)
        text.replaceSubrange(index...index, with: text[index] == "A" ? "B" : "A")
        let tampered = try cli.claviger(["metadata", "verify", try cli.write(Data(text.utf8)), "--at", "2021-11-15T00:00:00Z"])
        #expect(tampered.status == 1)
        #expect(tampered.json?["code"] as? String == "blob_signature_invalid")

        let apple = PolicyAndClassifyCommandTests.vectors.appendingPathComponent("trust-anchors/apple-webauthn-root-ca.pem").path
        let wrongRoot = try cli.claviger(["metadata", "verify", Self.blob, "--at", "2021-11-15T00:00:00Z", "--trust-root", apple])
        #expect(wrongRoot.json?["code"] as? String == "blob_chain_untrusted")

        let rollback = try cli.claviger(["metadata", "verify", Self.blob, "--at", "2021-11-15T00:00:00Z", "--previous-no", "9"])
        #expect(rollback.status == 1)
        #expect(rollback.json?["code"] as? String == "blob_rollback")
    }

    @Test func lookup_names_the_yubikey_5_and_its_yubico_root() throws {
        guard available else { return }
        let run = try cli.claviger(["metadata", "lookup", Self.blob, "--at", "2021-11-15T00:00:00Z", "--aaguid", "cb69481e-8ff7-4039-93ec-0a2729a154a8"])
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout.contains("YubiKey  5 Series"))  // the statement's own spelling
        #expect(run.stdout.contains("Yubico U2F Root CA Serial 457200631"))
        let missing = try cli.claviger(["metadata", "lookup", Self.blob, "--at", "2021-11-15T00:00:00Z", "--aaguid", "00000000-0000-0000-0000-000000000001"])
        #expect(missing.status == 1)
    }
}
