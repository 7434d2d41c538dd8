import Foundation
import Testing
import X509
@testable import WebAuthn

// Inputs found by the libFuzzer harnesses in Fuzz/ (see Fuzz/README.md), replayed through the
// same parsers, plus hand-written hostile inputs the strict decoders must refuse with the right code.
//
// Saved inputs live in FuzzRegressions/<harness>/<what-it-is>.bin, <harness> being a target of
// Fuzz/Package.swift (fuzz-cbor, fuzz-authdata, fuzz-attestation, ...): minimized, a few KiB at most.
// They are read at run time through #filePath, not as bundle resources.

// MARK: - Replaying FuzzRegressions/<target>/*.bin

/// One saved fuzzer input: `FuzzRegressions/<target>/<name>.bin`, `<target>` naming the harness.
struct FuzzRegressionInput: Sendable, CustomTestStringConvertible {
    let target: String
    let name: String
    let bytes: [UInt8]

    var testDescription: String { "\(target)/\(name)" }

    /// Harness names, as in Fuzz/Package.swift.
    static let targets: Set<String> = [
        "fuzz-cbor", "fuzz-authdata", "fuzz-attestation", "fuzz-attestation-parts",
        "fuzz-registration-json", "fuzz-authentication-json", "fuzz-client-data",
    ]

    /// `Tests/WebAuthnTests/FuzzRegressions`, found from this file's path.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzRegressions")

    /// The target folders present, whether or not they are known harnesses.
    static var folders: [String] {
        let manager = FileManager.default
        let entries = (try? manager.contentsOfDirectory(atPath: directory.path)) ?? []
        return entries.filter { entry in
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: directory.appendingPathComponent(entry).path, isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
    }

    static func all() -> [FuzzRegressionInput] {
        var inputs: [FuzzRegressionInput] = []
        for target in folders {
            let folder = directory.appendingPathComponent(target)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for file in files.sorted() where file.hasSuffix(".bin") {
                guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(file).path) else { continue }
                inputs.append(FuzzRegressionInput(target: target, name: String(file.dropLast(4)), bytes: Array(data)))
            }
        }
        return inputs
    }
}

/// The fixed relying party, challenge and credential of the ceremony harnesses
/// (Fuzz/Sources/FuzzSupport/FuzzSupport.swift, `FuzzFixtures`).
enum FuzzFixtures {
    static let challenge: [UInt8] = Array(0..<32)
    static let now = Date(timeIntervalSince1970: 1_700_000_000)
    static let relyingParty = RelyingParty(id: "localhost", origins: ["https://localhost", "https://localhost:8443", "http://localhost:8080"],
                                           topOrigins: ["https://top.localhost"], allowCrossOrigin: true, allowSubdomainOrigins: true)
    static let credentialID: [UInt8] = Array("claviger-fuzz-credential".utf8)
    static let credentialPublicKeyCOSE: [UInt8] = [UInt8](hex:
        "a5010203262001215820515c3d6eb9e396b904d3feca7f54fdcd0cc1e997bf375dca515ad0a6c3b4035f"
        + "2258204536be3a50f318fbf9a5475902a221502bef0d57e08c53b2cc0a56f17d9f9354") ?? []
    static let userHandle: [UInt8] = Array("fuzz-user".utf8)
}

