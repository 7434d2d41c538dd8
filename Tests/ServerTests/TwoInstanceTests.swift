import AsyncHTTPClient
import ClavigerTesting
import Foundation
import NIOCore
import NIOHTTP1
import Storage
import Testing
import WebAuthn

/// Two `claviger serve` processes on one PostgreSQL database, as behind a load balancer.
@Suite("Two instances on one PostgreSQL", .serialized)
struct TwoInstanceTests {
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("claviger")

    @Test func postgres_is_there_when_the_test_script_requires_it() {
        #expect(!Engine.postgresRequired || Engine.postgresURL != nil, "CLAVIGER_REQUIRE_POSTGRES=1 but CLAVIGER_TEST_POSTGRES_URL is not set")
    }

    @Test(.enabled(if: Engine.postgresURL != nil))
    func register_on_one_sign_in_on_the_other_and_a_raced_assertion_succeeds_once() async throws {
        guard case .postgres(let url) = try await Engine.postgres.freshDatabase() else { throw TestSetupError("not postgres") }
        let ports = [Self.freePort(), Self.freePort()]
        let origin = "http://localhost:\(ports[0])"
        let servers = try ports.map { port in try Self.serve(database: url, port: port, origin: origin) }
        defer { servers.forEach { $0.terminate() } }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let a = Remote(http: http, base: "http://127.0.0.1:\(ports[0])", origin: origin)
            let b = Remote(http: http, base: "http://127.0.0.1:\(ports[1])", origin: origin)
            try await a.waitUntilReady()
            try await b.waitUntilReady()

            // Register on A.
            let options = try await a.post("/v1/registration/options", ["username": "alice", "displayName": "Alice"])
            let start = try JSONDecoder().decode(CeremonyStart.self, from: Data(options.body))
            let userHandle = try #require(((try JSONSerialization.jsonObject(with: Data(options.body)) as? [String: Any])?["publicKey"] as? [String: Any])
                .flatMap { ($0["user"] as? [String: Any])?["id"] as? String }.flatMap(Base64URL.decode))
            let authenticator = SoftwareAuthenticator()
            var made = try authenticator.register(rpID: "localhost", origin: origin, challenge: start.challenge, userHandle: userHandle)
            let registered = try await a.post("/v1/registration/verify", VerifyBody(ceremonyId: start.ceremonyId, credential: made.response))
            #expect(registered.status == 200)

            // Sign in on B with the ceremony B started.
            let signInStart = try JSONDecoder().decode(CeremonyStart.self, from: Data(try await b.post("/v1/authentication/options", ["username": "alice"]).body))
            let assertion = try authenticator.authenticate(credential: &made.credential, origin: origin, challenge: signInStart.challenge, userHandle: userHandle)
            #expect(try await b.post("/v1/authentication/verify", VerifyBody(ceremonyId: signInStart.ceremonyId, credential: assertion)).status == 200)

            // A ceremony started on A, its assertion sent to A and B at the same moment, ten times over.
            for _ in 0..<10 {
                let raceStart = try JSONDecoder().decode(CeremonyStart.self, from: Data(try await a.post("/v1/authentication/options", [String: String]()).body))
                let raced = try authenticator.authenticate(credential: &made.credential, origin: origin, challenge: raceStart.challenge, userHandle: userHandle)
                let body = VerifyBody(ceremonyId: raceStart.ceremonyId, credential: raced)
                async let first = a.post("/v1/authentication/verify", body)
                async let second = b.post("/v1/authentication/verify", body)
                let statuses = try await [first.status, second.status].sorted()
                #expect(statuses == [200, 401])
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    struct Remote {
        let http: HTTPClient
        let base: String
        let origin: String

        func post(_ path: String, _ object: some Encodable) async throws -> (status: Int, body: [UInt8]) {
            var request = HTTPClientRequest(url: base + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Origin", value: origin)
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(object)))
            let response = try await http.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), Array(body.readableBytesView))
        }

        func waitUntilReady() async throws {
            for _ in 0..<200 {
                if let response = try? await http.execute(HTTPClientRequest(url: base + "/readyz"), timeout: .seconds(2)), response.status == .ok { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw TestSetupError("\(base) did not become ready")
        }
    }

    static func serve(database: String, port: Int, origin: String) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--database", database, "--port", String(port), "--origin", origin, "--log-level", "warning"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func freePort() -> Int {
        // Binding port 0 picks a free port; the server takes it a moment later.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
