import ClavigerTesting
import Foundation
import Testing
import WebAuthn

/// Runs the built `claviger` binary the way engineers do: files in, one JSON object and an exit
/// status (0 valid, 1 invalid, 2 usage) out.
@Suite struct VerifyCommandTests {
    struct Run {
        let status: Int32
        let stdout: String
        let json: [String: Any]?
    }

    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("claviger")

    func claviger(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self),
                   json: try? JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func write<T: Encodable>(_ value: T) throws -> String {
        try write(JSONEncoder().encode(value))
    }

    func write(_ data: Data) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("claviger-cli-\(UUID().uuidString).json").path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    let rp = ["--rp-id", "bank.example", "--origin", "https://bank.example"]
    let challenge: [UInt8] = Array(0..<32)

    @Test func packed_registration_prints_the_facts_and_exits_0() throws {
        let pki = try TestPKI.shared()
        let authenticator = SoftwareAuthenticator(attestation: .packedBasic) { $0.pki = pki }
        let (response, credential) = try authenticator.register(rpID: "bank.example", origin: "https://bank.example", challenge: challenge)
        let anchor = try write(Data(pki.packed.rootPEM.utf8))
        let run = try claviger(["verify", "registration"] + rp + ["--challenge", Base64URL.encode(challenge), "--require-uv",
                                "--trust-anchor", anchor, "--require-trusted", try write(response)])
        #expect(run.status == 0, "\(run.stdout)")
        let json = try #require(run.json)
        #expect(json["outcome"] as? String == "valid")
        #expect(json["fmt"] as? String == "packed")
        #expect(json["attestationType"] as? String == "basic")
        #expect(json["attestationTrusted"] as? Bool == true)
        #expect(json["credentialId"] as? String == credential.idBase64URL)
        #expect(json["publicKey"] as? String == Base64URL.encode(credential.publicKey))
        #expect(json["alg"] as? Int == -7)
        #expect((json["flags"] as? [String: Bool])?["UV"] == true)
        #expect(json["aaguid"] as? String == authenticator.aaguid.description)
    }

    @Test func registration_for_another_challenge_exits_1_with_its_code() throws {
        let (response, _) = try SoftwareAuthenticator().register(rpID: "bank.example", origin: "https://bank.example", challenge: challenge)
        let run = try claviger(["verify", "registration"] + rp + ["--challenge", Base64URL.encode([UInt8](repeating: 9, count: 32)), try write(response)])
        #expect(run.status == 1)
        #expect(run.json?["outcome"] as? String == "invalid")
        #expect(run.json?["code"] as? String == "challenge_mismatch")
    }

    @Test func a_response_file_with_a_duplicate_member_is_malformed_as_on_the_server() throws {
        let (response, _) = try SoftwareAuthenticator().register(rpID: "bank.example", origin: "https://bank.example", challenge: challenge)
        let valid = String(decoding: try JSONEncoder().encode(response), as: UTF8.self)
        let accepted = try claviger(["verify", "registration"] + rp + ["--challenge", Base64URL.encode(challenge), try write(Data(valid.utf8))])
        #expect(accepted.status == 0, "\(accepted.stdout)")
        // A second "id" after the first: Foundation's decoder would take the last one silently.
        let duplicated = "{\"id\":\"AAAA\"," + valid.dropFirst()
        let run = try claviger(["verify", "registration"] + rp + ["--challenge", Base64URL.encode(challenge), try write(Data(duplicated.utf8))])
        #expect(run.status == 1)
        #expect(run.json?["code"] as? String == "malformed_response")
    }