@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    @Test func regressionFolderIsFoundAndNamesOnlyKnownHarnesses() {
        #expect(FileManager.default.fileExists(atPath: FuzzRegressionInput.directory.path),
                "FuzzRegressions not found at \(FuzzRegressionInput.directory.path)")
        for folder in FuzzRegressionInput.folders {
            #expect(FuzzRegressionInput.targets.contains(folder), "FuzzRegressions/\(folder) is not a harness name")
        }
    }

    /// Every saved input goes through its harness's parser and checks: each returns or throws a
    /// `WebAuthnError` (the APIs throw nothing else), never traps, and keeps the harness's properties.
    @Test(arguments: FuzzRegressionInput.all())
    func savedFuzzerInputIsHandledWithoutCrashing(_ input: FuzzRegressionInput) async throws {
        switch input.target {
        case "fuzz-cbor": Self.replayCBOR(input.bytes)
        case "fuzz-authdata": Self.replayAuthenticatorData(input.bytes)
        case "fuzz-attestation": Self.replayAttestationObject(input.bytes)
        case "fuzz-attestation-parts": Self.replayAttestationParts(input.bytes)
        case "fuzz-registration-json": await Self.replayRegistrationJSON(input.bytes)
        case "fuzz-authentication-json": Self.replayAuthenticationJSON(input.bytes)
        case "fuzz-client-data": Self.replayClientData(input.bytes)
        default: Issue.record("no replay for harness \(input.target)")
        }
    }

    static func replayCBOR(_ bytes: [UInt8]) {
        if let item = try? CBORDecoder.decode(bytes) {
            let encoded = CBOREncoder.encode(item)
            let again = try? CBORDecoder.decode(encoded)
            #expect(again != nil, "the re-encoded item does not decode")
            #expect(again.map(CBOREncoder.encode) == encoded, "re-encoding is not stable")
            #expect(!hasDuplicateKeyEncodings(item), "a decoded map holds duplicate keys")
        }
        if let item = try? CBORDecoder.decode(bytes, limits: .ctap2Canonical) {
            #expect(CBOREncoder.encode(item) == bytes, "canonical input does not re-encode to itself")
        }
    }

    static func hasDuplicateKeyEncodings(_ item: CBOR) -> Bool {
        switch item {
        case .array(let a): return a.contains(where: hasDuplicateKeyEncodings)
        case .tagged(_, let inner): return hasDuplicateKeyEncodings(inner)
        case .map(let pairs):
            var seen = Set<[UInt8]>()
            for pair in pairs {
                guard seen.insert(CBOREncoder.encode(pair.key)).inserted else { return true }
                if hasDuplicateKeyEncodings(pair.key) || hasDuplicateKeyEncodings(pair.value) { return true }
            }
            return false
        default: return false
        }
    }

    static func replayAuthenticatorData(_ bytes: [UInt8]) {
        if let authData = try? AuthenticatorData(bytes), let key = authData.attestedCredential?.publicKey {
            #expect((try? COSEKey(cose: key.encoded))?.algorithm == key.algorithm, "stored COSE bytes do not parse again")
        }
        _ = try? COSEKey(cose: bytes)
    }

    static func replayAttestationObject(_ bytes: [UInt8]) {
        guard let object = try? AttestationObject(bytes), let credential = object.authenticatorData.attestedCredential else { return }
        var options = AttestationOptions(now: FuzzFixtures.now)
        options.allowSHA1 = true
        options.allowSafetyNet = true
        let input = AttestationInput(statement: object.statement, authenticatorData: object.authenticatorData, credential: credential,
                                     clientDataHash: [UInt8](repeating: 0, count: 32), options: options)
        _ = try? AttestationFormats.verify(format: object.format, input)
        if object.format == AndroidKeyAttestation.identifier {
            _ = try? AndroidKeyAttestation.verify(input, authorizationLists: .teeOrSoftwareEnforced)
        }
    }

    static func replayAttestationParts(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        let bytes = Array(input.dropFirst())
        switch selector % 5 {
        case 0:
            if let pubArea = try? TPMPublicArea(bytes), let key = try? COSEKey(cose: FuzzFixtures.credentialPublicKeyCOSE) {
                _ = try? TPMAttestation.requireSameKey(pubArea, as: key)
            }
        case 1:
            _ = try? TPMCertifyInfo(bytes)
        case 2:
            if let description = try? AndroidKeyDescription(derEncoded: bytes[...]) {
                _ = try? AndroidKeyAttestation.checkOriginAndPurpose(description, policy: .teeOrSoftwareEnforced)
            }
        case 3:
            guard let certificate = try? Certificate(derEncoded: bytes) else { return }
            _ = try? TPMAttestation.checkAIKCertificate(certificate)
            _ = try? PackedAttestation.checkCertificateRequirements(certificate)
            _ = try? certificate.fidoAAGUIDExtension()
            _ = try? AppleAttestation.certificateNonce(certificate)
            _ = try? AndroidKeyDescription(certificate: certificate)
            _ = AndroidSafetyNetAttestation.isIssued(to: AndroidSafetyNetAttestation.attestationHostname, certificate)
            for algorithm in COSEAlgorithm.allCases {
                _ = try? COSEKey(certificateKey: certificate.publicKey, algorithm: algorithm)
            }
        default:
            guard let jws = try? CompactJWS(bytes) else { return }
            if let leaf = try? jws.certificateChain().first {
                _ = try? jws.verifySignature(with: leaf)
            }
            var options = AttestationOptions(now: FuzzFixtures.now)
            options.allowSafetyNet = true
            _ = try? AndroidSafetyNetAttestation.checkTimestamp(jws.payload, options: options)
        }
    }

    static func replayRegistrationJSON(_ bytes: [UInt8]) async {
        guard let response = try? JSONDecoder().decode(RegistrationResponseJSON.self, from: Data(bytes)) else { return }
        let expectations = RegistrationExpectations(challenge: FuzzFixtures.challenge, userVerification: .preferred,
                                                    allowedAlgorithms: COSEAlgorithm.allCases)
        let policy = RegistrationPolicy(allowSHA1: true, allowSafetyNet: true)
        _ = try? await RegistrationCeremony.verify(response, expecting: expectations, relyingParty: FuzzFixtures.relyingParty,
                                                   policy: policy, now: FuzzFixtures.now)
    }

    static func replayAuthenticationJSON(_ bytes: [UInt8]) {
        guard let response = try? JSONDecoder().decode(AuthenticationResponseJSON.self, from: Data(bytes)) else { return }
        let expectations = AuthenticationExpectations(challenge: FuzzFixtures.challenge, userVerification: .preferred,
                                                      allowCredentials: [FuzzFixtures.credentialID], appID: "https://localhost/appid")
        let record = CredentialRecord(id: FuzzFixtures.credentialID, publicKey: FuzzFixtures.credentialPublicKeyCOSE, signCount: 5,
                                      backupState: false, userHandle: FuzzFixtures.userHandle)
        for policy in [AuthenticationPolicy(), AuthenticationPolicy(counter: .flagOnly, allowSHA1: true)] {
            if let verified = try? AuthenticationCeremony.verify(response, expecting: expectations, credential: record,
                                                                 relyingParty: FuzzFixtures.relyingParty, policy: policy) {
                #expect(verified.credentialID == FuzzFixtures.credentialID)
            }
        }
    }

    static func replayClientData(_ bytes: [UInt8]) {
        if let clientData = try? CollectedClientData(bytes) {
            #expect(Base64URL.decode(clientData.challenge) == clientData.challengeBytes)
        }
        // The dictionary parse and the in-order member parse accept the same objects.
        switch (JSONValue.parse(bytes), JSONValue.parseObjectMembers(bytes)) {
        case (.success(.object(let dictionary)), .success(let members)):
            #expect(members.count == dictionary.count)
            for member in members { #expect(dictionary[member.key] == member.value) }
        case (.success(.object), .failure), (.success, .success), (.failure, .success):
            Issue.record("JSONValue.parse and JSONValue.parseObjectMembers disagree")
        default:
            break
        }
        _ = JSONValue.parse(bytes, limits: .init(maxDepth: 512, maxBytes: 1 << 20))
        if let decoded = bytes.withUnsafeBufferPointer({ Base64URL.decode(utf8: $0) }) {
            #expect(Array(Base64URL.encode(decoded).utf8) == bytes, "base64url accepted a non-canonical encoding")
        }
        #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
    }
}

