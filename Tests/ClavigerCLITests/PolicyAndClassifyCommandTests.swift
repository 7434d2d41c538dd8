import ClavigerTesting
import Foundation
import Testing
import WebAuthn

/// `claviger policy …` and `claviger classify` as a risk team and an integrating engineer use them.
@Suite struct PolicyAndClassifyCommandTests {
    let cli = VerifyCommandTests()

    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/vectors")

    @Test func the_default_policy_checks_clean_and_a_broken_one_names_its_line() throws {
        let defaultPolicy = try cli.claviger(["policy", "default"])
        #expect(defaultPolicy.status == 0)
        let file = try cli.write(Data(defaultPolicy.stdout.utf8))
        #expect(try cli.claviger(["policy", "check", file]).status == 0)

        let broken = defaultPolicy.stdout.replacingOccurrences(of: "min_tier: 1", with: "min_tier: 7")
        #expect(broken != defaultPolicy.stdout)
        let run = try cli.claviger(["policy", "check", try cli.write(Data(broken.utf8))])
        #expect(run.status == 1)
        let issues = try #require(run.json?["issues"] as? [[String: Any]])
        let first = try #require(issues.first)
        #expect((first["line"] as? Int ?? 0) > 0)
        #expect(first["message"] as? String == "must be 1–4")
    }

    @Test func a_high_value_transfer_from_a_tier_3_passkey_needs_step_up_and_from_tier_1_is_allowed() throws {
        let stepUp = try cli.claviger(["policy", "explain", "--tier", "3", "--transaction", "high_value_transfer", "--amount", "1500.00", "--currency", "EUR"])
        #expect(stepUp.status == 0)
        let decision = try #require(stepUp.json?["decision"] as? [String: Any])
        #expect(decision["outcome"] as? String == "step_up")
        #expect((decision["stepUp"] as? [String: Any])?["minTier"] as? Int == 1)

        let allowed = try cli.claviger(["policy", "explain", "--tier", "1", "--transaction", "high_value_transfer", "--amount", "1500.00", "--currency", "EUR"])
        #expect((allowed.json?["decision"] as? [String: Any])?["outcome"] as? String == "allow")
        #expect(try cli.claviger(["policy", "explain", "--tier", "9", "--transaction", "login"]).status == 2)
    }

    @Test func claimed_password_manager_passkey_classifies_as_tier_3() throws {
        // 1Password's AAGUID from the community list, claimed by an unattested (fmt none) synced passkey.
        let onePassword = try #require(AAGUID("bada5566-a7aa-401f-bd96-45619a55120d"))
        let (response, _) = try SoftwareAuthenticator.syncedPasskey(aaguid: onePassword)
            .register(rpID: "bank.example", origin: "https://bank.example", challenge: cli.challenge)
        let run = try cli.claviger(["classify"] + cli.rp + ["--challenge", Base64URL.encode(cli.challenge), try cli.write(response)])
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.json?["tier"] as? Int == 3)
        #expect(run.json?["aaguidVerified"] as? Bool == false)
        let rules = (run.json?["reasons"] as? [[String: Any]])?.compactMap { $0["rule"] as? String } ?? []
        #expect(rules.contains("aaguid_claimed_only"), "\(rules)")
    }

    static let realBLOB = vectors.appendingPathComponent("mds/webauthn4j/mds3-blob-no9-2021.jwt").path

    /// `claviger classify` arguments for a java-webauthn-server registration vector (at a time inside
    /// BLOB no. 9's life) and its response file; nil when the vectors are absent.
    func classifyCommand(_ id: String) throws -> (arguments: [String], response: String)? {
        let vectorFile = Self.vectors.appendingPathComponent("registration/java-webauthn-server/\(id).json")
        guard let data = try? Data(contentsOf: vectorFile) else { return nil }
        let vector = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rp = try #require(vector["rp"] as? [String: Any])
        let response = try cli.write(try JSONSerialization.data(withJSONObject: try #require(vector["response"])))
        return (["classify", "--rp-id", try #require(rp["id"] as? String), "--origin", try #require((rp["origins"] as? [String])?.first),
                 "--challenge", try #require(vector["challenge"] as? String), "--at", "2021-11-15T00:00:00Z"], response)
    }

    @Test func yubikey5_with_its_metadata_entry_is_tier_1_and_without_metadata_is_not() throws {
        guard let (arguments, response) = try classifyCommand("yubico-reg-yubi-key5") else { return }
        let withMetadata = try cli.claviger(arguments + ["--metadata", Self.realBLOB, response])
        #expect(withMetadata.status == 0, "\(withMetadata.stdout)")
        #expect(withMetadata.json?["tier"] as? Int == 1)
        let without = try cli.claviger(arguments + [response])
        #expect((without.json?["tier"] as? Int ?? 1) > 1, "\(without.stdout)")
    }

    /// A U2F key has a zero AAGUID: MDS3 finds it by its attestation certificate's key identifier
    /// (YubiKey 4: 00281250…fb7a in BLOB no. 9), whose roots then anchor the chain.
    @Test func yubikey4_u2f_is_found_in_metadata_by_its_attestation_certificate() throws {
        guard let (arguments, response) = try classifyCommand("yubico-reg-yubi-key4") else { return }
        let withMetadata = try cli.claviger(arguments + ["--metadata", Self.realBLOB, response])
        #expect(withMetadata.status == 0, "\(withMetadata.stdout)")
        #expect(withMetadata.json?["fmt"] as? String == "fido-u2f")
        #expect(withMetadata.json?["metadataEntry"] as? String == "YK4 Series Key by Yubico")
        #expect(withMetadata.json?["trustAnchorsFrom"] as? String == "metadata")
        #expect(withMetadata.json?["tier"] as? Int == 1)
        let without = try cli.claviger(arguments + [response])
        #expect(without.json?["metadataEntry"] == nil, "\(without.stdout)")
        #expect((without.json?["tier"] as? Int ?? 1) > 1, "\(without.stdout)")
    }
}
