import ArgumentParser
import Foundation

/// `claviger`: the command-line entry point. Exit codes: 0 valid, 1 invalid, 2 usage error.
@main
struct Claviger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claviger",
        abstract: "Claviger: a bank-grade passkey (WebAuthn) server and its tools.",
        subcommands: [Verify.self, Bench.self, PolicyCommand.self, Classify.self,
                      MetadataCommand.self, Serve.self, Migrate.self])

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            // Help and version go to stdout with 0; every other parse or usage problem is exit 2.
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a captured WebAuthn response (the PublicKeyCredential.toJSON() form).",
        subcommands: [VerifyRegistration.self, VerifyAuthentication.self])
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks on the shared benchmark input format.",
        subcommands: [BenchVerify.self, BenchMetadata.self])
}

/// A usage problem found after parsing (unreadable file, bad date): exit 2 with a message.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension ParsableCommand {
    func usageFailure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
        return ExitCode(2)
    }
}
