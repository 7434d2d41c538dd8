import FIDOMetadata
import Foundation
import WebAuthn
import Yams

/// One problem in a policy document, with where it is.
public struct PolicyIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// 1-based line (and column) in the YAML text, when known.
    public var line: Int?
    public var column: Int?
    /// Dotted path of the offending value (`transactions.high_value_transfer.min_tier`).
    public var path: String
    public var message: String

    public init(line: Int?, column: Int? = nil, path: String, message: String) {
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    /// `line 12: transactions.high_value_transfer.min_tier must be 1–4`.
    public var description: String {
        let location = line.map { "line \($0): " } ?? ""
        return path.isEmpty ? location + message : location + path + " " + message
    }
}

/// A policy document that did not validate: every problem found, in document order.
public struct PolicyValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [PolicyIssue]
    public init(issues: [PolicyIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

extension PolicyDocument {
    /// The largest policy document accepted.
    public static let maxDocumentBytes = 1 << 20

    /// Parses and validates a policy document. All problems are reported at once, each with
    /// its line. Never traps on malformed input.
    public static func parse(yaml text: String) throws(PolicyValidationError) -> PolicyDocument {
        guard text.utf8.count <= maxDocumentBytes else {
            throw PolicyValidationError(issues: [PolicyIssue(line: nil, path: "", message: "the document is larger than \(maxDocumentBytes) bytes")])
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw PolicyValidationError(issues: [yamlIssue(error)])
        } catch {
            throw PolicyValidationError(issues: [PolicyIssue(line: nil, path: "", message: "is not valid YAML: \(error)")])
        }
        guard let root else {
            throw PolicyValidationError(issues: [PolicyIssue(line: 1, path: "", message: "the document is empty")])
        }
        var reader = PolicyReader()
        let document = reader.document(root)
        if let document, reader.issues.isEmpty { return document }
        let issues = reader.issues.isEmpty ? [PolicyIssue(line: 1, path: "", message: "the document is not a valid policy")] : reader.issues
        throw PolicyValidationError(issues: issues.sorted { ($0.line ?? 0, $0.column ?? 0) < ($1.line ?? 0, $1.column ?? 0) })
    }

    static func yamlIssue(_ error: YamlError) -> PolicyIssue {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _), .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text) " } ?? ""
            return PolicyIssue(line: mark.line, column: mark.column, path: "", message: "YAML syntax error: \(prefix)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
            return PolicyIssue(line: context.mark.line, column: context.mark.column, path: "",
                               message: "key \(keys) appears more than once in the same mapping (first here)")
        case .reader(let problem, _, _, _):
            return PolicyIssue(line: nil, path: "", message: "YAML reader error: \(problem)")
        default:
            return PolicyIssue(line: nil, path: "", message: "is not valid YAML: \(error)")
        }
    }
}

/// Walks the composed YAML tree, collecting issues with lines. Only known keys are descended
/// into, so the walk is bounded by the schema, not by the input.
struct PolicyReader {
    var issues: [PolicyIssue] = []

    /// A mapping's values by key, keeping the key node for its line.
    struct Fields {
        let path: String
        /// Line of the key that introduced this mapping (for "missing key" issues).
        let line: Int?
        var values: [String: (key: Node, value: Node)]
        func child(_ key: String) -> String { path.isEmpty ? key : path + "." + key }
    }

    mutating func issue(_ node: Node?, _ path: String, _ message: String) {
        issues.append(PolicyIssue(line: node?.mark?.line, column: node?.mark?.column, path: path, message: message))
    }

    mutating func issue(line: Int?, _ path: String, _ message: String) {
        issues.append(PolicyIssue(line: line, path: path, message: message))
    }

