import ArgumentParser
import Crypto
import Foundation
import NIOCore
import NIOPosix

/// Load generator: the full passkey sign-in (options + verify, with a fresh ES256 assertion
/// from a software authenticator) against a running `claviger serve`, at a fixed concurrency.
/// Reports sign-ins per second, p50 and p99, beside the machine's raw P-256 verify capacity on
/// all cores measured in the same run.
@main
struct ClavigerLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "claviger-load",
                                                    abstract: "Measure full passkey sign-ins per second against a running claviger serve.")

    @Option(help: "Base URL of the server (plain HTTP).") var url = "http://127.0.0.1:8080"
    @Option(help: "Origin the server accepts (client data and Origin header).") var origin = "http://localhost:8080"
    @Option(help: "RP ID.") var rpID = "localhost"
    @Option(help: "Concurrent sign-ins in flight (one connection each).") var concurrency = 16
    @Option(help: "Seconds to measure (after a warm-up of 2 s).") var seconds = 15.0
    @Option(help: "Sign in by username (allowCredentials) instead of a discoverable credential.") var byUsername = false
    @Option(help: "Label for the report (e.g. sqlite, postgres).") var label = "server"

    func validate() throws {
        guard (1...10_000).contains(concurrency) else { throw ValidationError("--concurrency must be 1…10000") }
        guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be in (0, 3600]") }
        guard let parsed = URLComponents(string: url), parsed.scheme == "http", parsed.host != nil else {
            throw ValidationError("--url must be an http:// URL")
        }
    }

    func run() async throws {
        let parsed = URLComponents(string: url)
        let host = parsed?.host ?? "127.0.0.1"
        let port = parsed?.port ?? 80
        let rawRate = rawP256VerifyCapacity()
        var loops: [SignInLoop] = []
        let group = MultiThreadedEventLoopGroup.singleton
        for index in 0..<concurrency {
            let connection = try await Connection.open(host: host, port: port, origin: origin, on: group.next())
            loops.append(try await SignInLoop.register(connection: connection, rpID: rpID, origin: origin,
                                                       name: "load-\(UUID().uuidString.prefix(8))-\(index)", byUsername: byUsername))
        }
        _ = try await measure(loops, seconds: 2)  // warm-up
        let result = try await measure(loops, seconds: seconds)
        if let reason = result.firstFailure { FileHandle.standardError.write(Data("first failure: \(reason)\n".utf8)) }
        let report = Report(label: label, concurrency: concurrency, seconds: result.elapsed, signIns: result.latencies.count, failures: result.failures,
                            signInsPerSecond: Double(result.latencies.count) / result.elapsed,
                            p50Milliseconds: percentile(result.latencies, 0.50) * 1000, p99Milliseconds: percentile(result.latencies, 0.99) * 1000,
                            rawP256VerifiesPerSecondAllCores: rawRate)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
        for loop in loops { await loop.connection.close() }
    }

    struct Report: Encodable {
        let label: String
        let concurrency: Int
        let seconds: Double
        let signIns: Int
        let failures: Int
        let signInsPerSecond: Double
        let p50Milliseconds: Double
        let p99Milliseconds: Double
        let rawP256VerifiesPerSecondAllCores: Double
        var fractionOfRawCapacity: Double { signInsPerSecond / rawP256VerifiesPerSecondAllCores }

        enum CodingKeys: String, CodingKey {
            case label, concurrency, seconds, signIns, failures, signInsPerSecond, p50Milliseconds, p99Milliseconds, rawP256VerifiesPerSecondAllCores, fractionOfRawCapacity
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(label, forKey: .label)
            try c.encode(concurrency, forKey: .concurrency)
            try c.encode(seconds, forKey: .seconds)
            try c.encode(signIns, forKey: .signIns)
            try c.encode(failures, forKey: .failures)
            try c.encode(signInsPerSecond.rounded(), forKey: .signInsPerSecond)
            try c.encode((p50Milliseconds * 100).rounded() / 100, forKey: .p50Milliseconds)
            try c.encode((p99Milliseconds * 100).rounded() / 100, forKey: .p99Milliseconds)
            try c.encode(rawP256VerifiesPerSecondAllCores.rounded(), forKey: .rawP256VerifiesPerSecondAllCores)
            try c.encode((fractionOfRawCapacity * 1000).rounded() / 1000, forKey: .fractionOfRawCapacity)
        }
    }

    /// Every loop signs in until the same deadline.
    func measure(_ loops: [SignInLoop], seconds: Double) async throws -> (latencies: [Double], failures: Int, firstFailure: String?, elapsed: Double) {
        let start = NIODeadline.now()
        let deadline = start + .milliseconds(Int64(seconds * 1000))
        var tallies: [SignInLoop.Tally] = []
        for future in loops.map({ $0.run(until: deadline) }) { tallies.append(try await future.get()) }
        let elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1e9
        return (tallies.flatMap(\.latencies).sorted(), tallies.map(\.failures).reduce(0, +), tallies.lazy.compactMap(\.firstFailure).first, elapsed)
    }

    func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
    }

    /// Raw P-256 verifications per second on every core at once (pre-parsed key, signature, digest).
    func rawP256VerifyCapacity() -> Double {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let key = P256.Signing.PrivateKey()
        let digest = SHA256.hash(data: Array("claviger".utf8))
        guard let signature = try? key.signature(for: digest) else { return 0 }
        let publicKey = key.publicKey
        let counts = Counter()
        let duration = 3.0
        DispatchQueue.concurrentPerform(iterations: cores) { _ in
            let end = Date().addingTimeInterval(duration)
            var done = 0
            while Date() < end {
                for _ in 0..<100 where publicKey.isValidSignature(signature, for: digest) { done += 1 }
            }
            counts.add(done)
        }
        return Double(counts.total) / duration
    }
}

/// Verifications counted across the measuring threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var sum = 0
    func add(_ count: Int) { lock.withLock { sum += count } }
    var total: Int { lock.withLock { sum } }
}
