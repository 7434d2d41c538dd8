import ArgumentParser
import Foundation
import WebAuthn
import X509

/// Options both verify commands share.
struct RelyingPartyOptions: ParsableArguments {
    @Option(name: .customLong("rp-id"), help: "The relying party ID (e.g. bank.example).")
    var rpID: String

    @Option(name: .customLong("origin"), help: "An expected origin; repeat for several.")
    var origins: [String]

    @Option(name: .customLong("top-origin"), help: "An allowed top-level origin for cross-origin (iframe) ceremonies; repeat for several.")
    var topOrigins: [String] = []

    @Option(help: "The challenge the RP issued, base64url.")
    var challenge: String

    @Flag(name: .customLong("require-uv"), help: "Require user verification (UV).")
    var requireUserVerification = false

    var relyingParty: RelyingParty {
        RelyingParty(id: rpID, origins: origins, topOrigins: topOrigins, allowCrossOrigin: !topOrigins.isEmpty)
    }

    func challengeBytes() throws -> [UInt8] {
        guard let bytes = Base64URL.decode(challenge) else { throw UsageError("--challenge is not unpadded base64url") }
        return bytes
    }

    var userVerification: UserVerificationRequirement { requireUserVerification ? .required : .preferred }
}

/// Reads the response file: unreadable is a usage error; any bytes at all are then an outcome.
func readResponse(_ path: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: path) else { throw UsageError("cannot read \(path)") }
    return data
}

/// The largest response file accepted; bigger files are invalid without being parsed.
let maxResponseBytes = 1 << 20

func decodeResponse<T: Decodable>(_ type: T.Type, named name: String = "RegistrationResponseJSON", from data: Data) -> Result<T, WebAuthnError> {
    guard data.count <= maxResponseBytes else {
        return .failure(WebAuthnError(.malformedResponse, "response file of \(data.count) bytes exceeds \(maxResponseBytes)"))
    }
    // The server's reading: the strict parser (no duplicate members, valid UTF-8), then its tree.
    switch JSONValue.parse(Array(data), limits: .init(maxDepth: 32, maxBytes: maxResponseBytes)) {
    case .failure(let error):
        return .failure(WebAuthnError(.malformedResponse, "the file is not valid JSON: \(error.reason) at byte \(error.offset)"))
    case .success(let json):
        do {
            return .success(try JSONValueDecoder().decode(type, from: json))
        } catch {
            return .failure(WebAuthnError(.malformedResponse, "the file is not a \(name) JSON document"))
        }
    }
}

struct VerifyRegistration: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registration",
        abstract: "Verify a registration (navigator.credentials.create) response.")

    @OptionGroup var rp: RelyingPartyOptions

    @Option(help: "Verify certificates at this time (ISO 8601); default now.")
    var at: String?

    @Option(name: .customLong("trust-anchor"), help: "A PEM root to trust for attestation, in addition to the shipped roots; repeat for several.")
    var trustAnchors: [String] = []

    @Flag(name: .customLong("no-default-anchors"), help: "Do not trust the shipped public roots.")
    var noDefaultAnchors = false

    @Flag(name: .customLong("require-trusted"), help: "Refuse attestation that does not chain to a trust anchor.")
    var requireTrusted = false

    @Flag(name: .customLong("allow-safetynet"), help: "Accept the deprecated android-safetynet format.")
    var allowSafetyNet = false

    @Flag(name: .customLong("allow-sha1"), help: "Accept SHA-1 in attestation (old Windows Hello TPMs).")
    var allowSHA1 = false

    @Argument(help: "The response JSON file.")
    var response: String

    func run() async throws {
        let challenge: [UInt8]
        let now: Date
        var policy = RegistrationPolicy(requireTrustedAttestation: requireTrusted, allowSHA1: allowSHA1, allowSafetyNet: allowSafetyNet)
        let data: Data
        do {
            challenge = try rp.challengeBytes()
            now = try at.map(parseTime) ?? Date()
            policy.trustAnchors = try loadAnchors()
            data = try readResponse(response)
        } catch {
            throw usageFailure("\(error)")
        }
        let expectations = RegistrationExpectations(challenge: challenge, userVerification: rp.userVerification, allowedAlgorithms: COSEAlgorithm.allCases)
        let report: Report
        switch decodeResponse(RegistrationResponseJSON.self, named: "RegistrationResponseJSON", from: data) {
        case .failure(let error):
            report = Report(error: error)
        case .success(let response):
            do {
                let verified = try await RegistrationCeremony.verify(response, expecting: expectations, relyingParty: rp.relyingParty, policy: policy, now: now)
                report = Report(verified)
            } catch {
                report = Report(error: error)
            }
        }
        report.print()
        if report.outcome != "valid" { throw ExitCode(1) }
    }

    func loadAnchors() throws -> TrustAnchors {
        var anchors = noDefaultAnchors ? TrustAnchors() : KnownRoots.attestationAnchors
        for path in trustAnchors {
            guard let pem = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw UsageError("cannot read trust anchor \(path)")
            }
            do {
                for certificate in try TrustAnchors.certificates(pem: pem) { anchors.add(certificate) }
            } catch {
                throw UsageError("\(path): \(error.message)")
            }
        }
        return anchors
    }
}