    /// A mapping with only `allowed` keys; unknown and duplicate keys are issues.
    mutating func fields(_ node: Node, path: String, line: Int?, allowed: [String], open: Bool = false) -> Fields? {
        guard case .mapping(let mapping) = node else {
            issue(node, path.isEmpty ? "the document" : path, "must be a mapping (key: value lines)")
            return nil
        }
        var fields = Fields(path: path, line: line ?? node.mark?.line, values: [:])
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                issue(key, path, "has a key that is not a plain string")
                continue
            }
            let name = scalar.string
            let keyPath = fields.child(name)
            if fields.values[name] != nil {
                issue(key, keyPath, "appears twice")
                continue
            }
            if !open && !allowed.contains(name) {
                issue(key, keyPath, "is not a known key (expected one of: \(allowed.joined(separator: ", ")))")
                continue
            }
            fields.values[name] = (key, value)
        }
        return fields
    }

    mutating func require(_ fields: Fields, _ key: String) -> Node? {
        guard let entry = fields.values[key] else {
            issue(line: fields.line, fields.child(key), "is missing")
            return nil
        }
        return entry.value
    }

    func optional(_ fields: Fields, _ key: String) -> Node? { fields.values[key]?.value }

    /// A non-null scalar's text.
    mutating func scalar(_ node: Node, _ path: String, what: String) -> String? {
        guard case .scalar(let scalar) = node, !Self.isNull(scalar) else {
            issue(node, path, "must be \(what)")
            return nil
        }
        return scalar.string
    }

    static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    mutating func string(_ node: Node, _ path: String) -> String? {
        guard let text = scalar(node, path, what: "a string") else { return nil }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty, text.utf8.count <= 500 else {
            issue(node, path, "must be a non-empty string of at most 500 bytes")
            return nil
        }
        return text
    }

    mutating func bool(_ node: Node, _ path: String) -> Bool? {
        guard let text = scalar(node, path, what: "true or false") else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            issue(node, path, "must be true or false, not \"\(text)\"")
            return nil
        }
    }

    mutating func int(_ node: Node, _ path: String, range: ClosedRange<Int>, unit: String = "") -> Int? {
        guard let text = scalar(node, path, what: "a whole number"), let value = Int(text), range.contains(value) else {
            issue(node, path, "must be a whole number from \(range.lowerBound) to \(range.upperBound)\(unit)")
            return nil
        }
        return value
    }

    mutating func tier(_ node: Node, _ path: String) -> Tier? {
        guard let text = scalar(node, path, what: "1–4"), let level = Int(text), let tier = Tier(level) else {
            issue(node, path, "must be 1–4")
            return nil
        }
        return tier
    }

    mutating func aaguid(_ node: Node, _ path: String) -> AAGUID? {
        guard let text = scalar(node, path, what: "an AAGUID"), let aaguid = AAGUID(text) else {
            issue(node, path, "must be an AAGUID (8-4-4-4-12 hex digits)")
            return nil
        }
        return aaguid
    }

    mutating func oneOf<T: RawRepresentable & CaseIterable>(_ node: Node, _ path: String, _ type: T.Type) -> T? where T.RawValue == String {
        let names = T.allCases.map(\.rawValue).joined(separator: ", ")
        guard let text = scalar(node, path, what: "one of: \(names)"), let value = T(rawValue: text) else {
            issue(node, path, "must be one of: \(names)")
            return nil
        }
        return value
    }

    mutating func sequence(_ node: Node, _ path: String, max: Int = 10_000) -> [Node]? {
        if case .scalar(let scalar) = node, Self.isNull(scalar) { return [] }
        guard case .sequence(let sequence) = node else {
            issue(node, path, "must be a list")
            return nil
        }
        guard sequence.count <= max else {
            issue(node, path, "has more than \(max) items")
            return nil
        }
        return Array(sequence)
    }

    // MARK: Document

    static let topKeys = ["version", "classification", "providers", "allow_list", "deny_list", "registration", "transactions", "status_reactions"]

    mutating func document(_ root: Node) -> PolicyDocument? {
        guard let top = fields(root, path: "", line: 1, allowed: Self.topKeys) else { return nil }
        if let node = require(top, "version"), let version = int(node, "version", range: 1...1), version != 1 {
            issue(node, "version", "must be 1")
        }
        let classification = optional(top, "classification").map { self.classification($0, line: top.values["classification"]?.key.mark?.line) }
            ?? ClassificationRules()
        let providers = optional(top, "providers").map { self.providers($0) } ?? []
        let allowList = optional(top, "allow_list").map { self.allowList($0) } ?? []
        let denyList = optional(top, "deny_list").map { self.denyList($0) } ?? []
        checkUnique(providers: providers, allow: allowList, deny: denyList, top: top)
        let registration = require(top, "registration").flatMap { self.registration($0, line: top.values["registration"]?.key.mark?.line) }
        let transactions = require(top, "transactions").flatMap { self.transactions($0, line: top.values["transactions"]?.key.mark?.line) }
        let reactions = require(top, "status_reactions").flatMap { self.statusReactions($0, line: top.values["status_reactions"]?.key.mark?.line) }
        guard let registration, let transactions, let reactions else { return nil }
        return PolicyDocument(version: 1, classification: classification, providers: providers, allowList: allowList, denyList: denyList,
                              registration: registration, transactions: transactions, statusReactions: reactions)
    }

    static let certificationNames: [String: CertificationLevel] = ["L1": .l1, "L1+": .l1Plus, "L2": .l2, "L2+": .l2Plus, "L3": .l3, "L3+": .l3Plus]

    mutating func classification(_ node: Node, line: Int?) -> ClassificationRules {
        var rules = ClassificationRules()
        guard let section = fields(node, path: "classification", line: line, allowed: ["tier1_min_certification", "certified_model_tier"]) else { return rules }
        if let node = optional(section, "tier1_min_certification") {
            let path = section.child("tier1_min_certification")
            if let text = scalar(node, path, what: "L1, L1+, L2, L2+, L3 or L3+"), let level = Self.certificationNames[text] {
                rules.tier1MinimumCertification = level
            } else if issues.last?.path != path {
                issue(node, path, "must be L1, L1+, L2, L2+, L3 or L3+")
            }
        }
        if let node = optional(section, "certified_model_tier"), let tier = tier(node, section.child("certified_model_tier")) {
            if tier == .one {
                issue(node, section.child("certified_model_tier"), "must be 2–4: tier 1 needs the attested_hardware_key rule")
            } else {
                rules.certifiedModelTier = tier
            }
        }
        return rules
    }

    mutating func providers(_ node: Node) -> [Provider] {
        guard let items = sequence(node, "providers") else { return [] }
        var result: [Provider] = []
        for (index, item) in items.enumerated() {
            let path = "providers[\(index)]"
            guard let entry = fields(item, path: path, line: item.mark?.line, allowed: ["aaguid", "name", "category", "tier", "synced_tier"]) else { continue }
            let aaguid = require(entry, "aaguid").flatMap { self.aaguid($0, entry.child("aaguid")) }
            let name = require(entry, "name").flatMap { self.string($0, entry.child("name")) }
            let category = require(entry, "category").flatMap { self.oneOf($0, entry.child("category"), ProviderCategory.self) }
            let tier = require(entry, "tier").flatMap { self.tier($0, entry.child("tier")) }
            if let tier, tier == .one, let node = entry.values["tier"]?.value {
                issue(node, entry.child("tier"), "must be 2–4: a provider's AAGUID is a claim unless attested; tier 1 comes only from attestation (or the allow list)")
                continue
            }
            let syncedTier = entry.values["synced_tier"].flatMap { self.tier($0.value, entry.child("synced_tier")) }
            if let tier, let syncedTier, syncedTier > tier, let node = entry.values["synced_tier"]?.value {
                issue(node, entry.child("synced_tier"), "must not be stronger than tier \(tier.level): a synced copy is never stronger than the device-bound key")
                continue
            }
            if let aaguid, let name, let category, let tier {
                result.append(Provider(aaguid: aaguid, name: name, category: category, tier: tier, syncedTier: syncedTier))
            }
        }
        return result
    }

    mutating func allowList(_ node: Node) -> [AllowEntry] {
        guard let items = sequence(node, "allow_list") else { return [] }
        var result: [AllowEntry] = []
        for (index, item) in items.enumerated() {
            let path = "allow_list[\(index)]"
            guard let entry = fields(item, path: path, line: item.mark?.line, allowed: ["aaguid", "tier", "name", "note", "require_verified_aaguid"]) else { continue }
            let aaguid = require(entry, "aaguid").flatMap { self.aaguid($0, entry.child("aaguid")) }
            let tier = require(entry, "tier").flatMap { self.tier($0, entry.child("tier")) }
            let name = optional(entry, "name").flatMap { self.string($0, entry.child("name")) }
            let note = optional(entry, "note").flatMap { self.string($0, entry.child("note")) }
            let verified = optional(entry, "require_verified_aaguid").map { self.bool($0, entry.child("require_verified_aaguid")) } ?? true
            if let aaguid, let tier, let verified {
                result.append(AllowEntry(aaguid: aaguid, tier: tier, name: name, note: note, requireVerifiedAAGUID: verified))
            }
        }
        return result
    }

    mutating func denyList(_ node: Node) -> [DenyEntry] {
        guard let items = sequence(node, "deny_list") else { return [] }
        var result: [DenyEntry] = []
        for (index, item) in items.enumerated() {
            let path = "deny_list[\(index)]"
            guard let entry = fields(item, path: path, line: item.mark?.line, allowed: ["aaguid", "name", "note"]) else { continue }
            let aaguid = require(entry, "aaguid").flatMap { self.aaguid($0, entry.child("aaguid")) }
            let name = optional(entry, "name").flatMap { self.string($0, entry.child("name")) }
            let note = optional(entry, "note").flatMap { self.string($0, entry.child("note")) }
            if let aaguid { result.append(DenyEntry(aaguid: aaguid, name: name, note: note)) }
        }
        return result
    }

    /// An AAGUID may appear once per list, and never on both the allow and the deny list.
    mutating func checkUnique(providers: [Provider], allow: [AllowEntry], deny: [DenyEntry], top: Fields) {
        func duplicates(_ list: [AAGUID]) -> [AAGUID] {
            var seen = Set<AAGUID>()
            var repeated: [AAGUID] = []
            for aaguid in list where !seen.insert(aaguid).inserted { repeated.append(aaguid) }
            return repeated
        }
        for (key, list) in [("providers", providers.map(\.aaguid)), ("allow_list", allow.map(\.aaguid)), ("deny_list", deny.map(\.aaguid))] {
            for aaguid in duplicates(list) {
                issue(top.values[key]?.key, key, "lists AAGUID \(aaguid) more than once")
            }
        }
        for aaguid in Set(allow.map(\.aaguid)).intersection(deny.map(\.aaguid)).sorted(by: { $0.description < $1.description }) {
            issue(top.values["deny_list"]?.key, "deny_list", "and allow_list both list AAGUID \(aaguid)")
        }
    }

    mutating func registration(_ node: Node, line: Int?) -> RegistrationRules? {
        let tierKeys = Tier.all.map { "tier_\($0.level)" }
        guard let section = fields(node, path: "registration", line: line, allowed: tierKeys + ["only_allow_listed"]) else { return nil }
        var byTier: [Tier: RegistrationOutcome] = [:]
        for tier in Tier.all {
            let key = "tier_\(tier.level)"
            if let value = require(section, key), let outcome = oneOf(value, section.child(key), RegistrationOutcome.self) {
                byTier[tier] = outcome
            }
        }
        let onlyAllowListed = optional(section, "only_allow_listed").map { self.bool($0, section.child("only_allow_listed")) } ?? false
        guard byTier.count == Tier.all.count, let onlyAllowListed else { return nil }
        return RegistrationRules(byTier: byTier, onlyAllowListed: onlyAllowListed)
    }

    static let maxAuthAge = 30 * 24 * 3600

    mutating func transactions(_ node: Node, line: Int?) -> [TransactionType: TransactionRule]? {
        guard let section = fields(node, path: "transactions", line: line, allowed: [], open: true) else { return nil }
        var result: [TransactionType: TransactionRule] = [:]
        var complete = true
        for required in TransactionType.required where section.values[required.rawValue] == nil {
            issue(line: section.line, section.child(required.rawValue), "is missing (every policy must define \(TransactionType.required.map(\.rawValue).joined(separator: ", ")))")
            complete = false
        }
        for (name, entry) in section.values.sorted(by: { $0.key < $1.key }) {
            let path = section.child(name)
            guard !name.isEmpty, name.utf8.count <= 64, name.utf8.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }) else {
                issue(entry.key, path, "is not a valid transaction type name (lowercase letters, digits and _)")
                complete = false
                continue
            }
            if let rule = transactionRule(entry.value, path: path, line: entry.key.mark?.line) {
                result[TransactionType(name)] = rule
            } else {
                complete = false
            }
        }
        return complete ? result : nil
    }

    mutating func transactionRule(_ node: Node, path: String, line: Int?) -> TransactionRule? {
        let keys = ["description", "min_tier", "max_auth_age_seconds", "require_uv", "step_up_methods", "amount_thresholds"]
        guard let rule = fields(node, path: path, line: line, allowed: keys) else { return nil }
        let before = issues.count
        let description = optional(rule, "description").flatMap { self.string($0, rule.child("description")) }
        let minTier = require(rule, "min_tier").flatMap { self.tier($0, rule.child("min_tier")) }
        let maxAge = require(rule, "max_auth_age_seconds").flatMap { self.int($0, rule.child("max_auth_age_seconds"), range: 0...Self.maxAuthAge, unit: " seconds") }
        let requireUV = require(rule, "require_uv").flatMap { self.bool($0, rule.child("require_uv")) }
        var methods: [StepUpMethod] = []
        if let list = require(rule, "step_up_methods").flatMap({ self.sequence($0, rule.child("step_up_methods"), max: 16) }) {
            for (index, item) in list.enumerated() {
                let itemPath = rule.child("step_up_methods") + "[\(index)]"
                guard let method = oneOf(item, itemPath, StepUpMethod.self) else { continue }
                if methods.contains(method) { issue(item, itemPath, "repeats \(method.rawValue)") } else { methods.append(method) }
            }
        }
        var thresholds: [AmountThreshold] = []
        if let list = optional(rule, "amount_thresholds").flatMap({ self.sequence($0, rule.child("amount_thresholds"), max: 500) }) {
            for (index, item) in list.enumerated() {
                let itemPath = rule.child("amount_thresholds") + "[\(index)]"
                if let threshold = amountThreshold(item, path: itemPath, base: minTier, baseAge: maxAge) { thresholds.append(threshold) }
            }
        }
        guard issues.count == before, let minTier, let maxAge, let requireUV else { return nil }
        return TransactionRule(minTier: minTier, maxAuthAgeSeconds: maxAge, requireUV: requireUV, stepUpMethods: methods,
                               amountThresholds: thresholds, description: description)
    }

    mutating func amountThreshold(_ node: Node, path: String, base: Tier?, baseAge: Int?) -> AmountThreshold? {
        let keys = ["currency", "above", "min_tier", "max_auth_age_seconds", "require_uv", "deny"]
        guard let entry = fields(node, path: path, line: node.mark?.line, allowed: keys) else { return nil }
        let currencyNode = require(entry, "currency")
        let currency = currencyNode.flatMap { self.scalar($0, entry.child("currency"), what: "an ISO 4217 currency code") }
        if let currency, let currencyNode, Money.exponent(of: currency) == nil || currency != currency.uppercased() {
            issue(currencyNode, entry.child("currency"), "must be an upper-case ISO 4217 currency code such as EUR, not \"\(currency)\"")
            return nil
        }
        var above: Money?
        if let node = require(entry, "above"), let text = scalar(node, entry.child("above"), what: "a decimal amount such as \"1000.00\""), let currency {
            do {
                above = try Money.parse(text, currency: currency)
            } catch {
                issue(node, entry.child("above"), "must be a decimal amount such as \"1000.00\": \(error)")
            }
        }
        let minTier = optional(entry, "min_tier").flatMap { self.tier($0, entry.child("min_tier")) }
        let maxAge = optional(entry, "max_auth_age_seconds").flatMap { self.int($0, entry.child("max_auth_age_seconds"), range: 0...Self.maxAuthAge, unit: " seconds") }
        let requireUV = optional(entry, "require_uv").flatMap { self.bool($0, entry.child("require_uv")) }
        let deny = optional(entry, "deny").flatMap { self.bool($0, entry.child("deny")) } ?? false
        if minTier == nil && maxAge == nil && requireUV == nil && !deny {
            issue(line: entry.line, path, "must set at least one of min_tier, max_auth_age_seconds, require_uv or deny: true")
        }
        if let minTier, let base, minTier < base, let node = entry.values["min_tier"]?.value {
            issue(node, entry.child("min_tier"), "(\(minTier.level)) is weaker than the transaction's min_tier (\(base.level)) and would have no effect")
        }
        if let maxAge, let baseAge, maxAge > baseAge, let node = entry.values["max_auth_age_seconds"]?.value {
            issue(node, entry.child("max_auth_age_seconds"), "(\(maxAge)) is longer than the transaction's max_auth_age_seconds (\(baseAge)) and would have no effect")
        }
        guard let above else { return nil }
        return AmountThreshold(above: above, minTier: minTier, maxAuthAgeSeconds: maxAge, requireUV: requireUV, deny: deny)
    }

    mutating func statusReactions(_ node: Node, line: Int?) -> [String: [Reaction]]? {
        guard let section = fields(node, path: "status_reactions", line: line, allowed: [], open: true) else { return nil }
        let before = issues.count
        var result: [String: [Reaction]] = [:]
        for (name, entry) in section.values.sorted(by: { $0.key < $1.key }) {
            let path = section.child(name)
            guard case .unknown = AuthenticatorStatus(rawValue: name) else {
                var reactions: [Reaction] = []
                for (index, item) in (sequence(entry.value, path, max: 16) ?? []).enumerated() {
                    guard let reaction = oneOf(item, path + "[\(index)]", Reaction.self) else { continue }
                    if !reactions.contains(reaction) { reactions.append(reaction) }
                }
                result[name] = reactions
                continue
            }
            let known = AuthenticatorStatus.allKnownRawValues.joined(separator: ", ")
            issue(entry.key, path, "is not a FIDO metadata status (expected one of: \(known))")
        }
        for status in AuthenticatorStatus.allKnownRawValues where AuthenticatorStatus(rawValue: status).isCompromise && section.values[status] == nil {
            issue(line: section.line, section.child(status), "is missing: every compromise status needs an explicit reaction list (write [] for none)")
        }
        return issues.count == before ? result : nil
    }
}

extension AuthenticatorStatus {
    /// Every status value this build knows, in MDS order.
    static var allKnownRawValues: [String] {
        ["NOT_FIDO_CERTIFIED", "FIDO_CERTIFIED", "USER_VERIFICATION_BYPASS", "ATTESTATION_KEY_COMPROMISE", "USER_KEY_REMOTE_COMPROMISE",
         "USER_KEY_PHYSICAL_COMPROMISE", "UPDATE_AVAILABLE", "REVOKED", "SELF_ASSERTION_SUBMITTED", "FIDO_CERTIFIED_L1", "FIDO_CERTIFIED_L1plus",
         "FIDO_CERTIFIED_L2", "FIDO_CERTIFIED_L2plus", "FIDO_CERTIFIED_L3", "FIDO_CERTIFIED_L3plus", "FIPS140_CERTIFIED_L1", "FIPS140_CERTIFIED_L2",
         "FIPS140_CERTIFIED_L3", "FIPS140_CERTIFIED_L4", "RETIRED"]
    }
}
