import ClavigerCore
import ClavigerTesting
import FIDOMetadata
import Foundation
import Testing
import TrustPolicy
import WebAuthn
@testable import Server

/// The HTTP API on each engine: the happy paths a bank's customer walks, and every refusal
/// with the code it is refused with.
@Suite("Passkey API")
struct PasskeyAPITests {
    @Test(arguments: Engine.available)
    func sign_up_creates_the_account_and_signs_in(engine: Engine) async throws {
        let bank = try await TestBank.make(engine)
        try await bank.run { client in
            var alice = Customer("alice")
            let reply = try await alice.signUp(client)
            #expect(reply.status == .ok)
            let body = reply.json
            #expect(body["tier"] as? Int == 4)
            #expect((body["decision"] as? [String: Any])?["outcome"] as? String == "accept_with_marking")
            #expect(body["aaguidVerified"] as? Bool == false)
            #expect(body["backupEligible"] as? Bool == false)
            #expect((body["attestation"] as? [String: Any])?["format"] as? String == "none")
            #expect((body["reasons"] as? [[String: Any]])?.isEmpty == false)
            let cookie = try #require(reply.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("Secure"))
            let session = try await client.request(.get, "/v1/session", token: alice.token)
            #expect(session.status == .ok)
            #expect(session.json["username"] as? String == "alice")
            #expect(session.json["idleTimeoutSeconds"] as? Int == 300)
        }
    }

    @Test(arguments: Engine.available)
    func sign_in_by_username_and_by_discoverable_credential(engine: Engine) async throws {
        let bank = try await TestBank.make(engine)
        try await bank.run { client in
            var alice = Customer("alice")
            try await alice.signUp(client)
            let byName = try await alice.signIn(client)
            #expect(byName.status == .ok)
            let session = try #require(byName.json["session"] as? [String: Any])
            #expect(session["idleTimeoutSeconds"] as? Int == 300)
            #expect(session["token"] as? String == byName.cookieToken)
            let discoverable = try await alice.signIn(client, byUsername: false)
            #expect(discoverable.status == .ok)
            // The cookie works like the bearer token.
            #expect(try await client.request(.get, "/v1/session", token: alice.token, cookie: true).status == .ok)
            let list = try await client.request(.get, "/v1/credentials", token: alice.token)
            let credentials = try #require(list.json["credentials"] as? [[String: Any]])
            #expect(credentials.count == 1)
            #expect(credentials.first?["signCount"] as? Int == 2)
        }
    }

