import ClavigerCore
import ArgumentParser
import FIDOMetadata
import Foundation
import TrustPolicy
import WebAuthn
import X509

/// `claviger policy …`: check, explain and print trust policy documents.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Trust policy documents: check one, explain a transaction decision, print the default.",
        subcommands: [PolicyCheck.self, PolicyExplain.self, PolicyDefault.self])
}

/// Prints any Encodable as the one pretty, key-sorted JSON object the CLI emits.
func printJSON<T: Encodable>(_ value: T) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value) else { return }
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

/// The outcome of loading a policy file.
enum LoadedPolicy {
    case valid(PolicyDocument)
    case invalid([PolicyIssue])
}

/// Reads and validates a policy file; unreadable files are usage errors (exit 2).
func loadPolicy(_ path: String?) throws -> LoadedPolicy {
    guard let path else {
        do { return .valid(try PolicyDocument.defaultPolicy()) } catch { return .invalid(error.issues) }
    }
    guard let data = FileManager.default.contents(atPath: path) else { throw UsageError("cannot read policy \(path)") }
    guard let text = String(data: data, encoding: .utf8) else {
        return .invalid([PolicyIssue(line: nil, path: "", message: "the file is not UTF-8 text")])
    }
    do {
        return .valid(try PolicyDocument.parse(yaml: text))
    } catch {
        return .invalid(error.issues)
    }
}

/// `{"outcome": "invalid", "code": "policy_invalid", "issues": [...]}` on stdout, `FILE:line: …` on stderr.
struct PolicyInvalidReport: Encodable {
    var outcome = "invalid"
    var code = "policy_invalid"
    var file: String
    var issues: [PolicyIssue]

    func emit() {
        printJSON(self)
        let lines = issues.map { issue in "\(file):\(issue.line.map(String.init) ?? "-"): \(issue.path.isEmpty ? issue.message : issue.path + " " + issue.message)" }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}

struct PolicyCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a policy document; every problem is reported with its line (exit 1 when invalid).")

    @Argument(help: "The policy YAML file.")
    var file: String

    struct Summary: Encodable {
        var outcome = "valid"
        var file: String
        var version: Int
        var tier1MinCertification: String
        var providers: Int
        var allowList: Int
        var denyList: Int
        var registration: [String: String]
        var transactions: [String]
    }

    func run() throws {
        let loaded: LoadedPolicy
        do { loaded = try loadPolicy(file) } catch { throw usageFailure("\(error)") }
        switch loaded {
        case .invalid(let issues):
            PolicyInvalidReport(file: file, issues: issues).emit()
            throw ExitCode(1)
        case .valid(let policy):
            printJSON(Summary(file: file, version: policy.version, tier1MinCertification: policy.classification.tier1MinimumCertification.name,
                              providers: policy.providers.count, allowList: policy.allowList.count, denyList: policy.denyList.count,
                              registration: Dictionary(uniqueKeysWithValues: Tier.all.map { ("tier_\($0.level)", policy.registration.outcome(for: $0).rawValue) }),
                              transactions: policy.transactions.keys.map(\.rawValue).sorted()))
        }
    }
}

struct PolicyExplain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain the decision for a transaction: allow, step_up (with the minimum tier and methods) or deny, with reasons.")

    @Option(help: "The policy YAML file (default: the shipped default policy).")
    var policy: String?

    @Option(help: "The credential's tier, 1 (strongest) to 4.")
    var tier: Int

    @Option(help: "The transaction type (login, view_balance, low_value_payment, high_value_transfer, payee_add, beneficiary_change, profile_change, recovery, …).")
    var transaction: String

    @Option(help: "The amount as a decimal string, e.g. 1500.00 (needs --currency).")
    var amount: String?

    @Option(help: "ISO 4217 currency of --amount, e.g. EUR.")
    var currency: String?

    @Option(name: .customLong("auth-age-seconds"), help: "Seconds since the passkey authentication (default 0).")
    var authAgeSeconds: Int = 0

    @Option(help: "Whether the authentication had user verification: true or false (default true).")
    var uv: Bool = true

    struct Explanation: Encodable {
        var transaction: String
        var tier: Int
        var amount: String?
        var currency: String?
        var amountMinorUnits: Int64?
        var authAgeSeconds: Int
        var uv: Bool
        var decision: Decision
    }

    func run() throws {
        let credentialTier: Tier
        let money: Money?
        let loaded: LoadedPolicy
        do {
            guard let parsed = Tier(tier) else { throw UsageError("--tier must be 1–4") }
            credentialTier = parsed
            guard authAgeSeconds >= 0 else { throw UsageError("--auth-age-seconds must not be negative") }
            switch (amount, currency) {
            case (nil, nil): money = nil
            case (let amount?, let currency?):
                do { money = try Money.parse(amount, currency: currency) } catch { throw UsageError("--amount: \(error)") }
            default: throw UsageError("--amount and --currency go together")
            }
            loaded = try loadPolicy(policy)
        } catch {
            throw usageFailure("\(error)")
        }
        guard case .valid(let document) = loaded else {
            if case .invalid(let issues) = loaded { PolicyInvalidReport(file: policy ?? "(default policy)", issues: issues).emit() }
            throw ExitCode(1)
        }
        let decision = transactionDecision(tier: credentialTier, transaction: TransactionType(transaction), amount: money,
                                           authAge: TimeInterval(authAgeSeconds), uv: uv, policy: document)
        printJSON(Explanation(transaction: transaction, tier: credentialTier.level, amount: money?.decimalString, currency: money?.currency,
                              amountMinorUnits: money?.minorUnits, authAgeSeconds: authAgeSeconds, uv: uv, decision: decision))
    }
}

