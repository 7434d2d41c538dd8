import ClavigerTesting
import Foundation
import NIOCore
import WebAuthn

/// One simulated customer: a registered passkey and its own connection, signing in again and
/// again (options, a fresh ES256 assertion, verify) on the connection's event loop. Each loop owns
/// one credential, so its counter stays in order.
final class SignInLoop: @unchecked Sendable {  // state touched on `connection.eventLoop` only
    struct Tally: Sendable {
        var latencies: [Double] = []
        var failures = 0
        var firstFailure: String?
    }

    let connection: Connection
    private let authenticator: SoftwareAuthenticator
    private var credential: StoredCredential
    private let userHandle: [UInt8]
    private let origin: String
    private let optionsBody: [UInt8]
    private var tally = Tally()

    private init(connection: Connection, authenticator: SoftwareAuthenticator, credential: StoredCredential, userHandle: [UInt8],
                 origin: String, optionsBody: [UInt8]) {
        self.connection = connection
        self.authenticator = authenticator
        self.credential = credential
        self.userHandle = userHandle
        self.origin = origin
        self.optionsBody = optionsBody
    }

    /// Signs up a new customer with a discoverable ES256 passkey.
    static func register(connection: Connection, rpID: String, origin: String, name: String, byUsername: Bool) async throws -> SignInLoop {
        let options = try await connection.eventLoop.flatSubmit {
            connection.post("/v1/registration/options", Array(#"{"username":"\#(name)"}"#.utf8))
        }.get()
        guard options.status == 200, let start = Start(options.body), let handle = start.userHandle else {
            throw Connection.Failure(description: "registration options: HTTP \(options.status) \(String(decoding: options.body, as: UTF8.self))")
        }
        var authenticator = SoftwareAuthenticator()
        authenticator.transports = ["internal"]
        let made = try authenticator.register(rpID: rpID, origin: origin, challenge: start.challenge, userHandle: handle)
        let body = Array(try JSONEncoder().encode(VerifyBody(ceremonyId: start.ceremonyID, credential: made.response)))
        let verified = try await connection.eventLoop.flatSubmit { connection.post("/v1/registration/verify", body) }.get()
        guard verified.status == 200 else {
            throw Connection.Failure(description: "registration: HTTP \(verified.status) \(String(decoding: verified.body, as: UTF8.self))")
        }
        return SignInLoop(connection: connection, authenticator: authenticator, credential: made.credential, userHandle: handle, origin: origin,
                          optionsBody: Array((byUsername ? #"{"username":"\#(name)"}"# : "{}").utf8))
    }

    /// Signs in until `deadline`; the latencies of the sign-ins that succeeded, and the failures.
    func run(until deadline: NIODeadline) -> EventLoopFuture<Tally> {
        connection.eventLoop.flatSubmit {
            self.tally = Tally()
            let done = self.connection.eventLoop.makePromise(of: Tally.self)
            self.next(until: deadline, done: done)
            return done.futureResult
        }
    }

    private func next(until deadline: NIODeadline, done: EventLoopPromise<Tally>) {
        let begin = NIODeadline.now()
        guard begin < deadline else { return done.succeed(tally) }
        connection.post("/v1/authentication/options", optionsBody)
            .flatMapThrowing { options in try self.verifyBody(options) }
            .flatMap { self.connection.post("/v1/authentication/verify", $0) }
            .whenComplete { result in
                switch result {
                case .success(let verified) where verified.status == 200:
                    self.tally.latencies.append(Double((NIODeadline.now() - begin).nanoseconds) / 1e9)
                case .success(let verified):
                    self.failed("verify: HTTP \(verified.status) \(String(decoding: verified.body, as: UTF8.self))")
                case .failure(let error):
                    self.failed("\(error)")
                }
                self.next(until: deadline, done: done)
            }
    }

    private func failed(_ reason: String) {
        tally.failures += 1
        if tally.firstFailure == nil { tally.firstFailure = reason }
    }

    /// The verify request for an options response, written directly (every value is base64url).
    private func verifyBody(_ options: Connection.Response) throws -> [UInt8] {
        guard options.status == 200, let start = Start(options.body) else {
            throw Connection.Failure(description: "options: HTTP \(options.status) \(String(decoding: options.body, as: UTF8.self))")
        }
        let assertion = try authenticator.authenticate(credential: &credential, origin: origin, challenge: start.challenge, userHandle: userHandle)
        let response = assertion.response
        let handleJSON = response.userHandle.map { "\"\($0)\"" } ?? "null"
        return Array("""
            {"ceremonyId":"\(start.ceremonyID)","credential":{"id":"\(assertion.id)","rawId":"\(assertion.rawId)","type":"public-key",\
            "response":{"clientDataJSON":"\(response.clientDataJSON)","authenticatorData":"\(response.authenticatorData)",\
            "signature":"\(response.signature)","userHandle":\(handleJSON)},"clientExtensionResults":{}}}
            """.utf8)
    }
}

/// What the generator needs from an options response (parsed with the strict JSON parser).
struct Start {
    let ceremonyID: String
    let challenge: [UInt8]
    let userHandle: [UInt8]?

    init?(_ body: [UInt8]) {
        guard case .success(let json) = JSONValue.parse(body), let id = json["ceremonyId"]?.stringValue,
              id.utf8.allSatisfy({ $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") && $0 >= 0x20 }),
              let publicKey = json["publicKey"], let challenge = publicKey["challenge"]?.stringValue.flatMap(Base64URL.decode)
        else { return nil }
        ceremonyID = id
        self.challenge = challenge
        userHandle = publicKey["user"]?["id"]?.stringValue.flatMap(Base64URL.decode)
    }
}

struct VerifyBody<Credential: Encodable>: Encodable {
    let ceremonyId: String
    let credential: Credential
}