    @Test func authentication_reports_the_new_counter_and_a_regression_fails() throws {
        let authenticator = SoftwareAuthenticator()
        var (_, credential) = try authenticator.register(rpID: "bank.example", origin: "https://bank.example", challenge: challenge)
        let response = try authenticator.authenticate(credential: &credential, origin: "https://bank.example", challenge: challenge)
        let file = try write(response)
        let key = Base64URL.encode(credential.publicKey)
        let ok = try claviger(["verify", "authentication"] + rp + ["--challenge", Base64URL.encode(challenge), "--public-key", key,
                               "--sign-count", String(credential.signCount - 1), "--backup-eligible", "false", file])
        #expect(ok.status == 0, "\(ok.stdout)")
        #expect(ok.json?["signCount"] as? Int == Int(credential.signCount))
        let replay = try claviger(["verify", "authentication"] + rp + ["--challenge", Base64URL.encode(challenge), "--public-key", key,
                                   "--sign-count", String(credential.signCount), file])
        #expect(replay.status == 1)
        #expect(replay.json?["code"] as? String == "counter_regression")
    }

    @Test func secure_payment_confirmation_assertion_prints_the_payment_fields() throws {
        let authenticator = SoftwareAuthenticator()
        var (_, credential) = try authenticator.register(rpID: "bank.example", origin: "https://bank.example", challenge: challenge)
        let payment = PaymentClientData(rpID: "bank.example", topOrigin: "https://shop.example", payeeName: "Shop", payeeOrigin: "https://shop.example",
                                        total: .init(currency: "EUR", value: "15.00"), instrument: .init(displayName: "Visa ···· 4242", icon: "data:image/png;base64,AA"))
        let response = try authenticator.authenticatePayment(credential: &credential, origin: "https://shop.example", challenge: challenge, payment: payment)
        let run = try claviger(["verify", "authentication", "--rp-id", "bank.example", "--origin", "https://shop.example", "--challenge", Base64URL.encode(challenge),
                                "--public-key", Base64URL.encode(credential.publicKey), try write(response)])
        #expect(run.status == 0, "\(run.stdout)")
        let fields = try #require(run.json?["payment"] as? [String: Any])
        #expect(fields["payeeName"] as? String == "Shop")
        #expect((fields["total"] as? [String: String])?["value"] == "15.00")
        #expect(fields["topOrigin"] as? String == "https://shop.example")
    }

    @Test func usage_errors_exit_2() throws {
        #expect(try claviger(["verify", "registration", "--rp-id", "x"]).status == 2)
        #expect(try claviger(["verify", "registration"] + rp + ["--challenge", "not base64!", "/nonexistent"]).status == 2)
        #expect(try claviger(["verify", "registration"] + rp + ["--challenge", "AAAA", "/nonexistent/response.json"]).status == 2)
        #expect(try claviger(["verify", "registration"] + rp + ["--challenge", "AAAA", "--at", "yesterday", try write(Data("{}".utf8))]).status == 2)
        #expect(try claviger(["no-such-command"]).status == 2)
        #expect(try claviger(["--help"]).status == 0)
    }

    /// Any bytes at all in RESPONSE.json give exit 0, 1 or 2 — never a crash.
    @Test func arbitrary_bytes_never_crash_the_command() throws {
        var generator = SystemRandomNumberGenerator()
        let (valid, _) = try SoftwareAuthenticator(attestation: .packedSelf).register(rpID: "bank.example", origin: "https://bank.example", challenge: challenge)
        let validBytes = try JSONEncoder().encode(valid)
        var inputs: [Data] = [Data(), Data([0]), Data("null".utf8), Data("[]".utf8), Data(String(repeating: "[", count: 100_000).utf8),
                              Data(#"{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"","attestationObject":""}}"#.utf8)]
        for _ in 0..<40 {
            inputs.append(Data((0..<Int.random(in: 1...2048, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }))
            var mutated = validBytes
            for _ in 0..<8 { mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            inputs.append(mutated)
        }
        for input in inputs {
            let file = try write(input)
            for command in [["verify", "registration"] + rp + ["--challenge", Base64URL.encode(challenge)],
                            ["verify", "authentication"] + rp + ["--challenge", Base64URL.encode(challenge), "--public-key", "pQECAyYgASFYIA"]] {
                let run = try claviger(command + [file])
                #expect([0, 1, 2].contains(run.status), "exit \(run.status) for \(input.count) bytes")
            }
        }
    }
}
