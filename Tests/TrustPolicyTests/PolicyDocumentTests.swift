import FIDOMetadata
import Foundation
import Testing
import VectorTestSupport
import WebAuthn
@testable import TrustPolicy

@Suite("Policy document: parsing and validation with line numbers")
struct PolicyDocumentTests {
    @Test func defaultPolicyParses() throws {
        let policy = try PolicyDocument.defaultPolicy()
        #expect(policy.version == 1)
        #expect(policy.classification.tier1MinimumCertification == .l1)
        #expect(Set(TransactionType.required).isSubset(of: Set(policy.transactions.keys)))
        #expect(policy.provider(for: aaguid("bada5566-a7aa-401f-bd96-45619a55120d"))?.name == "1Password")
        #expect(policy.provider(for: aaguid("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"))?.category == .firstPartyPlatform)
        #expect(policy.registration.outcome(for: .one) == .accept)
        let highValue = try #require(policy.transactions[.highValueTransfer])
        #expect(highValue.amountThresholds.contains { $0.above == Money(minorUnits: 100_000, currency: "EUR") && $0.minTier == .one })
    }

    /// Every provider AAGUID and name in the default policy is one from the community list.
    @Test(.enabled(if: Vector.available))
    func defaultProvidersAreNamedAsInTheCommunityAAGUIDList() throws {
        let data = try Data(contentsOf: Vector.root.appendingPathComponent("aaguids/aaguid.json"))
        let list = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        for provider in try PolicyDocument.defaultPolicy().providers {
            #expect(list[provider.aaguid.description]?["name"] as? String == provider.name, "\(provider.aaguid)")
        }
    }

    /// The default document with `replace` swapped for `with`; the test fails if `replace` is absent.
    func defaultEdited(_ replace: String, _ with: String) throws -> String {
        let text = PolicyDocument.defaultYAML
        try #require(text.contains(replace), "default policy has no \(replace)")
        return text.replacingOccurrences(of: replace, with: with)
    }

    func issues(_ yaml: String) -> [PolicyIssue] {
        do {
            _ = try PolicyDocument.parse(yaml: yaml)
            return []
        } catch {
            return error.issues
        }
    }

