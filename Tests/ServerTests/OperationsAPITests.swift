import ClavigerTesting
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Testing
import WebAuthn
@testable import ClavigerCore
@testable import Server

/// The parts operations and integrators rely on: the OpenAPI document (kept true here),
/// metrics, health, related origins, and the headers every page carries.
@Suite("Operations API and the OpenAPI document")
struct OperationsAPITests {
    static func openAPI(_ client: TestBank.Client) async throws -> [String: Any] {
        let reply = try await client.request(.get, "/openapi.json")
        #expect(reply.status == .ok)
        return try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
    }

    @Test func openapi_documents_every_route_and_nothing_else() async throws {
        let bank = try await TestBank.make(.sqlite)
        let router = ClavigerServer.router(service: bank.service, configuration: ServerConfiguration(), metrics: bank.metrics, logger: Logger(label: "test"))
        // GET /openapi.json is a file the server serves from its pages, not a route.
        let served = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description.replacingOccurrences(of: ":id", with: "{id}"))" } + ["GET /openapi.json"])
        try await bank.run { client in
            let document = try await Self.openAPI(client)
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, operations in
                operations.keys.filter { ["get", "post", "patch", "delete", "put"].contains($0) }.map { "\($0.uppercased()) \(path)" }
            })
            #expect(documented == served, "documented but not served: \(documented.subtracting(served)); served but not documented: \(served.subtracting(documented))")
        }
    }

    @Test func responses_match_their_documented_schemas() async throws {
        let bank = try await TestBank.make(.sqlite)
        try await bank.run { client in
            let check = SchemaCheck(document: try await Self.openAPI(client))
            func expectMatches(_ reply: TestBank.Client.Reply, _ schema: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
                let value = try JSONSerialization.jsonObject(with: Data(reply.body))
                let problems = check.problems(value, against: check.schema(named: schema))
                #expect(problems.isEmpty, "\(schema): \(problems)", sourceLocation: sourceLocation)
            }
            var alice = Customer("alice")
            let options = try await client.post("/v1/registration/options", json: ["username": "alice", "displayName": "Alice"])
            try expectMatches(options, "RegistrationOptionsResponse")
            try expectMatches(try await alice.signUp(client), "RegistrationVerifyResponse")
            try expectMatches(try await client.post("/v1/authentication/options", json: ["username": "alice"]), "AuthenticationOptionsResponse")
            try expectMatches(try await client.post("/v1/authentication/options", json: [:]), "AuthenticationOptionsResponse")
            try expectMatches(try await alice.signIn(client), "AuthenticationVerifyResponse")
            try expectMatches(try await client.request(.get, "/v1/session", token: alice.token), "SessionInfo")
            try expectMatches(try await client.request(.get, "/v1/credentials", token: alice.token), "CredentialList")
            let id = try #require(alice.credential?.idBase64URL)
            try expectMatches(try await client.request(.patch, "/v1/credentials/\(id)", body: Array(#"{"name":"Laptop"}"#.utf8), token: alice.token), "Credential")
            try expectMatches(try await client.request(.delete, "/v1/credentials/\(id)", token: alice.token), "Problem")
            try expectMatches(try await client.request(.get, "/v1/session"), "Problem")
            try expectMatches(try await client.request(.get, "/.well-known/webauthn"), "WellKnown")
            try expectMatches(try await client.request(.get, "/healthz"), "Health")
            try expectMatches(try await client.request(.get, "/readyz"), "Health")
            // The checker itself refuses what the schema refuses.
            let wrong = check.problems(["status": "ok", "extra": 1], against: check.schema(named: "Health"))
            #expect(wrong == ["$.extra: not in the schema"])
        }
    }

    @Test func metrics_count_ceremonies_by_outcome_code_and_tier() async throws {
        let bank = try await TestBank.make(.sqlite)
        try await bank.run { client in
            var alice = Customer("alice")
            try await alice.signUp(client)
            try await alice.signIn(client)
            _ = try await client.post("/v1/authentication/verify", json: ["ceremonyId": "unknown", "credential": ["id": "AA", "rawId": "AA", "type": "public-key",
                                                                                                                      "response": ["clientDataJSON": "", "authenticatorData": "", "signature": ""]]])
            let metrics = try await client.request(.get, "/metrics")
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = metrics.text
            #expect(text.contains(#"claviger_ceremonies_total{ceremony="registration",step="verify",outcome="success",code="ok",tier="4"} 1"#))
            #expect(text.contains(#"claviger_ceremonies_total{ceremony="authentication",step="verify",outcome="success",code="ok",tier="4"} 1"#))
            #expect(text.contains(#"claviger_ceremonies_total{ceremony="authentication",step="verify",outcome="failure",code="ceremony_unknown",tier="none"} 1"#))
            #expect(text.contains(#"claviger_ceremony_duration_seconds_bucket{ceremony="authentication",step="verify",le="#))
        }
    }

    /// The session cookie is Secure everywhere but plain-HTTP localhost (where browsers would drop it).
    @Test func session_cookie_is_secure_except_on_plain_http_localhost() {
        let session = NewSession(token: "t", record: SessionRecord(tokenHash: [], userID: [], credentialID: [], tier: .four, userVerified: true,
                                                                   createdAt: Date(), lastSeenAt: Date(), expiresAt: Date().addingTimeInterval(60)))
        func cookie(origin: String?, authority: String) -> String {
            var fields = HTTPFields()
            if let origin { fields[.origin] = origin }
            let head = HTTPRequest(method: .post, scheme: "http", authority: authority, path: "/v1/authentication/verify", headerFields: fields)
            return SessionCookie.setCookie(session, request: Request(head: head, body: .init(buffer: ByteBuffer())), now: Date())
        }
        for (origin, authority) in [("https://bank.example", "bank.example"), ("http://bank.example", "bank.example"), ("https://localhost:8443", "localhost")] {
            #expect(cookie(origin: origin, authority: authority).hasSuffix("; Secure"), "\(origin)")
        }
        #expect(cookie(origin: nil, authority: "bank.example").hasSuffix("; Secure"))
        #expect(!cookie(origin: "http://localhost:8080", authority: "localhost:8080").contains("Secure"))
        #expect(!cookie(origin: nil, authority: "127.0.0.1:8080").contains("Secure"))
        #expect(cookie(origin: "https://bank.example", authority: "bank.example").contains("HttpOnly; SameSite=Strict"))
    }

    @Test func pages_carry_the_security_headers_and_the_sdk_is_served() async throws {
        let bank = try await TestBank.make(.sqlite)
        try await bank.run { client in
            let page = try await client.request(.get, "/")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            #expect(page.text.contains("/sdk/claviger.js") || page.text.contains("/app.js"))
            let sdk = try await client.request(.get, "/sdk/claviger.js")
            #expect(sdk.status == .ok)
            #expect(sdk.text.contains("export class ClavigerClient"))
            #expect(try await client.request(.head, "/healthz").status == .ok)
            let wellKnown = try await client.request(.get, "/.well-known/webauthn")
            #expect(wellKnown.json["origins"] as? [String] == [TestBank.origin])
        }
    }
}