struct PolicyDefault: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "default",
        abstract: "Print the default policy document (YAML, commented for the risk team).")

    @Option(help: "Write it to this file instead of stdout.")
    var output: String?

    func run() throws {
        let data = Data(PolicyDocument.defaultYAML.utf8)
        guard let output else {
            FileHandle.standardOutput.write(data)
            return
        }
        guard FileManager.default.createFile(atPath: output, contents: data) else { throw usageFailure("cannot write \(output)") }
    }
}

/// `claviger classify`: verify a registration, then classify it (tier, reasons) and decide it.
struct Classify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Verify a registration response and classify the credential: tier, reasons and the registration decision.",
        discussion: """
        With --metadata, the BLOB is verified (against --trust-root, default GlobalSign Root CA - R3) and, when it has an \
        entry for the credential's AAGUID, the attestation must chain to that entry's roots; otherwise the shipped roots \
        are used. Exit 0 when the registration verifies and the policy accepts it, 1 when it is invalid or rejected, 2 on usage errors.
        """)

    @OptionGroup var rp: RelyingPartyOptions

    @Option(help: "A FIDO MDS3 BLOB (JWT) to classify against.")
    var metadata: String?

    @Option(name: .customLong("trust-root"), help: "PEM root(s) the BLOB must chain to (default: GlobalSign Root CA - R3).")
    var trustRoot: String?

    @Option(help: "The policy YAML file (default: the shipped default policy).")
    var policy: String?

    @Option(help: "Verify certificates, the BLOB and metadata status at this time (ISO 8601); default now.")
    var at: String?

    @Flag(name: .customLong("allow-sha1"), help: "Accept SHA-1 in attestation (old Windows Hello TPMs).")
    var allowSHA1 = false

    @Argument(help: "The registration response JSON file.")
    var response: String

    struct MetadataFailure: Encodable {
        var outcome = "invalid"
        var code: String
        var message: String
    }

    func run() async throws {
        let challenge: [UInt8]
        let now: Date
        let data: Data
        let loaded: LoadedPolicy
        var blob: [UInt8]?
        var blobRoots: [Certificate]?
        do {
            challenge = try rp.challengeBytes()
            now = try at.map(parseTime) ?? Date()
            data = try readResponse(response)
            loaded = try loadPolicy(policy)
            if let metadata {
                guard let bytes = FileManager.default.contents(atPath: metadata) else { throw UsageError("cannot read metadata \(metadata)") }
                blob = Array(bytes)
            }
            if let trustRoot {
                guard blob != nil else { throw UsageError("--trust-root needs --metadata") }
                guard let pem = FileManager.default.contents(atPath: trustRoot).map({ String(decoding: $0, as: UTF8.self) }) else {
                    throw UsageError("cannot read trust root \(trustRoot)")
                }
                do { blobRoots = try TrustAnchors.certificates(pem: pem) } catch { throw UsageError("\(trustRoot): \(error.message)") }
            }
        } catch {
            throw usageFailure("\(error)")
        }
        guard case .valid(let document) = loaded else {
            if case .invalid(let issues) = loaded { PolicyInvalidReport(file: policy ?? "(default policy)", issues: issues).emit() }
            throw ExitCode(1)
        }
        var catalog: MetadataCatalog?
        if let blob {
            do {
                catalog = try await MetadataBLOBVerifier(trustRoots: blobRoots).verify(blob, at: now).catalog
            } catch {
                printJSON(MetadataFailure(code: error.code.rawValue, message: "metadata BLOB: \(error.message)"))
                throw ExitCode(1)
            }
        }

        let response: RegistrationResponseJSON
        switch decodeResponse(RegistrationResponseJSON.self, from: data) {
        case .failure(let error):
            Report(error: error).print()
            throw ExitCode(1)
        case .success(let decoded):
            response = decoded
        }
        let expectations = RegistrationExpectations(challenge: challenge, userVerification: rp.userVerification, allowedAlgorithms: COSEAlgorithm.allCases)
        var report: Report
        do {
            let assessment = try await RegistrationAssessment.assess(
                response, expecting: expectations, relyingParty: rp.relyingParty, catalog: catalog,
                fallbackAnchors: KnownRoots.attestationAnchors, allowSHA1: allowSHA1, policy: document, now: now)
            let (verified, classification, decision) = (assessment.verified, assessment.classification, assessment.decision)
            let verifiedEntry = assessment.metadataEntry
            report = Report(verified)
            report.tier = classification.tier.level
            report.reasons = classification.reasons
            report.aaguidVerified = classification.aaguidVerified
            report.providerName = classification.providerName
            report.registrationDecision = decision
            report.metadataEntry = verifiedEntry?.description
            report.metadataSerialNumber = catalog?.serialNumber
            report.trustAnchorsFrom = verifiedEntry == nil ? "shipped" : "metadata"
            if !decision.isPermitted { report.outcome = "rejected" }
        } catch {
            report = Report(error: error)
        }
        report.print()
        if report.outcome != "valid" { throw ExitCode(1) }
    }
}