    @Test(arguments: Engine.available)
    func adding_a_passkey_to_an_existing_account_needs_its_session(engine: Engine) async throws {
        let bank = try await TestBank.make(engine)
        try await bank.run { client in
            var alice = Customer("alice")
            try await alice.signUp(client)
            var mallory = Customer("mallory")
            try await mallory.signUp(client)
            // No session: the username is taken (also written in fullwidth letters: NFKC).
            let anonymous = try await client.post("/v1/registration/options", json: ["username": "alice"])
            #expect(anonymous.status == .conflict)
            #expect(anonymous.code == "username_taken")
            #expect(try await client.post("/v1/registration/options", json: ["username": "ａｌｉｃｅ"]).code == "username_taken")
            // Another account's session.
            let foreign = try await client.post("/v1/registration/options", json: ["username": "alice"], token: mallory.token)
            #expect(foreign.status == .forbidden)
            #expect(foreign.code == "ceremony_of_another_user")
            // Alice's own session: a second passkey, with her first one excluded.
            let options = try await client.post("/v1/registration/options", json: [:], token: alice.token)
            #expect(options.status == .ok)
            let excluded = (options.json["publicKey"] as? [String: Any])?["excludeCredentials"] as? [[String: Any]]
            #expect(excluded?.first?["id"] as? String == alice.credential?.idBase64URL)
            let start = try options.decode(CeremonyStart.self)
            let userID = try #require(alice.userHandle)
            let second = try SoftwareAuthenticator.syncedPasskey().register(rpID: TestBank.rpID, origin: TestBank.origin, challenge: start.challenge, userHandle: userID)
            // Mallory cannot finish Alice's ceremony.
            let stolen = try await client.post("/v1/registration/verify", VerifyBody(ceremonyId: start.ceremonyId, credential: second.response), token: mallory.token)
            #expect(stolen.code == "ceremony_of_another_user")
            // The ceremony was burnt by that attempt: Alice starts again.
            let retry = try await client.post("/v1/registration/options", json: [:], token: alice.token).decode(CeremonyStart.self)
            let again = try SoftwareAuthenticator.syncedPasskey().register(rpID: TestBank.rpID, origin: TestBank.origin, challenge: retry.challenge, userHandle: userID)
            let added = try await client.post("/v1/registration/verify", VerifyBody(ceremonyId: retry.ceremonyId, credential: again.response), token: alice.token)
            #expect(added.status == .ok)
            #expect(added.json["backupState"] as? Bool == true)
            #expect(added.json["session"] == nil)
            let list = try await client.request(.get, "/v1/credentials", token: alice.token)
            #expect((list.json["credentials"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test(arguments: Engine.available)
    func replayed_assertion_is_refused(engine: Engine) async throws {
        let bank = try await TestBank.make(engine)
        try await bank.run { client in
            var alice = Customer("alice")
            try await alice.signUp(client)
            let start = try await alice.startSignIn(client)
            let assertion = try alice.assertion(challenge: start.challenge)
            let body = VerifyBody(ceremonyId: start.ceremonyId, credential: assertion)
            #expect(try await client.post("/v1/authentication/verify", body).status == .ok)
            let replay = try await client.post("/v1/authentication/verify", body)
            #expect(replay.status == .unauthorized)
            #expect(replay.code == "ceremony_consumed")
            // The same assertion on a fresh ceremony: its challenge does not match.
            let fresh = try await alice.startSignIn(client)
            let moved = try await client.post("/v1/authentication/verify", VerifyBody(ceremonyId: fresh.ceremonyId, credential: assertion))
            #expect(moved.code == "authentication_failed")
        }
    }

    @Test(arguments: Engine.available)
    func the_same_ceremony_finished_concurrently_succeeds_once(engine: Engine) async throws {
        let bank = try await TestBank.make(engine)
        try await bank.run { client in
            var alice = Customer("alice")
            try await alice.signUp(client)
            let start = try await alice.startSignIn(client)
            let body = VerifyBody(ceremonyId: start.ceremonyId, credential: try alice.assertion(challenge: start.challenge))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { Int(try await client.post("/v1/authentication/verify", body).status.code) } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1)
            #expect(statuses.filter { $0 == 401 }.count == 7)
        }
    }

    @Test func forged_and_foreign_ceremony_tokens_are_unknown() async throws {
        let bank = try await TestBank.make(.sqlite)
        let other = try await TestBank.make(.sqlite)  // another deployment: another secret
        let foreignToken = try await other.service.authenticationOptions(username: nil).ceremonyID
        await other.engine.shutdown()
        try await bank.run { client in
            var alice = Customer("alice")
            try await alice.signUp(client)
            let start = try await alice.startSignIn(client)
            let assertion = try alice.assertion(challenge: start.challenge)
            // One character of the signed part changed.
            var forged = Array(start.ceremonyId)
            forged[5] = forged[5] == "A" ? "B" : "A"
            let registrationToken = try await client.post("/v1/registration/options", json: ["username": "bob"]).decode(CeremonyStart.self).ceremonyId
            for token in [String(forged), foreignToken, registrationToken, "", String(repeating: "A", count: 20_000)] {
                let reply = try await client.post("/v1/authentication/verify", VerifyBody(ceremonyId: token, credential: assertion))
                #expect(reply.code == "ceremony_unknown", "token \(token.prefix(12))…")
            }
            // The untouched token still works: the refusals consumed nothing.
            #expect(try await client.post("/v1/authentication/verify", VerifyBody(ceremonyId: start.ceremonyId, credential: assertion)).status == .ok)
        }
    }

    @Test(arguments: Engine.available)
    func expired_challenge_is_refused(engine: Engine) async throws {
        let bank = try await TestBank.make(engine)
        try await bank.run { client in
            var alice = Customer("alice")
            try await alice.signUp(client)
            let start = try await alice.startSignIn(client)
            bank.clock.advance(by: 301)
            let reply = try await client.post("/v1/authentication/verify", VerifyBody(ceremonyId: start.ceremonyId, credential: try alice.assertion(challenge: start.challenge)))
            #expect(reply.status == .unauthorized)
            #expect(reply.code == "ceremony_expired")
            #expect(try await client.post("/v1/authentication/verify", json: ["ceremonyId": "nope", "credential": [:]]).code == "malformed_request")
        }
    }

    @Test(arguments: Engine.available)
    func wrong_origin_is_refused_in_client_data_and_in_the_request(engine: Engine) async throws {
        let bank = try await TestBank.make(engine)
        try await bank.run { client in
            var alice = Customer("alice")
            let signUp = try await alice.signUp(client, origin: "https://evil.example")
            #expect(signUp.status == .unprocessableContent)
            #expect(signUp.code == "registration_failed")
            #expect(signUp.json["webauthnCode"] as? String == "origin_mismatch")
            #expect(try await bank.store.user(username: "alice") == nil)
            try await alice.signUp(client)
            let signIn = try await alice.signIn(client, origin: "https://evil.example")
            #expect(signIn.code == "authentication_failed")
            #expect(signIn.json["detail"] as? String == "The passkey could not be verified.")
            // A browser request from another site.
            let crossSite = try await client.post("/v1/authentication/options", json: [:], origin: "https://evil.example")
            #expect(crossSite.status == .forbidden)
            #expect(crossSite.code == "origin_not_allowed")
            // A cookie-carrying request without Origin.
            let noOrigin = try await client.request(.post, "/v1/session/logout", token: alice.token, origin: nil, cookie: true)
            #expect(noOrigin.code == "origin_not_allowed")
        }
    }

    @Test(arguments: Engine.available)
    func malformed_and_oversized_bodies_get_a_clear_4xx_and_store_nothing(engine: Engine) async throws {
        let bank = try await TestBank.make(engine)
        try await bank.run { client in
            let garbage = try await client.request(.post, "/v1/registration/options", body: Array("{\"username\": ".utf8))
            #expect(garbage.status == .badRequest)
            #expect(garbage.code == "malformed_request")
            #expect(garbage.headers[.contentType] == "application/problem+json")
            let wrongShape = try await client.post("/v1/registration/options", json: ["username": 42])
            #expect(wrongShape.code == "malformed_request")
            let notJSON = try await client.request(.post, "/v1/registration/options", body: Array("username=alice".utf8), contentType: "application/x-www-form-urlencoded")
            #expect(notJSON.status == .unsupportedMediaType)
            let huge = try await client.post("/v1/registration/options", json: ["username": "alice", "displayName": String(repeating: "x", count: 70_000)])
            #expect(huge.status == .contentTooLarge)
            #expect(huge.code == "body_too_large")
            let badName = try await client.post("/v1/registration/options", json: ["username": "al\u{0}ice"])
            #expect(badName.code == "invalid_username")
            let verifyGarbage = try await client.post("/v1/registration/verify", json: ["ceremonyId": "x", "credential": ["id": "AA"]])
            #expect(verifyGarbage.code == "malformed_request")
            #expect(try await bank.store.user(username: "alice") == nil)
            // Strictly JSON: duplicate members, trailing commas and invalid numbers are refused even where unread.
            for body in [#"{"username":"alice","username":"mallory"}"#, #"{"username":"alice",}"#, #"{"x":01,"username":"alice"}"#, "{\"x\":\"\u{1}\"}"] {
                let reply = try await client.request(.post, "/v1/authentication/options", body: Array(body.utf8))
                #expect(reply.code == "malformed_request", "\(body)")
            }
            for contentType in ["application/jsonx", "application/json; charset=utf-16", "text/plain"] {
                let reply = try await client.request(.post, "/v1/authentication/options", body: Array("{}".utf8), contentType: contentType)
                #expect(reply.status == .unsupportedMediaType, "\(contentType)")
            }
            #expect(try await client.request(.post, "/v1/authentication/options", body: Array("{}".utf8), contentType: "application/json; charset=UTF-8").status == .ok)
            // No body at all is an empty request object.
            #expect(try await client.request(.post, "/v1/authentication/options").status == .ok)
            // Lengths count Unicode scalars: 1 letter + 100 combining marks is not a short name.
            let combining = "e" + String(repeating: "\u{301}", count: 100)
            #expect(try await client.post("/v1/registration/options", json: ["username": combining]).code == "invalid_username")
            let unknownRoute = try await client.request(.get, "/v1/nothing")
            #expect(unknownRoute.status == .notFound)
            #expect(unknownRoute.code == "not_found")
        }
    }

    @Test(arguments: Engine.available)
    func sixth_attempt_after_five_failures_is_locked_without_saying_why(engine: Engine) async throws {
        let bank = try await TestBank.make(engine)
        try await bank.run { client in
            var alice = Customer("alice")
            try await alice.signUp(client)
            var bodies: Set<String> = []
            for attempt in 0..<5 {
                let start = try await alice.startSignIn(client)
                // Alternate the broken element: a bad signature, then the wrong origin.
                var tampering = Tampering()
                if attempt % 2 == 0 { tampering.mutateSignature = { bytes in bytes.map { $0 ^ 1 } } } else { tampering.origin = .string("https://evil.example") }
                let assertion = try alice.assertion(challenge: start.challenge, tampering: tampering)
                let reply = try await client.post("/v1/authentication/verify", VerifyBody(ceremonyId: start.ceremonyId, credential: assertion))
                #expect(reply.code == "authentication_failed")
                bodies.insert(reply.text)
            }
            // Whatever failed, the customer saw the same answer.
            #expect(bodies.count == 1)
            let sixth = try await alice.signIn(client)
            #expect(sixth.status == .tooManyRequests)
            #expect(sixth.code == "sign_in_locked")
            #expect(sixth.headers[.retryAfter] == "900")
            // Locked means locked, whatever is presented.
            let bogusStart = try await alice.startSignIn(client)
            var bogus = try alice.assertion(challenge: bogusStart.challenge)
            bogus.rawId = "AAAA"
            bogus.id = "AAAA"
            #expect(try await client.post("/v1/authentication/verify", VerifyBody(ceremonyId: bogusStart.ceremonyId, credential: bogus)).code == "sign_in_locked")

            // A username no account has fails and locks the same way: the sixth answer does not tell.
            var guesses: [String] = []
            for _ in 0..<6 {
                let start = try await client.post("/v1/authentication/options", json: ["username": "nobody"]).decode(CeremonyStart.self)
                let reply = try await client.post("/v1/authentication/verify", VerifyBody(ceremonyId: start.ceremonyId, credential: try alice.assertion(challenge: start.challenge)))
                guesses.append(reply.code ?? "")
                if guesses.count == 6 {
                    #expect(reply.text == sixth.text)
                    #expect(reply.headers[.retryAfter] == "900")
                } else {
                    #expect(bodies.contains(reply.text))
                }
            }
            #expect(guesses == Array(repeating: "authentication_failed", count: 5) + ["sign_in_locked"])
            // After the lock, a correct sign-in works and resets the count.
            bank.clock.advance(by: 901)
            #expect(try await alice.signIn(client).status == .ok)
            let credentialID = try #require(alice.credential?.id)
            #expect(try await bank.store.signInCandidate(credentialID: credentialID)?.lock.failedAttempts == 0)
        }
    }

    @Test(arguments: Engine.available)
    func session_ends_after_idle_timeout_and_absolute_lifetime(engine: Engine) async throws {
        let bank = try await TestBank.make(engine)
        try await bank.run { client in
            var alice = Customer("alice")
            try await alice.signUp(client)
            bank.clock.advance(by: 290)
            #expect(try await client.request(.get, "/v1/session", token: alice.token).status == .ok)
            bank.clock.advance(by: 290)  // 290 s after the last request: still in.
            #expect(try await client.request(.get, "/v1/session", token: alice.token).status == .ok)
            bank.clock.advance(by: 301)
            let idle = try await client.request(.get, "/v1/session", token: alice.token)
            #expect(idle.status == .unauthorized)
            #expect(idle.code == "session_required")
            // Absolute lifetime: active every 4 minutes, out after 30 minutes.
            try await alice.signIn(client)
            for _ in 0..<7 {
                bank.clock.advance(by: 240)
                #expect(try await client.request(.get, "/v1/credentials", token: alice.token).status == .ok)
            }
            bank.clock.advance(by: 240)
            #expect(try await client.request(.get, "/v1/credentials", token: alice.token).status == .unauthorized)
            // Logout ends the session at once.
            try await alice.signIn(client)
            #expect(try await client.request(.post, "/v1/session/logout", token: alice.token).status == .noContent)
            #expect(try await client.request(.get, "/v1/session", token: alice.token).status == .unauthorized)
        }
    }

    @Test(arguments: Engine.available)
    func passkeys_are_renamed_and_deleted_but_never_the_last(engine: Engine) async throws {
        let bank = try await TestBank.make(engine)
        try await bank.run { client in
            var alice = Customer("alice")
            try await alice.signUp(client)
            let firstID = try #require(alice.credential?.idBase64URL)
            let last = try await client.request(.delete, "/v1/credentials/\(firstID)", token: alice.token)
            #expect(last.status == .conflict)
            #expect(last.code == "last_credential")
            let renamed = try await client.request(.patch, "/v1/credentials/\(firstID)", body: Array(#"{"name":"Work laptop"}"#.utf8), token: alice.token)
            #expect(renamed.json["name"] as? String == "Work laptop")
            let emptyName = try await client.request(.patch, "/v1/credentials/\(firstID)", body: Array(#"{"name":"  "}"#.utf8), token: alice.token)
            #expect(emptyName.code == "invalid_name")

            // A second passkey, then the first one removed: it can no longer sign in.
            var phone = Customer("alice", authenticator: .syncedPasskey())
            phone.userHandle = alice.userHandle
            let options = try await client.post("/v1/registration/options", json: [:], token: alice.token).decode(CeremonyStart.self)
            let made = try phone.authenticator.register(rpID: TestBank.rpID, origin: TestBank.origin, challenge: options.challenge, userHandle: alice.userHandle)
            #expect(try await client.post("/v1/registration/verify", VerifyBody(ceremonyId: options.ceremonyId, credential: made.response), token: alice.token).status == .ok)
            phone.credential = made.credential
            var mallory = Customer("mallory")
            try await mallory.signUp(client)
            #expect(try await client.request(.delete, "/v1/credentials/\(firstID)", token: mallory.token).code == "credential_not_found")
            #expect(try await client.request(.delete, "/v1/credentials/\(firstID)", token: alice.token).status == .noContent)
            let refused = try await alice.signIn(client)
            #expect(refused.code == "authentication_failed")
            #expect(try await phone.signIn(client).status == .ok)
        }
    }

    @Test(arguments: Engine.available)
    func removing_the_last_two_passkeys_at_once_leaves_one(engine: Engine) async throws {
        let bank = try await TestBank.make(engine)
        try await bank.run { client in
            for round in 0..<5 {
                var owner = Customer("owner\(round)")
                try await owner.signUp(client)
                let options = try await client.post("/v1/registration/options", json: [:], token: owner.token).decode(CeremonyStart.self)
                let second = try SoftwareAuthenticator.syncedPasskey().register(rpID: TestBank.rpID, origin: TestBank.origin, challenge: options.challenge,
                                                                                userHandle: owner.userHandle)
                #expect(try await client.post("/v1/registration/verify", VerifyBody(ceremonyId: options.ceremonyId, credential: second.response),
                                              token: owner.token).status == .ok)
                let ids = [try #require(owner.credential?.idBase64URL), second.credential.idBase64URL]
                let token = owner.token
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for id in ids { group.addTask { Int(try await client.request(.delete, "/v1/credentials/\(id)", token: token).status.code) } }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.sorted() == [204, 409])
                let left = try await client.request(.get, "/v1/credentials", token: owner.token)
                #expect((left.json["credentials"] as? [[String: Any]])?.count == 1)
            }
        }
    }

    @Test(arguments: Engine.available)
    func unknown_usernames_look_like_known_ones(engine: Engine) async throws {
        let bank = try await TestBank.make(engine)
        try await bank.run { client in
            var alice = Customer("alice")
            try await alice.signUp(client)
            let known = try await client.post("/v1/authentication/options", json: ["username": "alice"])
            let unknown = try await client.post("/v1/authentication/options", json: ["username": "nobody"])
            let unknownAgain = try await client.post("/v1/authentication/options", json: ["username": "nobody"])
            #expect(known.status == .ok && unknown.status == .ok)
            let keys = { (reply: TestBank.Client.Reply) in Set((reply.json["publicKey"] as? [String: Any])?.keys.map { $0 } ?? []) }
            #expect(keys(known) == keys(unknown))
            let allow = { (reply: TestBank.Client.Reply) in (reply.json["publicKey"] as? [String: Any])?["allowCredentials"] as? [[String: Any]] }
            #expect(allow(unknown)?.count == 1)
            #expect(allow(unknown)?.first?["id"] as? String == allow(unknownAgain)?.first?["id"] as? String)
            #expect((allow(unknown)?.first?["id"] as? String)?.isEmpty == false)
        }
    }

    /// The metadata the server was started with classifies: a packed-attested key whose chain
    /// ends at its MDS statement's root, hardware key protection, L1 certified, device-bound.
    @Test func attested_hardware_key_registers_at_tier_1_with_the_servers_metadata() async throws {
        let aaguid = try #require(AAGUID("2fc0579f-8113-47ea-b116-bb5a8db9202a"))
        let root = try TestPKI.shared().packed.root
        let entry = MetadataEntry(aaguid: aaguid, statement: MetadataStatement(
            description: "YubiKey 5 Series with NFC", protocolFamily: "fido2", attestationTypes: ["basic_full"],
            keyProtection: ["hardware", "secure_element"], attestationRootCertificates: [Data(root.x5cBytes).base64EncodedString()]),
            statusReports: [StatusReport(status: .fidoCertifiedL1, effectiveDate: Date(timeIntervalSince1970: 1_600_000_000))])
        let bank = try await TestBank.make(.sqlite) { $0.metadata = MetadataCatalog(serialNumber: 7, nextUpdate: nil, entries: [entry]) }
        try await bank.run { client in
            var key = Customer("treasurer", authenticator: SoftwareAuthenticator(aaguid: aaguid, attestation: .packedBasic))
            let reply = try await key.signUp(client)
            #expect(reply.status == .ok)
            #expect(reply.json["tier"] as? Int == 1)
            #expect(reply.json["aaguidVerified"] as? Bool == true)
            #expect(reply.json["authenticatorName"] as? String == "YubiKey 5 Series with NFC")
            #expect((reply.json["attestation"] as? [String: Any])?["trusted"] as? Bool == true)
            #expect((reply.json["reasons"] as? [[String: Any]])?.first?["rule"] as? String == "attested_hardware_key")
        }
        // The same model on a server without metadata is not tier 1.
        let plain = try await TestBank.make(.sqlite)
        try await plain.run { client in
            var unlisted = Customer("treasurer", authenticator: SoftwareAuthenticator(aaguid: aaguid, attestation: .packedBasic))
            let reply = try await unlisted.signUp(client)
            #expect(reply.status == .ok)
            #expect(reply.json["tier"] as? Int == 4)
        }
    }

    @Test(arguments: Engine.available)
    func registration_refused_by_policy_stores_nothing(engine: Engine) async throws {
        var policy = try PolicyDocument.defaultPolicy()
        policy.registration.byTier[.four] = .reject
        let bank = try await TestBank.make(engine, policy: policy)
        try await bank.run { client in
            var alice = Customer("alice")
            let reply = try await alice.signUp(client)
            #expect(reply.status == .forbidden)
            #expect(reply.code == "registration_refused")
            #expect(reply.json["tier"] as? Int == 4)
            #expect((reply.json["reasons"] as? [[String: Any]])?.isEmpty == false)
            #expect(try await bank.store.user(username: "alice") == nil)
        }
    }
}