    func line(of needle: String, in text: String) -> Int? {
        text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(needle) }.map { $0 + 1 }
    }

    @Test func tierOutOfRangeIsReportedAtItsLine() throws {
        let yaml = try defaultEdited("    min_tier: 2\n    max_auth_age_seconds: 120\n    require_uv: true\n    step_up_methods: [reauthenticate, stronger_passkey, bound_device]\n    amount_thresholds:",
                                     "    min_tier: 7\n    max_auth_age_seconds: 120\n    require_uv: true\n    step_up_methods: [reauthenticate, stronger_passkey, bound_device]\n    amount_thresholds:")
        let found = issues(yaml)
        let issue = try #require(found.first { $0.path == "transactions.high_value_transfer.min_tier" })
        #expect(issue.line == line(of: "min_tier: 7", in: yaml))
        #expect(issue.description == "line \(issue.line ?? 0): transactions.high_value_transfer.min_tier must be 1–4")
    }

    @Test func misspelledKeyIsReportedAtItsLine() throws {
        let yaml = try defaultEdited("  tier1_min_certification: L1", "  tier1_min_certfication: L1")
        let issue = try #require(issues(yaml).first)
        #expect(issue.path == "classification.tier1_min_certfication")
        #expect(issue.line == line(of: "tier1_min_certfication", in: yaml))
        #expect(issue.message.contains("not a known key"))
    }

    @Test func badValuesAreAllReportedEachWithItsLine() throws {
        let yaml = """
        version: 1
        registration:
          tier_1: accept
          tier_2: maybe
          tier_3: accept_with_marking
          tier_4: reject
        transactions:
          login: {min_tier: 4, max_auth_age_seconds: 300, require_uv: yes, step_up_methods: [reauthenticate]}
          view_balance: {min_tier: 4, max_auth_age_seconds: -5, require_uv: true, step_up_methods: []}
          low_value_payment: {min_tier: 3, max_auth_age_seconds: 300, require_uv: true, step_up_methods: [sms_otp]}
          high_value_transfer:
            min_tier: 2
            max_auth_age_seconds: 120
            require_uv: true
            step_up_methods: [stronger_passkey]
            amount_thresholds:
              - {currency: EUR, above: 1000.005, min_tier: 1}
              - {currency: euro, above: "10", min_tier: 1}
              - {currency: USD, above: "10"}
          payee_add: {min_tier: 2, max_auth_age_seconds: 120, require_uv: true, step_up_methods: []}
          beneficiary_change: {min_tier: 2, max_auth_age_seconds: 60, require_uv: true, step_up_methods: []}
          profile_change: {min_tier: 3, max_auth_age_seconds: 300, require_uv: true, step_up_methods: []}
          recovery: {min_tier: 2, max_auth_age_seconds: 60, require_uv: true, step_up_methods: []}
        status_reactions:
          USER_VERIFICATION_BYPASS: [pause_registrations]
          ATTESTATION_KEY_COMPROMISE: [pause_registrations]
          USER_KEY_REMOTE_COMPROMISE: [pause_registrations]
          USER_KEY_PHYSICAL_COMPROMISE: [pause_registrations]
          REVOKED: [pause_registrations, explode]
          SLIGHTLY_BROKEN: []
        """
        let found = issues(yaml)
        let expected: [(String, Int)] = [
            ("registration.tier_2", 4),
            ("transactions.login.require_uv", 8),
            ("transactions.view_balance.max_auth_age_seconds", 9),
            ("transactions.low_value_payment.step_up_methods[0]", 10),
            ("transactions.high_value_transfer.amount_thresholds[0].above", 17),
            ("transactions.high_value_transfer.amount_thresholds[1].currency", 18),
            ("transactions.high_value_transfer.amount_thresholds[2]", 19),
            ("status_reactions.REVOKED[1]", 29),
            ("status_reactions.SLIGHTLY_BROKEN", 30),
        ]
        for (path, line) in expected {
            let issue = found.first { $0.path == path }
            #expect(issue?.line == line, "\(path): \(found.map(\.description))")
        }
        #expect(found.allSatisfy { $0.line != nil })
        #expect(found.map { $0.line ?? 0 } == found.map { $0.line ?? 0 }.sorted())
    }

    @Test func missingSectionsAndTransactionTypesAreReported() throws {
        let yaml = """
        version: 1
        transactions:
          login: {min_tier: 4, max_auth_age_seconds: 300, require_uv: true, step_up_methods: []}
        """
        let found = issues(yaml)
        #expect(found.contains { $0.path == "registration" && $0.line == 1 && $0.message == "is missing" })
        #expect(found.contains { $0.path == "status_reactions" && $0.line == 1 })
        #expect(found.contains { $0.path == "transactions.recovery" && $0.line == 2 })
        #expect(found.contains { $0.path == "transactions.high_value_transfer" && $0.line == 2 })
    }

    @Test func missingCompromiseReactionIsReported() throws {
        let yaml = try defaultEdited("  REVOKED: [pause_registrations, suspend_credentials, revoke_sessions]\n", "")
        let issue = try #require(issues(yaml).first)
        #expect(issue.path == "status_reactions.REVOKED")
        #expect(issue.line == line(of: "status_reactions:", in: yaml))
    }

    @Test func badAAGUIDAndProviderTier1AreReported() throws {
        var yaml = try defaultEdited("  - aaguid: bada5566-a7aa-401f-bd96-45619a55120d", "  - aaguid: bada5566-not-an-aaguid")
        var issue = try #require(issues(yaml).first)
        #expect(issue.path == "providers[10].aaguid")
        #expect(issue.line == line(of: "bada5566-not-an-aaguid", in: yaml))
        yaml = try defaultEdited("    name: Dashlane\n    category: password_manager\n    tier: 3", "    name: Dashlane\n    category: password_manager\n    tier: 1")
        issue = try #require(issues(yaml).first)
        #expect(issue.path == "providers[11].tier")
        #expect(issue.message.contains("2–4"))
    }

    @Test func sameAAGUIDOnAllowAndDenyListIsReported() throws {
        var yaml = try defaultEdited("allow_list: []", "allow_list:\n  - {aaguid: 2fc0579f-8113-47ea-b116-bb5a8db9202a, tier: 1}")
        yaml = yaml.replacingOccurrences(of: "deny_list: []", with: "deny_list:\n  - aaguid: 2fc0579f-8113-47ea-b116-bb5a8db9202a")
        let issue = try #require(issues(yaml).first)
        #expect(issue.path == "deny_list")
        #expect(issue.line == line(of: "deny_list:", in: yaml))
        #expect(issue.message.contains("2fc0579f-8113-47ea-b116-bb5a8db9202a"))
    }

    @Test func thresholdWeakerThanTheBaseRuleIsReported() throws {
        let yaml = try defaultEdited("      - currency: EUR\n        above: \"30.00\"\n        min_tier: 2", "      - currency: EUR\n        above: \"30.00\"\n        min_tier: 4")
        let issue = try #require(issues(yaml).first)
        #expect(issue.path == "transactions.low_value_payment.amount_thresholds[0].min_tier")
        #expect(issue.message.contains("no effect"))
    }

    @Test func duplicateKeyIsReported() throws {
        let yaml = try defaultEdited("  tier_2: accept\n", "  tier_2: accept\n  tier_2: reject\n")
        let issue = try #require(issues(yaml).first)
        #expect(issue.message.contains("\"tier_2\" appears more than once"))
        #expect(issue.line == line(of: "  tier_2: accept", in: yaml))
    }

    @Test func yamlSyntaxErrorHasALine() throws {
        let found = issues("version: 1\nregistration:\n  tier_1: [accept\n  tier_2: accept\n")
        let issue = try #require(found.first)
        #expect(issue.line != nil)
        #expect(issue.message.hasPrefix("YAML syntax error"))
    }

    @Test(arguments: ["", "just a string", "- a\n- list", "version: [1]", "{{{{", String(repeating: "[", count: 5000), "version: &a 1\nx: *b"])
    func malformedDocumentsFailWithIssuesAndNeverTrap(text: String) {
        let found = issues(text)
        #expect(!found.isEmpty)
    }

    @Test func oversizedDocumentIsRefused() {
        let found = issues(String(repeating: "# padding\n", count: 120_000))
        #expect(found.first?.message.contains("larger than") == true)
    }

    @Test func issueDescriptionMatchesTheDocumentedForm() {
        let issue = PolicyIssue(line: 12, path: "transactions.high_value_transfer.min_tier", message: "must be 1–4")
        #expect(issue.description == "line 12: transactions.high_value_transfer.min_tier must be 1–4")
    }
}