struct VerifyAuthentication: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authentication",
        abstract: "Verify an authentication (navigator.credentials.get) or Secure Payment Confirmation response.")

    @OptionGroup var rp: RelyingPartyOptions

    @Option(name: .customLong("public-key"), help: "The stored credential public key: COSE_Key, base64url.")
    var publicKey: String

    @Option(name: .customLong("sign-count"), help: "The stored signature counter.")
    var signCount: UInt32 = 0

    @Option(name: .customLong("backup-eligible"), help: "The stored backup eligibility (true|false).")
    var backupEligible: Bool?

    @Option(name: .customLong("app-id"), help: "The FIDO AppID offered through the appid extension (U2F credentials).")
    var appID: String?

    @Argument(help: "The response JSON file.")
    var response: String

    func run() throws {
        let challenge: [UInt8]
        let key: [UInt8]
        let data: Data
        do {
            challenge = try rp.challengeBytes()
            guard let decoded = Base64URL.decode(publicKey) else { throw UsageError("--public-key is not unpadded base64url") }
            key = decoded
            data = try readResponse(response)
        } catch {
            throw usageFailure("\(error)")
        }
        let report: Report
        switch decodeResponse(AuthenticationResponseJSON.self, named: "AuthenticationResponseJSON", from: data) {
        case .failure(let error):
            report = Report(error: error)
        case .success(let response):
            report = verify(response, challenge: challenge, key: key)
        }
        report.print()
        if report.outcome != "valid" { throw ExitCode(1) }
    }

    func verify(_ response: AuthenticationResponseJSON, challenge: [UInt8], key: [UInt8]) -> Report {
        // The CLI has no credential store: the record is the response's credential with the given key.
        let record = CredentialRecord(id: Base64URL.decode(response.rawId) ?? [], publicKey: key, signCount: signCount, backupEligible: backupEligible)
        do {
            if isPaymentAssertion(response) {
                let verified = try SecurePaymentConfirmation.verify(response, challenge: challenge, credential: record, relyingParty: rp.relyingParty,
                                                                    userVerification: rp.userVerification)
                return Report(verified.authentication, publicKey: key, payment: verified.payment)
            }
            let expectations = AuthenticationExpectations(challenge: challenge, userVerification: rp.userVerification, appID: appID, userIdentified: true)
            let verified = try AuthenticationCeremony.verify(response, expecting: expectations, credential: record, relyingParty: rp.relyingParty)
            return Report(verified, publicKey: key, payment: nil)
        } catch {
            return Report(error: error)
        }
    }

    /// A captured SPC assertion is recognised by its client data type.
    func isPaymentAssertion(_ response: AuthenticationResponseJSON) -> Bool {
        guard let bytes = Base64URL.decode(response.response.clientDataJSON), let clientData = try? CollectedClientData(bytes) else { return false }
        return clientData.type == SecurePaymentConfirmation.clientDataType
    }
}

func parseTime(_ string: String) throws -> Date {
    for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate]] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = options
        if let date = formatter.date(from: string) { return date }
    }
    throw UsageError("--at \(string) is not an ISO 8601 time")
}
