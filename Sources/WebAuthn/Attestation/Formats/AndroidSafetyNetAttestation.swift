import Foundation
import Crypto
import X509

/// `android-safetynet` (WebAuthn L3 §8.5): a SafetyNet Attestation API response, a compact
/// JWS signed by Google's `attest.android.com` certificate, whose nonce commits to
/// `authenticatorData || clientDataHash`.
///
/// Google has deprecated the SafetyNet Attestation API; the format is refused
/// (`format_not_allowed`) unless `AttestationOptions.allowSafetyNet` is set.
///
/// Statement: `{ver, response}`, `response` being the UTF-8 bytes of the JWS.
public enum AndroidSafetyNetAttestation: AttestationFormatVerifier {
    public static let identifier = "android-safetynet"

    /// Real responses are about 5–9 KiB; anything above this is refused before parsing.
    static let maxResponseBytes = 64 * 1024
    static let maxCertificates = 8
    /// The hostname the JWS signing certificate must be issued to.
    static let attestationHostname = "attest.android.com"
    /// How far in the future of `options.now` a `timestampMs` may be (clock skew).
    static let maxFutureSkewSeconds: Double = 30

    public static func verify(_ input: AttestationInput) throws(WebAuthnError) -> AttestationStatementResult {
        guard input.options.allowSafetyNet else {
            throw WebAuthnError(.formatNotAllowed, "android-safetynet is deprecated and not allowed by this relying party")
        }
        // Step 1: attStmt is CBOR conforming to the syntax; extract its members.
        let reader = StatementReader(format: identifier, statement: input.statement)
        try reader.allowOnly(["ver", "response"])
        let version = try reader.text("ver")
        guard !version.isEmpty else { throw .statement("android-safetynet: attStmt.ver must not be empty") }
        let response = try reader.bytes("response")

        // Step 2: response is a valid SafetyNet response: a JWS whose signature verifies with
        // the leaf of its x5c header (the chain to a root is checked by the ceremony).
        let jws = try CompactJWS(response)
        let chain = try jws.certificateChain()
        guard let leaf = chain.first else { throw .statement("android-safetynet: JWS x5c is empty") }
        try jws.verifySignature(with: leaf)

        // Step 3: nonce = Base64(SHA-256(authenticatorData || clientDataHash)).
        let payload = jws.payload
        guard let nonceText = payload["nonce"]?.stringValue, let nonce = Base64URL.decodeStandard(nonceText) else {
            throw .statement("android-safetynet: payload has no base64 nonce")
        }
        guard bytesEqual(nonce, Array(SHA256.hash(data: input.signedData))) else {
            throw .statement("android-safetynet: payload nonce is not SHA-256(authenticatorData || clientDataHash)")
        }

        // Step 4: the response came from the SafetyNet service: the signing certificate is
        // issued to attest.android.com.
        guard isIssued(to: attestationHostname, leaf) else {
            throw .statement("android-safetynet: JWS signing certificate is not issued to \(attestationHostname)")
        }

        // Step 5: ctsProfileMatch is true (unless the relying party turned the check off).
        let ctsProfileMatch = payload["ctsProfileMatch"]
        guard ctsProfileMatch == nil || ctsProfileMatch?.boolValue != nil else {
            throw .statement("android-safetynet: payload ctsProfileMatch is not a boolean")
        }
        if input.options.safetyNetRequireCTSProfileMatch && ctsProfileMatch?.boolValue != true {
            throw .statement("android-safetynet: payload ctsProfileMatch is not true")
        }

        // Google's guidance: the attestation is fresh. Not older than the allowed age, and not
        // from the future beyond a small clock skew.
        try checkTimestamp(payload, options: input.options)

        // Step 6: attestation type Basic, trust path x5c.
        return AttestationStatementResult(type: .basic, trustPath: chain)
    }

    static func checkTimestamp(_ payload: JSONValue, options: AttestationOptions) throws(WebAuthnError) {
        guard let timestampMs = payload["timestampMs"]?.numberValue, timestampMs.isFinite, timestampMs >= 0 else {
            throw .statement("android-safetynet: payload has no numeric timestampMs")
        }
        let nowMs = options.now.timeIntervalSince1970 * 1000
        guard timestampMs <= nowMs + maxFutureSkewSeconds * 1000 else {
            throw .statement("android-safetynet: payload timestampMs is in the future")
        }
        guard nowMs - timestampMs <= options.safetyNetMaxAgeSeconds * 1000 else {
            throw .statement("android-safetynet: payload timestampMs is older than \(options.safetyNetMaxAgeSeconds) seconds")
        }
    }

