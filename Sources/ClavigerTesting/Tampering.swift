import WebAuthn

/// How one member of `clientDataJSON` is written.
public enum ClientDataMember: Sendable, Equatable {
    /// What a browser writes (or omits, for optional members).
    case standard
    /// Left out entirely.
    case omitted
    /// Written with this value (which may be of the wrong JSON type on purpose).
    case value(OrderedJSON)

    public static func string(_ value: String) -> ClientDataMember { .value(.string(value)) }
    public static func bool(_ value: Bool) -> ClientDataMember { .value(.bool(value)) }
}

/// Deviations from an honest ceremony, for negative tests. Every member defaults to "honest".
/// The hooks run in ceremony order: client data, authenticator data, then signatures and the
/// attestation statement are computed over the (possibly mutated) bytes, then the statement hook.
public struct Tampering: Sendable {
    // clientDataJSON
    public var type: ClientDataMember = .standard
    public var challenge: ClientDataMember = .standard
    public var origin: ClientDataMember = .standard
    public var crossOrigin: ClientDataMember = .standard
    public var topOrigin: ClientDataMember = .standard
    /// Members appended after the standard ones (browsers may add members; see L3 §5.8.1.2).
    public var extraClientDataMembers: [OrderedJSON.Member] = []
    /// Replaces the whole `clientDataJSON` with these bytes (signatures still cover them).
    public var clientDataJSON: [UInt8]? = nil

    // authenticatorData
    /// The RP ID whose SHA-256 goes into `rpIdHash` instead of the ceremony's.
    public var rpIDForHash: String? = nil
    /// The exact `rpIdHash` bytes (wins over `rpIDForHash`).
    public var rpIDHash: [UInt8]? = nil
    /// The exact flags byte (AT and ED are not adjusted).
    public var flags: AuthenticatorData.Flags? = nil
    /// The exact signature counter.
    public var signCount: UInt32? = nil
    /// Rewrites the authenticator data bytes after they are built, before anything signs them.
    public var mutateAuthenticatorData: (@Sendable ([UInt8]) -> [UInt8])? = nil

    // Signatures and statements
    /// Signs the assertion (and self / android-key attestation) with this key instead of the credential key.
    public var signingKey: CredentialPrivateKey? = nil
    /// Signs packed basic / fido-u2f / tpm statements with this key instead of the certified one.
    public var attestationKey: AttestationSigningKey? = nil
    /// Rewrites the assertion signature.
    public var mutateSignature: (@Sendable ([UInt8]) -> [UInt8])? = nil
    /// Rewrites the attestation statement (`attStmt`; an array of `{fmt, attStmt}` for compound).
    public var mutateStatement: (@Sendable (CBOR) -> CBOR)? = nil
    /// Replaces the `fmt` written in the attestation object.
    public var format: String? = nil
    /// Sends this `userHandle` in the assertion (`.some(nil)` omits it).
    public var userHandle: [UInt8]?? = nil

    public init() {}

    public static let none = Tampering()

    /// Builds a tampering with a closure, for one-line negative tests:
    /// `Tampering { $0.origin = .string("https://evil.example") }`.
    public init(_ configure: (inout Tampering) -> Void) {
        self.init()
        configure(&self)
    }
}

/// The `payment` member of a Secure Payment Confirmation `payment.get` client data.
public struct PaymentClientData: Sendable {
    /// The same shapes the verifier returns, so tests compare like with like.
    public typealias Amount = PaymentData.Amount
    public typealias Instrument = PaymentData.Instrument

    public var rpID: String
    public var topOrigin: String
    public var payeeName: String?
    public var payeeOrigin: String?
    public var total: Amount
    public var instrument: Instrument
    /// Members appended to `payment` (or replacing one with the same key).
    public var extraMembers: [OrderedJSON.Member] = []

    public init(rpID: String, topOrigin: String, payeeName: String? = nil, payeeOrigin: String? = nil, total: Amount, instrument: Instrument) {
        self.rpID = rpID
        self.topOrigin = topOrigin
        self.payeeName = payeeName
        self.payeeOrigin = payeeOrigin
        self.total = total
        self.instrument = instrument
    }

    /// The member as Chrome serializes it.
    public var json: OrderedJSON {
        var members: [OrderedJSON.Member] = [.init("rpId", .string(rpID)), .init("topOrigin", .string(topOrigin))]
        if let payeeName { members.append(.init("payeeName", .string(payeeName))) }
        if let payeeOrigin { members.append(.init("payeeOrigin", .string(payeeOrigin))) }
        members.append(.init("total", .object([.init("value", .string(total.value)), .init("currency", .string(total.currency))])))
        members.append(.init("instrument", .object([.init("icon", .string(instrument.icon)), .init("displayName", .string(instrument.displayName))])))
        for extra in extraMembers {
            if let index = members.firstIndex(where: { $0.key == extra.key }) { members[index] = extra } else { members.append(extra) }
        }
        return .object(members)
    }
}
