/// The attestation object (WebAuthn L3 §6.5): `{fmt, attStmt, authData}` in CBOR.
public struct AttestationObject: Sendable {
    /// Attestation objects carry certificate chains; 64 KiB is generous for the largest real ones.
    public static let maxBytes = 64 * 1024

    public let format: String
    public let statement: CBOR
    public let authenticatorData: AuthenticatorData

    /// §7.1 step 12: CBOR-decode the attestation object.
    public init(_ bytes: [UInt8]) throws(WebAuthnError) {
        guard bytes.count <= Self.maxBytes else {
            throw .cbor("attestation object of \(bytes.count) bytes exceeds \(Self.maxBytes)")
        }
        let item = try CBORDecoder.decode(bytes, limits: .init(maxDepth: 8, maxItems: 1024, maxInputBytes: Self.maxBytes))
        guard case .map(let pairs) = item else { throw .cbor("attestation object is not a map") }
        guard let format = item[text: "fmt"]?.textValue else { throw .cbor("attestation object has no text fmt") }
        // attStmt is a map, except for compound (§8.9) where it is an array of statements.
        guard let statement = item[text: "attStmt"], statement.mapValue != nil || (format == CompoundAttestation.identifier && statement.arrayValue != nil) else {
            throw .cbor("attestation object has no attStmt map")
        }
        guard let authData = item[text: "authData"]?.bytesValue else { throw .cbor("attestation object has no authData byte string") }
        guard pairs.count == 3 else { throw .cbor("attestation object has members other than fmt, attStmt and authData") }
        self.format = format
        self.statement = statement
        self.authenticatorData = try AuthenticatorData(authData)
    }
}
