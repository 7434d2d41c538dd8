import Crypto

/// `CollectedClientData` (WebAuthn L3 §5.8.1), parsed from the exact bytes the authenticator
/// signed over. Members the spec does not name are ignored, as browsers may add them.
public struct CollectedClientData: Sendable {
    public let bytes: [UInt8]
    public let type: String
    /// The challenge as sent (base64url); compare with `challengeBytes`.
    public let challenge: String
    public let challengeBytes: [UInt8]
    public let origin: String
    public let topOrigin: String?
    public let crossOrigin: Bool
    /// The `payment` member of a Secure Payment Confirmation `payment.get` ceremony.
    public let payment: JSONValue?
    /// Every member, in order, including those the spec does not name.
    public let members: [JSONMember]

    /// Largest clientDataJSON accepted: browsers send a few hundred bytes.
    public static let maxBytes = 16 * 1024

    public init(_ bytes: [UInt8]) throws(WebAuthnError) {
        guard bytes.count <= Self.maxBytes else {
            throw WebAuthnError(.malformedClientData, "clientDataJSON of \(bytes.count) bytes exceeds \(Self.maxBytes)")
        }
        let json: [JSONMember]
        switch JSONValue.parseObjectMembers(bytes, limits: .init(maxDepth: 8, maxBytes: Self.maxBytes)) {
        case .success(let members): json = members
        case .failure(let error):
            throw WebAuthnError(.malformedClientData, "clientDataJSON is not a valid JSON object at byte \(error.offset): \(error.reason)")
        }
        guard let type = json["type"]?.stringValue else { throw WebAuthnError(.malformedClientData, "clientDataJSON.type is missing") }
        guard let challenge = json["challenge"]?.stringValue else { throw WebAuthnError(.malformedClientData, "clientDataJSON.challenge is missing") }
        guard let origin = json["origin"]?.stringValue else { throw WebAuthnError(.malformedClientData, "clientDataJSON.origin is missing") }
        guard let challengeBytes = Base64URL.decode(challenge) else {
            throw WebAuthnError(.challengeMismatch, "clientDataJSON.challenge is not base64url")
        }
        var crossOrigin = false
        if let value = json["crossOrigin"] {
            guard let flag = value.boolValue else { throw WebAuthnError(.malformedClientData, "clientDataJSON.crossOrigin is not a boolean") }
            crossOrigin = flag
        }
        var topOrigin: String? = nil
        if let value = json["topOrigin"] {
            guard let string = value.stringValue else { throw WebAuthnError(.malformedClientData, "clientDataJSON.topOrigin is not a string") }
            topOrigin = string
        }
        // Token binding left WebAuthn in L3; an object with a status other than the two
        // L2 defined still means a client we cannot trust to have built this honestly.
        if let tokenBinding = json["tokenBinding"], case .object = tokenBinding, let status = tokenBinding["status"] {
            guard status == .string("present") || status == .string("supported") else {
                throw WebAuthnError(.malformedClientData, "clientDataJSON.tokenBinding.status has an unknown value")
            }
        }
        self.bytes = bytes
        self.type = type
        self.challenge = challenge
        self.challengeBytes = challengeBytes
        self.origin = origin
        self.topOrigin = topOrigin
        self.crossOrigin = crossOrigin
        self.payment = json["payment"]
        self.members = json
    }

    public var hash: [UInt8] { Array(SHA256.hash(data: bytes)) }
}
