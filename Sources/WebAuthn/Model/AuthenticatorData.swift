/// Authenticator data (WebAuthn L3 §6.1), parsed strictly: flags must agree with what
/// follows (AT with attested credential data, ED with extensions) and nothing may trail.
public struct AuthenticatorData: Sendable {
    /// Credential IDs longer than this are refused (L3 §7.1 step 25 / §5.4.3: 1023 bytes).
    public static let maxCredentialIDLength = 1023

    public let bytes: [UInt8]
    public let rpIDHash: [UInt8]
    public let flags: Flags
    public let signCount: UInt32
    public let attestedCredential: AttestedCredentialData?
    /// The authenticator extension outputs (a CBOR map), when ED is set.
    public let extensions: CBOR?

    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let userPresent = Flags(rawValue: 0x01)
        public static let userVerified = Flags(rawValue: 0x04)
        public static let backupEligible = Flags(rawValue: 0x08)
        public static let backupState = Flags(rawValue: 0x10)
        public static let attestedCredentialData = Flags(rawValue: 0x40)
        public static let extensionData = Flags(rawValue: 0x80)

        public var userPresent: Bool { contains(.userPresent) }
        public var userVerified: Bool { contains(.userVerified) }
        public var backupEligible: Bool { contains(.backupEligible) }
        public var backupState: Bool { contains(.backupState) }
    }

    public struct AttestedCredentialData: Sendable {
        public let aaguid: AAGUID
        public let credentialID: [UInt8]
        public let publicKey: COSEKey
    }

    public init(_ bytes: [UInt8]) throws(WebAuthnError) {
        guard bytes.count >= 37 else { throw .authData("authenticator data is \(bytes.count) bytes, at least 37 needed") }
        self.bytes = bytes
        rpIDHash = Array(bytes[0..<32])
        flags = Flags(rawValue: bytes[32])
        signCount = UInt32(bytes[33]) << 24 | UInt32(bytes[34]) << 16 | UInt32(bytes[35]) << 8 | UInt32(bytes[36])
        var offset = 37

        if flags.contains(.attestedCredentialData) {
            guard bytes.count - offset >= 18 else { throw .authData("attested credential data is truncated") }
            let aaguid = AAGUID(validated: Array(bytes[offset..<(offset + 16)]))
            let idLength = Int(bytes[offset + 16]) << 8 | Int(bytes[offset + 17])
            offset += 18
            guard bytes.count - offset >= idLength else { throw .authData("credential ID runs past the end of authenticator data") }
            guard idLength <= Self.maxCredentialIDLength else {
                throw WebAuthnError(.credentialIdTooLong, "credential ID of \(idLength) bytes exceeds \(Self.maxCredentialIDLength)")
            }
            let credentialID = Array(bytes[offset..<(offset + idLength)])
            offset += idLength
            let keyStart = offset
            let item: CBOR
            do {
                (item, offset) = try CBORDecoder.decodePrefix(bytes, at: keyStart, limits: .init(maxDepth: 2, maxItems: 64))
            } catch {
                throw .authData("credential public key is not valid CBOR: \(error.message)")
            }
            let key = try COSEKey(item: item, encoded: Array(bytes[keyStart..<offset]))
            attestedCredential = AttestedCredentialData(aaguid: aaguid, credentialID: credentialID, publicKey: key)
        } else {
            attestedCredential = nil
        }

        if flags.contains(.extensionData) {
            let item: CBOR
            do {
                (item, offset) = try CBORDecoder.decodePrefix(bytes, at: offset, limits: .init(maxDepth: 8, maxItems: 256))
            } catch {
                throw .authData("extension data is not valid CBOR: \(error.message)")
            }
            guard case .map = item else { throw .authData("extension data is not a CBOR map") }
            extensions = item
        } else {
            extensions = nil
        }

        guard offset == bytes.count else {
            throw .authData("\(bytes.count - offset) unexpected bytes after authenticator data (flags 0x\(String(flags.rawValue, radix: 16)))")
        }
    }
}
