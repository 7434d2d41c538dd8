import Crypto
import Hummingbird
import WebAuthn

// The most a sign-in can cost on this stack: the two HTTP requests through Hummingbird and one
// P-256 verification, with no storage, no parsing, no policy. `scripts/bench-load ceiling` runs
// claviger-load against it, so the real server's figure has its stack's upper bound beside it.
// It answers the ceremony routes with the shapes claviger-load reads and checks nothing else.

let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 8080
let key = P256.Signing.PrivateKey()
let digest = SHA256.hash(data: Array("claviger-ceiling".utf8))
let signature = try key.signature(for: digest)
let publicKey = key.publicKey

let router = Router()
for kind in ["registration", "authentication"] {
    router.post("/v1/\(kind)/options") { request, _ -> Response in
        _ = try await request.body.collect(upTo: 64 * 1024)
        let challenge = Base64URL.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
        let body = #"{"ceremonyId":"\#(challenge)","publicKey":{"challenge":"\#(challenge)","user":{"id":"AAAAAAAAAAAAAAAAAAAAAA"}}}"#
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
    router.post("/v1/\(kind)/verify") { request, _ -> Response in
        _ = try await request.body.collect(upTo: 64 * 1024)
        let valid = publicKey.isValidSignature(signature, for: digest)
        return Response(status: valid ? .ok : .unauthorized, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(string: #"{"ok":true}"#)))
    }
}
router.get("/readyz") { _, _ in "ok" }
try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port))).runService()
