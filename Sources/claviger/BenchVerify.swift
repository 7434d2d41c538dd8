import ArgumentParser
import Crypto
import Foundation
import WebAuthn

/// `claviger bench verify`: the benchmark contract of ../shared/bench/FORMAT.md §7 — untimed
/// input preparation, a 1,000-case untimed warm-up, then every case timed on one thread —
/// plus the raw P-256 verify rate measured in the same run as the ceiling to compare with.
struct BenchVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a webauthn-bench-vectors/1 file (assertions or registrations) and print one JSON line.")

    @Argument(help: "assertions.jsonl or registrations.jsonl")
    var file: String

    @Option(name: .customLong("repeat"), help: "Run the timed loop this many times and report the median run.")
    var repetitions: Int = 1

    @Option(help: "Cases verified untimed first.")
    var warmup: Int = 1000

    /// One line of the file, decoded untimed.
    struct Line: Decodable {
        let id: Int
        let rpId: String
        let origin: String
        let credentialId: String
        let publicKeyCose: String
        let alg: Int64
        let challenge: String
        let clientDataJSON: String
        let authenticatorData: String?
        let signature: String?
        let userHandle: String?
        let attestationObject: String?
        let previousSignCount: UInt32?
        let expectedSignCount: UInt32
        let valid: Bool
    }

    /// A case as an RP server holds it when the request arrives (§7 "untimed setup").
    enum Case {
        case authentication(AuthenticationResponseJSON, AuthenticationExpectations, CredentialRecord)
        case registration(RegistrationResponseJSON, RegistrationExpectations)
    }

    struct Result: Encodable {
        let peer = "claviger"
        let kind: String
        let file: String
        let cases: Int
        let mismatches: Int
        let verifications_per_s: Double
        let p50_us: Double
        let p99_us: Double
        let raw_p256_verify_per_s: Double
        let ratio_to_raw_p256: Double
        let runs: Int
    }

    func run() async throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw usageFailure("cannot read \(file)") }
        let decoder = JSONDecoder()
        var lines: [Line] = []
        for raw in text.split(separator: "\n") where !raw.isEmpty {
            guard let line = try? decoder.decode(Line.self, from: Data(raw.utf8)) else { throw usageFailure("\(file): a line is not webauthn-bench-vectors/1") }
            lines.append(line)
        }
        guard let first = lines.first else { throw usageFailure("\(file) is empty") }
        let relyingParty = RelyingParty(id: first.rpId, origins: [first.origin])
        let cases = try lines.map(prepare)
        let isRegistration = first.attestationObject != nil

        for index in cases.indices.prefix(warmup) { _ = await verify(cases[index], relyingParty: relyingParty) }

        // Each run measures the raw P-256 ceiling right before the timed loop, so that both
        // figures of a run see the same machine load; the median run is reported.
        let rawInputs = rawP256Inputs(lines)
        var runs: [(rate: Double, raw: Double, latencies: [UInt64], mismatches: Int)] = []
        for _ in 0..<max(1, repetitions) {
            let raw = rawP256VerifyRate(rawInputs)
            var latencies = [UInt64](repeating: 0, count: cases.count)
            var outcomes = [Outcome?](repeating: nil, count: cases.count)
            let start = monotonicNanoseconds()
            for index in cases.indices {
                let t0 = monotonicNanoseconds()
                outcomes[index] = await verify(cases[index], relyingParty: relyingParty)
                latencies[index] = monotonicNanoseconds() - t0
            }
            let elapsed = monotonicNanoseconds() - start
            let mismatches = zip(lines, outcomes).filter { line, outcome in !Self.matches(line, outcome) }.count
            runs.append((Double(cases.count) / (Double(elapsed) / 1e9), raw, latencies.sorted(), mismatches))
        }
        let median = runs.sorted { $0.rate / $0.raw < $1.rate / $1.raw }[runs.count / 2]
        func percentile(_ q: Double) -> Double {
            Double(median.latencies[min(median.latencies.count - 1, Int(q * Double(median.latencies.count)))]) / 1000
        }
        let result = Result(
            kind: isRegistration ? "registration" : "authentication", file: file, cases: cases.count, mismatches: median.mismatches,
            verifications_per_s: (median.rate * 10).rounded() / 10, p50_us: (percentile(0.5) * 10).rounded() / 10,
            p99_us: (percentile(0.99) * 10).rounded() / 10, raw_p256_verify_per_s: (median.raw * 10).rounded() / 10,
            ratio_to_raw_p256: (median.rate / median.raw * 1000).rounded() / 1000, runs: runs.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        FileHandle.standardOutput.write(try encoder.encode(result) + Data("\n".utf8))
    }

    func prepare(_ line: Line) throws -> Case {
        guard let challenge = Base64URL.decode(line.challenge), let key = Base64URL.decode(line.publicKeyCose),
              let credentialID = Base64URL.decode(line.credentialId) else { throw usageFailure("case \(line.id) has invalid base64url") }
        if let attestationObject = line.attestationObject {
            let response = RegistrationResponseJSON(
                id: line.credentialId, rawId: line.credentialId,
                response: AuthenticatorAttestationResponseJSON(clientDataJSON: line.clientDataJSON, attestationObject: attestationObject))
            return .registration(response, RegistrationExpectations(challenge: challenge, userVerification: .required, allowedAlgorithms: [.es256, .edDSA, .rs256]))
        }
        guard let authenticatorData = line.authenticatorData, let signature = line.signature else { throw usageFailure("case \(line.id) is incomplete") }
        let response = AuthenticationResponseJSON(
            id: line.credentialId, rawId: line.credentialId,
            response: AuthenticatorAssertionResponseJSON(clientDataJSON: line.clientDataJSON, authenticatorData: authenticatorData,
                                                         signature: signature, userHandle: line.userHandle))
        let record = CredentialRecord(id: credentialID, publicKey: key, signCount: line.previousSignCount ?? 0)
        return .authentication(response, AuthenticationExpectations(challenge: challenge, userVerification: .required), record)
    }

    enum Outcome {
        case authenticated(UInt32)
        case registered(credentialID: [UInt8], publicKey: [UInt8], signCount: UInt32)
        case rejected
    }

    /// The timed work: everything from the decoded JSON to accept/reject.
    func verify(_ testCase: Case, relyingParty: RelyingParty) async -> Outcome {
        switch testCase {
        case .authentication(let response, let expectations, let record):
            guard let verified = try? AuthenticationCeremony.verify(response, expecting: expectations, credential: record, relyingParty: relyingParty) else { return .rejected }
            return .authenticated(verified.newSignCount)
        case .registration(let response, let expectations):
            guard let verified = try? await RegistrationCeremony.verify(response, expecting: expectations, relyingParty: relyingParty, now: Date()) else { return .rejected }
            return .registered(credentialID: verified.credentialID, publicKey: verified.publicKey.encoded, signCount: verified.signCount)
        }
    }

    static func matches(_ line: Line, _ outcome: Outcome?) -> Bool {
        switch outcome {
        case .authenticated(let count): return line.valid && count == line.expectedSignCount
        case .registered(let id, let key, let count):
            return line.valid && Base64URL.encode(id) == line.credentialId && Base64URL.encode(key) == line.publicKeyCose && count == line.expectedSignCount
        case .rejected: return !line.valid
        case nil: return false
        }
    }

    typealias RawInput = (P256.Signing.PublicKey, P256.Signing.ECDSASignature, SHA256.Digest)

    /// The ceiling's inputs: pre-parsed keys, signatures and digests from the file's own ES256 data.
    func rawP256Inputs(_ lines: [Line]) -> [RawInput] {
        var inputs: [RawInput] = []
        for line in lines where line.alg == COSEAlgorithm.es256.rawValue {
            guard let coseBytes = Base64URL.decode(line.publicKeyCose), let cose = try? COSEKey(cose: coseBytes), let point = cose.x963Representation,
                  let key = try? P256.Signing.PublicKey(x963Representation: point) else { continue }
            let signedBytes: [UInt8]
            let signatureBytes: [UInt8]
            if let authData = line.authenticatorData.flatMap(Base64URL.decode), let clientData = line.clientDataJSON.nonEmptyBase64URL,
               let signature = line.signature.flatMap(Base64URL.decode) {
                signedBytes = authData + Array(SHA256.hash(data: clientData))
                signatureBytes = signature
            } else {
                continue
            }
            guard let signature = try? P256.Signing.ECDSASignature(derRepresentation: signatureBytes) else { continue }
            inputs.append((key, signature, SHA256.hash(data: signedBytes)))
        }
        // Registrations carry no assertion signature: measure on a generated key instead.
        if inputs.isEmpty {
            let key = P256.Signing.PrivateKey()
            for index in 0..<2000 {
                let digest = SHA256.hash(data: Array("claviger raw verify \(index)".utf8))
                if let signature = try? key.signature(for: digest) { inputs.append((key.publicKey, signature, digest)) }
            }
        }
        return inputs
    }

    /// The ceiling: P-256 ECDSA verifications per second with no parsing and no message hashing.
    func rawP256VerifyRate(_ inputs: [RawInput]) -> Double {
        guard !inputs.isEmpty else { return 0 }
        // Counted so the optimizer cannot drop the verifications.
        var valid = 0
        let rounds = max(1, 20_000 / inputs.count)
        let start = monotonicNanoseconds()
        for _ in 0..<rounds {
            for (key, signature, digest) in inputs where key.isValidSignature(signature, for: digest) { valid += 1 }
        }
        let elapsed = monotonicNanoseconds() - start
        return valid > 0 ? Double(rounds * inputs.count) / (Double(elapsed) / 1e9) : 0
    }
}

private extension String {
    var nonEmptyBase64URL: [UInt8]? { Base64URL.decode(self) }
}

func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}
