/// The `payment` member of a Secure Payment Confirmation assertion's client data
/// (W3C SPC §4.1.3 / §5 "CollectedClientPaymentData"): what the browser showed the payer.
public struct PaymentData: Sendable, Equatable, Codable {
    public struct Amount: Sendable, Equatable, Codable {
        public var currency: String
        public var value: String
        public init(currency: String, value: String) {
            self.currency = currency
            self.value = value
        }
    }

    public struct Instrument: Sendable, Equatable, Codable {
        public var displayName: String
        public var icon: String
        public init(displayName: String, icon: String) {
            self.displayName = displayName
            self.icon = icon
        }
    }

    public var rpId: String
    public var topOrigin: String
    public var payeeName: String?
    public var payeeOrigin: String?
    public var total: Amount
    public var instrument: Instrument

    public init(rpId: String, topOrigin: String, payeeName: String?, payeeOrigin: String?, total: Amount, instrument: Instrument) {
        self.rpId = rpId
        self.topOrigin = topOrigin
        self.payeeName = payeeName
        self.payeeOrigin = payeeOrigin
        self.total = total
        self.instrument = instrument
    }

    init(_ json: JSONValue) throws(WebAuthnError) {
        func text(_ value: JSONValue?, _ name: String) throws(WebAuthnError) -> String {
            guard let string = value?.stringValue else { throw WebAuthnError(.paymentDataMissing, "clientDataJSON.payment.\(name) is missing") }
            return string
        }
        func optionalText(_ value: JSONValue?, _ name: String) throws(WebAuthnError) -> String? {
            guard let value, value != .null else { return nil }
            return try text(value, name)
        }
        rpId = try text(json["rpId"], "rpId")
        topOrigin = try text(json["topOrigin"], "topOrigin")
        payeeName = try optionalText(json["payeeName"], "payeeName")
        payeeOrigin = try optionalText(json["payeeOrigin"], "payeeOrigin")
        guard payeeName != nil || payeeOrigin != nil else {
            throw WebAuthnError(.paymentDataMissing, "clientDataJSON.payment needs payeeName or payeeOrigin")
        }
        total = Amount(currency: try text(json["total"]?["currency"], "total.currency"), value: try text(json["total"]?["value"], "total.value"))
        instrument = Instrument(displayName: try text(json["instrument"]?["displayName"], "instrument.displayName"),
                                icon: try text(json["instrument"]?["icon"], "instrument.icon"))
    }
}

public struct VerifiedPayment: Sendable {
    public let authentication: VerifiedAuthentication
    public let payment: PaymentData
}

/// Verifying a Secure Payment Confirmation assertion (W3C SPC §4.1 "Verifying an assertion"):
/// the WebAuthn §7.2 steps with type `payment.get`, where `origin` is the merchant page that
/// called SPC (the relying party's `origins` list holds the merchant origins allowed), plus the
/// payment fields. With `expected`, every field the payer saw is compared with the
/// transaction; any difference is `payment_mismatch`.
public enum SecurePaymentConfirmation {
    public static let clientDataType = "payment.get"

    public static func verify(
        _ response: AuthenticationResponseJSON,
        challenge: [UInt8],
        credential record: CredentialRecord,
        relyingParty: RelyingParty,
        expected: PaymentData? = nil,
        userVerification: UserVerificationRequirement = .required,
        policy: AuthenticationPolicy = AuthenticationPolicy()
    ) throws(WebAuthnError) -> VerifiedPayment {
        if record.paymentEnabled == false {
            throw WebAuthnError(.paymentNotEnabled, "the credential was not registered for Secure Payment Confirmation")
        }
        let expectations = AuthenticationExpectations(challenge: challenge, userVerification: userVerification, type: clientDataType, userIdentified: true)
        let authentication = try AuthenticationCeremony.verify(response, expecting: expectations, credential: record, relyingParty: relyingParty, policy: policy)
        guard let json = authentication.clientData.payment else {
            throw WebAuthnError(.paymentDataMissing, "clientDataJSON has no payment member")
        }
        let payment = try PaymentData(json)
        // The assertion must be for this RP: the browser put the RP ID it used in payment.rpId.
        guard payment.rpId == relyingParty.id else {
            throw WebAuthnError(.rpIdMismatch, "payment.rpId \(payment.rpId) is not this relying party")
        }
        if let expected {
            try compare(payment, with: expected)
        }
        return VerifiedPayment(authentication: authentication, payment: payment)
    }

    /// Field by field, naming the first field that differs (for logs; customers see a generic refusal).
    static func compare(_ payment: PaymentData, with expected: PaymentData) throws(WebAuthnError) {
        let fields: [(String, Bool)] = [
            ("topOrigin", payment.topOrigin == expected.topOrigin),
            ("payeeName", payment.payeeName == expected.payeeName),
            ("payeeOrigin", payment.payeeOrigin == expected.payeeOrigin),
            ("total.currency", payment.total.currency == expected.total.currency),
            ("total.value", payment.total.value == expected.total.value),
            ("instrument.displayName", payment.instrument.displayName == expected.instrument.displayName),
            ("instrument.icon", payment.instrument.icon == expected.instrument.icon),
        ]
        if let mismatch = fields.first(where: { !$0.1 }) {
            throw WebAuthnError(.paymentMismatch, "payment.\(mismatch.0) differs from the transaction")
        }
    }
}