@Suite("Money: exact decimal amounts in minor units")
struct MoneyTests {
    @Test func parsesDecimalStringsWithTheCurrencyExponent() throws {
        #expect(try Money.parse("1500.00", currency: "EUR") == Money(minorUnits: 150_000, currency: "EUR"))
        #expect(try Money.parse("1500", currency: "eur") == Money(minorUnits: 150_000, currency: "EUR"))
        #expect(try Money.parse("0.5", currency: "EUR").minorUnits == 50)
        #expect(try Money.parse("150000", currency: "JPY").minorUnits == 150_000)
        #expect(try Money.parse("1.234", currency: "KWD").minorUnits == 1234)
        #expect(Money(minorUnits: 150_000, currency: "EUR").description == "1500.00 EUR")
        #expect(Money(minorUnits: 5, currency: "EUR").decimalString == "0.05")
        #expect(Money(minorUnits: 150_000, currency: "JPY").decimalString == "150000")
    }

    @Test(arguments: [("1500.001", "EUR"), ("1.5", "JPY"), ("-1", "EUR"), ("1e3", "EUR"), ("1,000.00", "EUR"), ("", "EUR"), (".5", "EUR"),
                      ("5.", "EUR"), ("1.2.3", "EUR"), ("10", "EURO"), ("10", "E1R"), ("99999999999999999999", "EUR"), ("922337203685477580.7", "EUR")])
    func refusesAnythingInexact(text: String, currency: String) {
        #expect(throws: Money.ParseError.self) { try Money.parse(text, currency: currency) }
    }
}
