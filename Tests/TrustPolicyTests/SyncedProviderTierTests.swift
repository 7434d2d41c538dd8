import Testing
import WebAuthn
@testable import TrustPolicy

@Suite("Providers: a synced tier below the device-bound one")
struct SyncedProviderTierTests {
    /// The default policy with Google Password Manager's synced passkeys one tier down.
    static var yaml: String {
        let entry = "    name: Google Password Manager\n    category: first_party_platform\n    tier: 2\n"
        return PolicyDocument.defaultYAML.replacingOccurrences(of: entry, with: entry + "    synced_tier: 3\n")
    }

    @Test func syncedGooglePasswordManagerPasskeyTakesTheSyncedTier() throws {
        #expect(Self.yaml.contains("synced_tier: 3"))
        let policy = try PolicyDocument.parse(yaml: Self.yaml)
        let synced = Classifier.classify(Synthetic.claimed(Synthetic.googlePasswordManager, backupEligible: true, backupState: true), policy: policy)
        #expect(synced.tier == .three)
        #expect(synced.reasons.first?.detail.contains("for synced credentials") == true)
    }

    @Test func deviceBoundCredentialOfTheSameProviderKeepsTheProviderTier() throws {
        let policy = try PolicyDocument.parse(yaml: Self.yaml)
        let bound = Classifier.classify(Synthetic.claimed(Synthetic.googlePasswordManager, backupEligible: false, backupState: false), policy: policy)
        #expect(bound.tier == .two)
    }

    @Test func withoutSyncedTierBothGetTheProviderTier() throws {
        let policy = try PolicyDocument.defaultPolicy()
        let synced = Classifier.classify(Synthetic.claimed(Synthetic.googlePasswordManager, backupEligible: true, backupState: true), policy: policy)
        #expect(synced.tier == .two)
    }

    @Test func syncedTierStrongerThanTheProviderTierIsRefusedAtItsLine() throws {
        let yaml = Self.yaml.replacingOccurrences(of: "synced_tier: 3", with: "synced_tier: 1")
        do {
            _ = try PolicyDocument.parse(yaml: yaml)
            Issue.record("a synced tier stronger than the provider's tier was accepted")
        } catch {
            let issue = try #require(error.issues.first)
            #expect(issue.path == "providers[2].synced_tier")
            let line = yaml.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("synced_tier: 1") }.map { $0 + 1 }
            #expect(issue.line == line)
        }
    }
}
