import ClavigerCore
import ClavigerTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Server
import Storage
import TrustPolicy
import WebAuthn

/// A clock the tests move by hand (idle timeouts, expired challenges).
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date()
    var now: Date { lock.withLock { current } }
    func advance(by seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

/// A Claviger server on a fresh database of one engine, driven in-process through Hummingbird's
/// test client, with software authenticators standing in for the browser.
struct TestBank {
    static let rpID = "localhost"
    static let origin = "http://localhost:8080"

    let service: PasskeyService
    let store: SQLStore
    let clock: TestClock
    let metrics: CeremonyMetrics
    let engine: StorageEngine

    static func make(_ kind: Engine, policy: PolicyDocument? = nil, edit: (inout ClavigerSettings) -> Void = { _ in }) async throws -> TestBank {
        let engine = try await StorageEngine.open(try await kind.freshDatabase(), logger: Logger(label: "test"))
        try await engine.store.migrate()
        var settings = ClavigerSettings(relyingParty: RelyingParty(id: rpID, origins: [origin]), rpName: "Claviger Bank",
                                        policy: try policy ?? PolicyDocument.defaultPolicy())
        edit(&settings)
        let clock = TestClock()
        return TestBank(service: try await PasskeyService.start(settings: settings, store: engine.store, now: { clock.now }), store: engine.store,
                        clock: clock, metrics: CeremonyMetrics(), engine: engine)
    }

    /// Runs `body` against the router (no sockets), then closes the database.
    func run(_ body: @Sendable (Client) async throws -> Void) async throws {
        let app = ClavigerServer.application(service: service, configuration: ServerConfiguration(), metrics: metrics,
                                             logger: Logger(label: "test"))
        do {
            try await app.test(.router) { client in try await body(Client(client: client)) }
        } catch {
            await engine.shutdown()
            throw error
        }
        await engine.shutdown()
    }

    /// A thin JSON client: requests carry the bank's Origin unless told otherwise.
    struct Client: Sendable {
        let client: any TestClientProtocol

        struct Reply: Sendable {
            let status: HTTPResponse.Status
            let headers: HTTPFields
            let body: [UInt8]

            var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
            var code: String? { json["code"] as? String }
            var text: String { String(decoding: body, as: UTF8.self) }
            func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: Data(body)) }
            /// The session token from Set-Cookie.
            var cookieToken: String? {
                guard let cookie = headers[.setCookie], cookie.hasPrefix("claviger_session=") else { return nil }
                return cookie.dropFirst("claviger_session=".count).split(separator: ";").first.map(String.init)
            }
        }

        func request(_ method: HTTPRequest.Method, _ path: String, body: [UInt8]? = nil, token: String? = nil,
                     origin: String? = TestBank.origin, cookie: Bool = false, contentType: String = "application/json") async throws -> Reply {
            var headers: HTTPFields = [:]
            if body != nil { headers[.contentType] = contentType }
            if let origin { headers[.origin] = origin }
            if let token {
                if cookie { headers[.cookie] = "claviger_session=\(token)" } else { headers[.authorization] = "Bearer \(token)" }
            }
            return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) }) { response in
                Reply(status: response.status, headers: response.headers, body: Array(response.body.readableBytesView))
            }
        }

        func post(_ path: String, _ object: some Encodable, token: String? = nil, origin: String? = TestBank.origin) async throws -> Reply {
            try await request(.post, path, body: Array(try JSONEncoder().encode(object)), token: token, origin: origin)
        }

        func post(_ path: String, json: [String: Any], token: String? = nil, origin: String? = TestBank.origin) async throws -> Reply {
            try await request(.post, path, body: Array(try JSONSerialization.data(withJSONObject: json)), token: token, origin: origin)
        }
    }
}

struct CeremonyStart: Decodable {
    let ceremonyId: String
    let challenge: [UInt8]

    enum CodingKeys: String, CodingKey { case ceremonyId, publicKey }
    enum KeyKeys: String, CodingKey { case challenge }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ceremonyId = try container.decode(String.self, forKey: .ceremonyId)
        let key = try container.nestedContainer(keyedBy: KeyKeys.self, forKey: .publicKey)
        challenge = Base64URL.decode(try key.decode(String.self, forKey: .challenge)) ?? []
    }
}

struct VerifyBody<Credential: Encodable & Sendable>: Encodable, Sendable {
    let ceremonyId: String
    let credential: Credential
}

/// A customer with one software authenticator: the steps the browser SDK takes.
struct Customer {
    var username: String
    var authenticator: SoftwareAuthenticator
    var credential: ClavigerTesting.StoredCredential?
    var userHandle: [UInt8]?
    var token: String?

    init(_ username: String, authenticator: SoftwareAuthenticator = .platformPasskey()) {
        self.username = username
        self.authenticator = authenticator
    }

    /// Sign up: options, create, verify. Returns the verify reply.
    @discardableResult
    mutating func signUp(_ client: TestBank.Client, origin: String = TestBank.origin) async throws -> TestBank.Client.Reply {
        let options = try await client.post("/v1/registration/options", json: ["username": username, "displayName": username.capitalized])
        let start = try options.decode(CeremonyStart.self)
        let userID = (options.json["publicKey"] as? [String: Any]).flatMap { ($0["user"] as? [String: Any])?["id"] as? String }.flatMap(Base64URL.decode)
        let made = try authenticator.register(rpID: TestBank.rpID, origin: origin, challenge: start.challenge, userHandle: userID)
        let reply = try await client.post("/v1/registration/verify", VerifyBody(ceremonyId: start.ceremonyId, credential: made.response))
        if reply.status == .ok {
            credential = made.credential
            userHandle = userID
            token = reply.cookieToken
        }
        return reply
    }

    /// Sign in by username (or discoverable when `byUsername` is false).
    @discardableResult
    mutating func signIn(_ client: TestBank.Client, byUsername: Bool = true, origin: String = TestBank.origin) async throws -> TestBank.Client.Reply {
        let start = try await startSignIn(client, byUsername: byUsername)
        let response = try assertion(challenge: start.challenge, origin: origin)
        let reply = try await client.post("/v1/authentication/verify", VerifyBody(ceremonyId: start.ceremonyId, credential: response))
        if reply.status == .ok { token = reply.cookieToken }
        return reply
    }

    func startSignIn(_ client: TestBank.Client, byUsername: Bool = true) async throws -> CeremonyStart {
        let options = try await client.post("/v1/authentication/options", json: byUsername ? ["username": username] : [:])
        return try options.decode(CeremonyStart.self)
    }

    /// An assertion over `challenge` (advances the authenticator's counter).
    mutating func assertion(challenge: [UInt8], origin: String = TestBank.origin, tampering: Tampering = .none) throws -> AuthenticationResponseJSON {
        guard var stored = credential else { throw TestSetupError("\(username) has no passkey") }
        let response = try authenticator.authenticate(credential: &stored, origin: origin, challenge: challenge, userHandle: userHandle, tampering: tampering)
        credential = stored
        return response
    }
}

extension SoftwareAuthenticator {
    /// A device-bound platform passkey (none attestation, internal transport).
    static func platformPasskey(aaguid: AAGUID = SoftwareAuthenticator.testAAGUID) -> SoftwareAuthenticator {
        var authenticator = SoftwareAuthenticator(aaguid: aaguid)
        authenticator.transports = ["internal", "hybrid"]
        authenticator.authenticatorAttachment = "platform"
        return authenticator
    }
}
