import AsyncHTTPClient
import NIOCore
import FIDOMetadata
import Foundation
import Testing
import X509

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
                               "CLAVIGER_ORIGIN": "https://bank.example,https://app.bank.example", "CLAVIGER_LOG_LEVEL": "warning",
                               "CLAVIGER_RELATED_ORIGIN": "https://bank.example,https://bank.co.uk"]
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
        #expect(origins == ["https://bank.example", "https://bank.co.uk"])
        // CLAVIGER_ORIGIN: the second origin may start a ceremony, another site may not.
        for (origin, expected) in [("https://app.bank.example", 200), ("https://evil.example", 403)] {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/authentication/options")
            request.method = .POST
            request.headers.add(name: "Origin", value: origin)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: "{}"))
            #expect(Int(try await HTTPClient.shared.execute(request, timeout: .seconds(5)).status.code) == expected, "\(origin)")
        }
        process.terminate()  // SIGTERM: graceful shutdown
        let stopped = ContinuousClock.now
        while process.isRunning && ContinuousClock.now - stopped < .seconds(5) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
    }

    /// Starts `claviger serve` with `arguments`; returns once /readyz answers (or the process ended).
    static func serve(_ arguments: [String], log: URL) async throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve"] + arguments
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let port = arguments[(arguments.firstIndex(of: "--port") ?? 0) + 1]
        for _ in 0..<100 where process.isRunning {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/readyz"), timeout: .seconds(2)),
               response.status == .ok { return process }
            try await Task.sleep(for: .milliseconds(100))
        }
        return process
    }

    @Test func serve_verifies_and_stores_the_metadata_blob_and_refuses_a_tampered_one() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("claviger-mds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let pki = try MetadataSigningPKI(notBefore: Date().addingTimeInterval(-86_400), notAfter: Date().addingTimeInterval(86_400 * 365))
        let blob = try pki.sign(payload: try SyntheticMetadata.payload(entries: 3, serialNumber: 42, nextUpdate: "2099-01-01").json)
        try Data(blob).write(to: directory.appendingPathComponent("blob.jwt"))
        try Data(try pki.root.serializeAsPEM().pemString.utf8).write(to: directory.appendingPathComponent("root.pem"))
        var tampered = blob
        tampered[tampered.count / 2] = tampered[tampered.count / 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        try Data(tampered).write(to: directory.appendingPathComponent("tampered.jwt"))
        let database = Self.temporaryDatabase()
        let root = directory.appendingPathComponent("root.pem").path

        // Given at start: verified with the root, stored, used.
        let port = String(20_000 + Int.random(in: 0..<20_000))
        let log = directory.appendingPathComponent("serve.log")
        let first = try await Self.serve(["--database", database, "--port", port, "--metadata", directory.appendingPathComponent("blob.jwt").path,
                                          "--metadata-root", root], log: log)
        #expect(first.isRunning)
        first.terminate()
        first.waitUntilExit()
        #expect(String(decoding: try Data(contentsOf: log), as: UTF8.self).contains("metadata BLOB no 42: 3 entries"))

        // Not given: the stored one is verified again and used.
        let second = try await Self.serve(["--database", database, "--port", port, "--metadata-root", root], log: log)
        #expect(second.isRunning)
        second.terminate()
        second.waitUntilExit()
        #expect(String(decoding: try Data(contentsOf: log), as: UTF8.self).contains("stored metadata BLOB no 42: 3 entries"))

        // A changed byte: refused before serving (exit 2), nothing stored.
        let refused = try await Self.serve(["--database", Self.temporaryDatabase(), "--port", port, "--metadata",
                                            directory.appendingPathComponent("tampered.jwt").path, "--metadata-root", root], log: log)
        refused.waitUntilExit()
        #expect(refused.terminationStatus == 2)
    }

    @Test(arguments: [["--session-idle-seconds", "0"], ["--challenge-seconds", "9223372036854775807"], ["--lockout-seconds=-5"],
                      ["--session-lifetime-seconds", "31536001"], ["--port", "70000"]])
    func serve_refuses_out_of_range_settings_with_exit_2(setting: [String]) throws {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["serve", "--database", Self.temporaryDatabase()] + setting
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
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
