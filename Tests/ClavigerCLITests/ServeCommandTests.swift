import AsyncHTTPClient
import Foundation
import Testing

/// `claviger serve` and `claviger migrate` as operations run them: settings from CLAVIGER_*.
@Suite("serve and migrate commands", .serialized)
struct ServeCommandTests {
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("claviger")

    static func temporaryDatabase() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("claviger-cli-\(UUID().uuidString).sqlite").path
    }

    @Test func migrate_reads_the_database_from_the_environment_and_applies_the_schema() throws {
        let database = Self.temporaryDatabase()
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["migrate"]
        process.environment = ["CLAVIGER_DATABASE": database]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("versions 1 applied"))
        #expect(FileManager.default.fileExists(atPath: database))
    }

    @Test func serve_takes_its_settings_from_the_environment_and_stops_on_sigterm() async throws {
        let port = 20_000 + Int.random(in: 0..<20_000)
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["serve"]
        process.environment = ["CLAVIGER_DATABASE": Self.temporaryDatabase(), "CLAVIGER_PORT": String(port), "CLAVIGER_RP_ID": "bank.example",
                               "CLAVIGER_ORIGIN": "https://bank.example,https://app.bank.example", "CLAVIGER_LOG_LEVEL": "warning"]
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var origins: [String]?
        for _ in 0..<100 where origins == nil {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/.well-known/webauthn"), timeout: .seconds(2)),
               let body = try? await response.body.collect(upTo: 1 << 16),
               let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] {
                origins = object["origins"] as? [String]
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(origins == ["https://bank.example", "https://app.bank.example"])
        process.terminate()  // SIGTERM: graceful shutdown
        let stopped = ContinuousClock.now
        while process.isRunning && ContinuousClock.now - stopped < .seconds(5) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
    }

    @Test func serve_refuses_an_invalid_policy_with_exit_1() throws {
        let policy = FileManager.default.temporaryDirectory.appendingPathComponent("bad-policy-\(UUID().uuidString).yaml")
        try Data("version: 1\nclassification: {}\n".utf8).write(to: policy)
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["serve", "--policy", policy.path, "--database", Self.temporaryDatabase(), "--port", "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
    }
}
