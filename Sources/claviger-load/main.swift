import ArgumentParser
import AsyncHTTPClient
import ClavigerTesting
import Crypto
import Foundation
import NIOCore
import WebAuthn

/// Load generator: the full passkey sign-in (options + verify, with a fresh ES256 assertion
/// from a software authenticator) against a running `claviger serve`, at a fixed concurrency.
/// Reports sign-ins per second, p50 and p99, beside the machine's raw P-256 verify capacity on
/// all cores measured in the same run.
@main
struct ClavigerLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "claviger-load",
                                                    abstract: "Measure full passkey sign-ins per second against a running claviger serve.")

    @Option(help: "Base URL of the server.") var url = "http://127.0.0.1:8080"
    @Option(help: "Origin the server accepts (client data and Origin header).") var origin = "http://localhost:8080"
    @Option(help: "RP ID.") var rpID = "localhost"
    @Option(help: "Concurrent sign-ins in flight.") var concurrency = 16
    @Option(help: "Seconds to measure (after a warm-up of 2 s).") var seconds = 15.0
    @Option(help: "Sign in by username (allowCredentials) instead of a discoverable credential.") var byUsername = false
    @Option(help: "Label for the report (e.g. sqlite, postgres).") var label = "server"

    func run() async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton,
                              configuration: .init(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)))
        let client = Client(http: http, base: url, origin: origin)
        do {
            let rawRate = rawP256VerifyCapacity()
            var users: [User] = []
            for index in 0..<concurrency { users.append(try await User.register(client: client, rpID: rpID, origin: origin, name: "load-\(UUID().uuidString.prefix(8))-\(index)")) }
            _ = try await measure(users: &users, client: client, seconds: 2)  // warm-up
            let result = try await measure(users: &users, client: client, seconds: seconds)
            let report = Report(label: label, concurrency: concurrency, seconds: result.elapsed, signIns: result.latencies.count, failures: result.failures,
                                signInsPerSecond: Double(result.latencies.count) / result.elapsed,
                                p50Milliseconds: percentile(result.latencies, 0.50) * 1000, p99Milliseconds: percentile(result.latencies, 0.99) * 1000,
                                rawP256VerifiesPerSecondAllCores: rawRate)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
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

    /// Each worker owns one user (counters stay in order) and signs in again and again.
    func measure(users: inout [User], client: Client, seconds: Double) async throws -> (latencies: [Double], failures: Int, elapsed: Double) {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let start = ContinuousClock.now
        let byUsername = self.byUsername
        let outcomes = try await withThrowingTaskGroup(of: (User, [Double], Int).self) { group in
            for user in users {
                group.addTask {
                    var user = user
                    var latencies: [Double] = []
                    var failures = 0
                    while ContinuousClock.now < deadline {
                        let begin = ContinuousClock.now
                        if try await user.signIn(client: client, byUsername: byUsername) {
                            let elapsed = ContinuousClock.now - begin
                            latencies.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                        } else {
                            failures += 1
                        }
                    }
                    return (user, latencies, failures)
                }
            }
            return try await group.reduce(into: [(User, [Double], Int)]()) { $0.append($1) }
        }
        let elapsed = ContinuousClock.now - start
        users = outcomes.map(\.0)
        return (outcomes.flatMap(\.1).sorted(), outcomes.map(\.2).reduce(0, +),
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
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
        let counts = Tally()
        let duration = 3.0
        DispatchQueue.concurrentPerform(iterations: cores) { core in
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

struct Client: Sendable {
    let http: HTTPClient
    let base: String
    let origin: String

    func post(_ path: String, _ body: [UInt8]) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Origin", value: origin)
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http.execute(request, timeout: .seconds(30))
        return (Int(response.status.code), Array(try await response.body.collect(upTo: 1 << 20).readableBytesView))
    }
}

struct Start: Decodable {
    struct Options: Decodable { let challenge: String }
    let ceremonyId: String
    let publicKey: Options
}

struct VerifyBody<Credential: Encodable>: Encodable {
    let ceremonyId: String
    let credential: Credential
}

struct User: Sendable {
    let name: String
    let authenticator: SoftwareAuthenticator
    var credential: StoredCredential
    let userHandle: [UInt8]
    let rpID: String
    let origin: String

    static func register(client: Client, rpID: String, origin: String, name: String) async throws -> User {
        let options = try await client.post("/v1/registration/options", Array(#"{"username":"\#(name)"}"#.utf8))
        guard options.status == 200 else { throw ValidationError("registration options: HTTP \(options.status) \(String(decoding: options.body, as: UTF8.self))") }
        let start = try JSONDecoder().decode(Start.self, from: Data(options.body))
        let handle = ((try JSONSerialization.jsonObject(with: Data(options.body)) as? [String: Any])?["publicKey"] as? [String: Any])
            .flatMap { ($0["user"] as? [String: Any])?["id"] as? String }.flatMap(Base64URL.decode) ?? []
        var authenticator = SoftwareAuthenticator()
        authenticator.transports = ["internal"]
        let made = try authenticator.register(rpID: rpID, origin: origin, challenge: Base64URL.decode(start.publicKey.challenge) ?? [], userHandle: handle)
        let verified = try await client.post("/v1/registration/verify", Array(try JSONEncoder().encode(VerifyBody(ceremonyId: start.ceremonyId, credential: made.response))))
        guard verified.status == 200 else { throw ValidationError("registration: HTTP \(verified.status) \(String(decoding: verified.body, as: UTF8.self))") }
        return User(name: name, authenticator: authenticator, credential: made.credential, userHandle: handle, rpID: rpID, origin: origin)
    }

    /// One full sign-in: options, a fresh assertion, verify. True when the server signed us in.
    mutating func signIn(client: Client, byUsername: Bool) async throws -> Bool {
        let options = try await client.post("/v1/authentication/options", Array((byUsername ? #"{"username":"\#(name)"}"# : "{}").utf8))
        guard options.status == 200 else { return false }
        let start = try JSONDecoder().decode(Start.self, from: Data(options.body))
        let assertion = try authenticator.authenticate(credential: &credential, origin: origin, challenge: Base64URL.decode(start.publicKey.challenge) ?? [],
                                                       userHandle: userHandle)
        let verified = try await client.post("/v1/authentication/verify", Array(try JSONEncoder().encode(VerifyBody(ceremonyId: start.ceremonyId, credential: assertion))))
        return verified.status == 200
    }
}

/// Verifications counted across the measuring threads.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var sum = 0
    func add(_ count: Int) { lock.withLock { sum += count } }
    var total: Int { lock.withLock { sum } }
}