    /// The certificate names `hostname` as a SAN dNSName or as its subject common name.
    static func isIssued(to hostname: String, _ certificate: Certificate) -> Bool {
        if let names = try? certificate.extensions.subjectAlternativeNames {
            for name in names {
                if case .dnsName(let dns) = name, dns.lowercased() == hostname { return true }
            }
        }
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                if String(attribute.value)?.lowercased() == hostname { return true }
            }
        }
        return false
    }
}

/// A JWS in compact serialization (RFC 7515 §7.1), parsed strictly: three base64url parts,
/// a JSON object header and payload, parsed by the strict `JSONValue` parser.
struct CompactJWS {
    let header: JSONValue
    let payload: JSONValue
    let signature: [UInt8]
    /// `ASCII(BASE64URL(header) || "." || BASE64URL(payload))`, the signed bytes.
    let signingInput: [UInt8]
    let algorithm: String

    init(_ bytes: [UInt8]) throws(WebAuthnError) {
        guard bytes.count <= AndroidSafetyNetAttestation.maxResponseBytes else {
            throw .statement("android-safetynet: response of \(bytes.count) bytes exceeds \(AndroidSafetyNetAttestation.maxResponseBytes)")
        }
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, let headerPart = parts.first, let signaturePart = parts.last else {
            throw .statement("android-safetynet: response is not a compact JWS (three dot-separated parts)")
        }
        let payloadPart = parts[parts.index(after: parts.startIndex)]
        func decode(_ part: ArraySlice<UInt8>, _ name: String) throws(WebAuthnError) -> [UInt8] {
            let decoded = Array(part).withUnsafeBufferPointer { Base64URL.decode(utf8: $0) }
            guard let decoded else { throw .statement("android-safetynet: JWS \(name) is not base64url") }
            return decoded
        }
        func object(_ bytes: [UInt8], _ name: String) throws(WebAuthnError) -> JSONValue {
            switch JSONValue.parse(bytes) {
            case .success(let value):
                guard case .object = value else { throw .statement("android-safetynet: JWS \(name) is not a JSON object") }
                return value
            case .failure(let error):
                throw .statement("android-safetynet: JWS \(name) is not valid JSON (\(error.reason) at \(error.offset))")
            }
        }
        header = try object(try decode(headerPart, "header"), "header")
        payload = try object(try decode(payloadPart, "payload"), "payload")
        signature = try decode(signaturePart, "signature")
        signingInput = Array(headerPart) + [UInt8(ascii: ".")] + Array(payloadPart)

        guard let alg = header["alg"]?.stringValue else { throw .statement("android-safetynet: JWS header has no alg") }
        guard alg == "RS256" || alg == "ES256" else {
            throw WebAuthnError(.unsupportedAlgorithm, "android-safetynet: JWS alg \(alg) is not RS256 or ES256")
        }
        // RFC 7515 §4.1.11: extensions we do not understand must not be marked critical.
        guard header["crit"] == nil else { throw .statement("android-safetynet: JWS header has critical extensions") }
        algorithm = alg
    }

    /// The `x5c` header: standard-base64 DER certificates, leaf first (RFC 7515 §4.1.6).
    func certificateChain() throws(WebAuthnError) -> [Certificate] {
        guard let entries = header["x5c"]?.arrayValue, !entries.isEmpty, entries.count <= AndroidSafetyNetAttestation.maxCertificates else {
            throw .statement("android-safetynet: JWS header x5c must hold 1 to \(AndroidSafetyNetAttestation.maxCertificates) certificates")
        }
        var chain: [Certificate] = []
        for (index, entry) in entries.enumerated() {
            guard let text = entry.stringValue, let der = Base64URL.decodeStandard(text) else {
                throw .statement("android-safetynet: JWS x5c[\(index)] is not standard base64")
            }
            chain.append(try Certificate.parse(der: der, field: "android-safetynet JWS x5c[\(index)]"))
        }
        return chain
    }

    /// Verifies the JWS signature with the leaf certificate's key (RFC 7518 §3.3 RS256,
    /// §3.4 ES256: the raw 64-byte R || S, not DER).
    func verifySignature(with leaf: Certificate) throws(WebAuthnError) {
        let valid: Bool
        switch algorithm {
        case "ES256":
            guard let key = P256.Signing.PublicKey(leaf.publicKey) else {
                throw .statement("android-safetynet: JWS alg ES256 does not fit the signing certificate key")
            }
            guard let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else {
                throw WebAuthnError(.badSignature, "android-safetynet: JWS ES256 signature is not 64 bytes")
            }
            valid = key.isValidSignature(ecdsa, for: signingInput)
        default:
            let key = try COSEKey(certificateKey: leaf.publicKey, algorithm: .rs256)
            valid = key.isValidSignature(signature, over: signingInput)
        }
        guard valid else {
            throw WebAuthnError(.badSignature, "android-safetynet: JWS signature does not verify with the x5c leaf key")
        }
    }
}