// MARK: - Hostile CBOR

/// Asserts that `body` throws a `WebAuthnError` with `code`.
private func expectRejected(_ code: WebAuthnError.Code, _ what: Comment, sourceLocation: SourceLocation = #_sourceLocation,
                            _ body: () throws(WebAuthnError) -> Void) {
    do {
        try body()
        Issue.record("accepted: \(what)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == code, "\(what): \(error)", sourceLocation: sourceLocation)
    }
}

private func expectMalformedCBOR(_ bytes: [UInt8], _ what: Comment, limits: CBORDecoder.Limits = .default,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
    expectRejected(.malformedCBOR, what, sourceLocation: sourceLocation) { () throws(WebAuthnError) in
        _ = try CBORDecoder.decode(bytes, limits: limits)
    }
}

@Suite("Hostile CBOR is refused as malformed_cbor")
struct HostileCBORTests {
    @Test func nesting10000DeepIsRefusedWithoutExhaustingTheStack() {
        let depth = 10_000
        expectMalformedCBOR([UInt8](repeating: 0x81, count: depth) + [0x00], "arrays 10,000 deep")
        expectMalformedCBOR([UInt8](repeating: 0x9F, count: depth) + [UInt8](repeating: 0xFF, count: depth), "indefinite arrays 10,000 deep")
        expectMalformedCBOR(Array([[UInt8]](repeating: [0xA1, 0x00], count: depth).joined()) + [0x00], "maps 10,000 deep")
        expectMalformedCBOR([UInt8](repeating: 0xC6, count: depth) + [0x00], "tags 10,000 deep")
        expectMalformedCBOR([UInt8](repeating: 0x81, count: depth) + [0x00], "arrays 10,000 deep, canonical", limits: .ctap2Canonical)
    }

    @Test func byteStringClaiming2To63BytesIsRefusedBeforeAllocating() {
        expectMalformedCBOR([0x5B, 0x80, 0, 0, 0, 0, 0, 0, 0, 0xAA], "byte string of 2^63 bytes")
        expectMalformedCBOR([0x5B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "byte string of 2^64 - 1 bytes")
        expectMalformedCBOR([0x7B, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x61], "text string of 2^63 bytes")
        expectMalformedCBOR([0x5A, 0x00, 0x01, 0x00, 0x00, 0x01, 0x02], "byte string longer than the input")
        expectMalformedCBOR([0x5F, 0x5B, 0x80, 0, 0, 0, 0, 0, 0, 0, 0xFF], "indefinite byte string with a 2^63-byte chunk")
    }

    @Test func indefiniteContainersNeverClosedAreRefused() {
        expectMalformedCBOR([0xBF], "indefinite map, no entries, no break")
        expectMalformedCBOR([0xBF, 0x01, 0x02, 0x03, 0x04], "indefinite map never closed")
        expectMalformedCBOR([0xBF, 0x01], "indefinite map ending after a key")
        expectMalformedCBOR([0x9F, 0x01, 0x02], "indefinite array never closed")
        expectMalformedCBOR([0x5F, 0x41, 0x00], "indefinite byte string never closed")
        expectMalformedCBOR([0xBF, 0x01, 0x02, 0xFF], "indefinite map in canonical mode", limits: .ctap2Canonical)
    }

    @Test func containerCountsBeyondTheInputAreRefusedBeforeAllocating() {
        expectMalformedCBOR([0xBA, 0x3B, 0x9A, 0xCA, 0x00, 0x01, 0x02], "map claiming 10^9 pairs")
        expectMalformedCBOR([0xBB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "map claiming 2^64 - 1 pairs")
        expectMalformedCBOR([0x9A, 0xFF, 0xFF, 0xFF, 0xFF, 0x00], "array claiming 2^32 - 1 elements")
        expectMalformedCBOR([0xA3, 0x01, 0x02, 0x03, 0x04], "map claiming one pair more than it has")
    }

    @Test func itemCountBombIsRefused() {
        // 5,000 one-byte items: each fits the input, together they exceed the 4,096-item limit.
        expectMalformedCBOR([0x99, 0x13, 0x88] + [UInt8](repeating: 0x00, count: 5_000), "array of 5,000 items")
        // Indefinite byte string of 5,000 empty chunks: chunks count as items too.
        expectMalformedCBOR([0x5F] + [UInt8](repeating: 0x40, count: 5_000) + [0xFF], "5,000 empty string chunks")
    }

    @Test func duplicateMapKeysAreRefused() {
        expectMalformedCBOR([0xA2, 0x01, 0x02, 0x01, 0x03], "integer key 1 twice")
        expectMalformedCBOR([0xA2, 0x63, 0x66, 0x6D, 0x74, 0x01, 0x63, 0x66, 0x6D, 0x74, 0x02], "text key \"fmt\" twice")
        expectMalformedCBOR([0xA2, 0x01, 0x02, 0x18, 0x01, 0x03], "key 1, then 1 in a longer head")
        expectMalformedCBOR([0xBF, 0x20, 0x00, 0x20, 0x01, 0xFF], "key -1 twice in an indefinite map")
        expectMalformedCBOR([0xA2, 0x81, 0x01, 0x00, 0x81, 0x01, 0x00], "array key [1] twice")
        expectMalformedCBOR([0xA2, 0xF9, 0x3C, 0x00, 0x00, 0xFB, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x01], "key 1.0 in half and double precision")
        expectMalformedCBOR([0xA2, 0xF9, 0x7E, 0x00, 0x00, 0xF9, 0x7E, 0x00, 0x01], "NaN key twice, same encoding")
        expectMalformedCBOR([0xA2, 0xF9, 0x7E, 0x00, 0x00, 0xFB, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0, 0x01], "NaN key in half and double precision")
        expectMalformedCBOR([0xA1, 0xA2, 0x01, 0x00, 0x01, 0x00, 0x00], "duplicate keys inside a map used as a key")
    }

    @Test func trailingBytesAreRefused() {
        expectMalformedCBOR([0x01, 0x00], "one byte after an integer")
        expectMalformedCBOR([0xA0, 0xFF], "a break after an empty map")
        expectMalformedCBOR([0x41, 0xAA, 0x41, 0xBB], "two items")
    }

    @Test func invalidUTF8TextIsRefused() {
        expectMalformedCBOR([0x62, 0xC3, 0x28], "invalid continuation byte")
        expectMalformedCBOR([0x62, 0xC0, 0x80], "overlong NUL")
        expectMalformedCBOR([0x63, 0xED, 0xA0, 0x80], "UTF-16 surrogate")
        expectMalformedCBOR([0x64, 0xF4, 0x90, 0x80, 0x80], "code point above U+10FFFF")
        expectMalformedCBOR([0x61, 0xFF], "byte 0xFF")
        expectMalformedCBOR([0x62, 0xE2, 0x82], "truncated sequence")
    }

    @Test func malformedHeadsAreRefused() {
        expectMalformedCBOR([], "empty input")
        expectMalformedCBOR([0xFF], "lone break")
        expectMalformedCBOR([0x1C], "reserved additional information 28")
        expectMalformedCBOR([0x1F], "indefinite length on an integer")
        expectMalformedCBOR([0x19, 0x01], "truncated two-byte argument")
        expectMalformedCBOR([0x1B, 0, 0, 0, 0], "truncated eight-byte argument")
        expectMalformedCBOR([0xF8, 0x10], "simple value below 32 in two-byte form")
        expectMalformedCBOR([0x5F, 0x61, 0x61, 0xFF], "text chunk inside an indefinite byte string")
        expectMalformedCBOR([0x5F, 0x5F, 0xFF, 0xFF], "nested indefinite chunk")
    }

    @Test func canonicalModeRefusesNonCanonicalEncodings() {
        expectMalformedCBOR([0x18, 0x05], "5 in a two-byte head", limits: .ctap2Canonical)
        expectMalformedCBOR([0x59, 0x00, 0x01, 0xAA], "one-byte string with a three-byte head", limits: .ctap2Canonical)
        expectMalformedCBOR([0xA2, 0x03, 0x00, 0x01, 0x00], "keys out of order", limits: .ctap2Canonical)
        expectMalformedCBOR([0xA2, 0x61, 0x61, 0x00, 0x01, 0x00], "longer key first", limits: .ctap2Canonical)
        expectMalformedCBOR([0xF9, 0x3C, 0x00], "a float", limits: .ctap2Canonical)
        expectMalformedCBOR([0x5F, 0x41, 0x00, 0xFF], "indefinite byte string", limits: .ctap2Canonical)
    }

    @Test func oversizedInputIsRefusedUpFront() {
        expectRejected(.malformedCBOR, "attestation object over 64 KiB") { () throws(WebAuthnError) in
            _ = try AttestationObject([0x5A, 0x00, 0x01, 0x00, 0x00] + [UInt8](repeating: 0, count: 65_536))
        }
        expectMalformedCBOR([0x41, 0x00], "input over maxInputBytes", limits: .init(maxInputBytes: 1))
    }
}

// MARK: - Hostile authenticator data

private func expectMalformedAuthData(_ bytes: [UInt8], _ what: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
    expectRejected(.malformedAuthData, what, sourceLocation: sourceLocation) { () throws(WebAuthnError) in
        _ = try AuthenticatorData(bytes)
    }
}

@Suite("Hostile authenticator data is refused as malformed_auth_data")
struct HostileAuthenticatorDataTests {
    static let rpIDHash = [UInt8](repeating: 0x11, count: 32)
    static let aaguid = [UInt8](repeating: 0x22, count: 16)
    /// A valid ES256 COSE_Key.
    static let key = FuzzFixtures.credentialPublicKeyCOSE

    static func header(flags: UInt8) -> [UInt8] { rpIDHash + [flags, 0, 0, 0, 1] }

    @Test func fixtureKeyParses() throws {
        let parsed = try AuthenticatorData(Self.header(flags: 0x45) + Self.aaguid + [0x00, 0x02, 0xAB, 0xCD] + Self.key)
        #expect(parsed.attestedCredential?.credentialID == [0xAB, 0xCD])
    }

    @Test func credentialIDLengthPastTheEndIsRefused() {
        expectMalformedAuthData(Self.header(flags: 0x45) + Self.aaguid + [0xFF, 0xFF] + [0xAB, 0xCD], "ID length 65,535 with 2 bytes left")
        expectMalformedAuthData(Self.header(flags: 0x45) + Self.aaguid + [0x00, 0x03] + [0xAB, 0xCD], "ID length one past the end")
        expectMalformedAuthData(Self.header(flags: 0x45) + Self.aaguid + [0x04, 0x00] + Self.key, "ID length 1,024 past the end")
    }

    @Test func credentialIDThatSwallowsTheKeyIsRefused() {
        // The ID length spans the key bytes exactly: nothing is left for the COSE key.
        let id = Self.key
        expectMalformedAuthData(Self.header(flags: 0x45) + Self.aaguid + [0x00, UInt8(id.count)] + id, "no key after the ID")
    }

    @Test func tooShortAuthenticatorDataIsRefused() {
        for length in [0, 1, 32, 33, 36] {
            expectMalformedAuthData([UInt8](repeating: 0x45, count: length), "\(length) bytes")
        }
    }

    @Test func truncatedAttestedCredentialDataIsRefused() {
        expectMalformedAuthData(Self.header(flags: 0x45), "AT set, nothing after the counter")
        expectMalformedAuthData(Self.header(flags: 0x45) + Self.aaguid + [0x00], "AT set, half an ID length")
        expectMalformedAuthData(Self.header(flags: 0x45) + Self.aaguid + [0x00, 0x01, 0xAB] + Self.key.dropLast(), "key cut short")
    }

    @Test func hostileCOSEKeyInsideAuthenticatorDataIsRefused() {
        let prefix = Self.header(flags: 0x45) + Self.aaguid + [0x00, 0x01, 0xAB]
        expectMalformedAuthData(prefix + [UInt8](repeating: 0x81, count: 10_000) + [0x00], "key nested 10,000 deep")
        expectMalformedAuthData(prefix + [0xBA, 0x3B, 0x9A, 0xCA, 0x00], "key claiming 10^9 pairs")
        expectMalformedAuthData(prefix + [0x5B, 0x80, 0, 0, 0, 0, 0, 0, 0], "key claiming 2^63 bytes")
        expectMalformedAuthData(prefix + [0xBF, 0x01, 0x02], "key as an unclosed indefinite map")
    }

    @Test func malformedExtensionsAreRefused() {
        expectMalformedAuthData(Self.header(flags: 0x81), "ED set, no extensions")
        expectMalformedAuthData(Self.header(flags: 0x81) + [0x01], "extensions not a map")
        expectMalformedAuthData(Self.header(flags: 0x81) + [0xA2, 0x01, 0x00, 0x01, 0x00], "extensions with a duplicate key")
        expectMalformedAuthData(Self.header(flags: 0x81) + [0xBF, 0x01, 0x00], "extensions as an unclosed indefinite map")
        expectMalformedAuthData(Self.header(flags: 0x81) + [UInt8](repeating: 0xA1, count: 5_000), "extensions nested 2,500 deep")
    }

    @Test func trailingBytesAreRefused() {
        expectMalformedAuthData(Self.header(flags: 0x01) + [0x00], "byte after a plain assertion's data")
        expectMalformedAuthData(Self.header(flags: 0x45) + Self.aaguid + [0x00, 0x01, 0xAB] + Self.key + [0xA0], "map after the key without ED")
        expectMalformedAuthData(Self.header(flags: 0x81) + [0xA0, 0x00], "byte after the extensions")
    }

    @Test func hostileAuthenticatorDataInsideAnAttestationObjectIsRefused() {
        let authData = Self.header(flags: 0x45) + Self.aaguid + [0xFF, 0xFF]
        var object: [UInt8] = [0xA3, 0x63] + Array("fmt".utf8) + [0x64] + Array("none".utf8)
        object += [0x67] + Array("attStmt".utf8) + [0xA0]
        object += [0x68] + Array("authData".utf8) + [0x58, UInt8(authData.count)] + authData
        expectRejected(.malformedAuthData, "credential ID past the end, via AttestationObject") { () throws(WebAuthnError) in
            _ = try AttestationObject(object)
        }
    }
}
