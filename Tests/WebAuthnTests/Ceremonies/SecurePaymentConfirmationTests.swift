import Foundation
import Testing
@testable import ClavigerTesting
@testable import WebAuthn

/// Secure Payment Confirmation (W3C SPC §4.1.3 / §5): a `payment.get` assertion verifies with
/// the payment the payer saw; anything else, or any difference from the transaction, is refused.
@Suite("Secure Payment Confirmation verification rejects with the exact code")
struct SecurePaymentConfirmationTests {
    typealias Fixture = CeremonyStepFixture

    static let merchantOrigin = "https://shop.example"
    /// The bank's RP ID; SPC runs on the merchant page, so the merchant origin is listed.
    static let relyingParty = RelyingParty(id: Fixture.rpID, origins: [Fixture.origin, merchantOrigin])

    static let shown = PaymentClientData(
        rpID: Fixture.rpID, topOrigin: merchantOrigin, payeeName: "Example Shop", payeeOrigin: merchantOrigin,
        total: .init(currency: "EUR", value: "129.90"), instrument: .init(displayName: "Visa •••• 4242", icon: "https://bank.example/cards/visa.png"))

    /// The transaction the bank recorded, equal to what was shown.
    static let transaction = PaymentData(
        rpId: Fixture.rpID, topOrigin: merchantOrigin, payeeName: "Example Shop", payeeOrigin: merchantOrigin,
        total: .init(currency: "EUR", value: "129.90"), instrument: .init(displayName: "Visa •••• 4242", icon: "https://bank.example/cards/visa.png"))

    /// An enrolled payment credential and one SPC sign-off.
    struct Payment {
        var authenticator = SoftwareAuthenticator()
        var credential: StoredCredential
        var record: CredentialRecord
        var challenge = Fixture.challenge()
        var relyingParty = SecurePaymentConfirmationTests.relyingParty

        init() throws {
            let (_, stored) = try authenticator.register(rpID: Fixture.rpID, origin: Fixture.origin, challenge: Fixture.challenge(), userHandle: [7, 7])
            credential = stored
            record = CredentialRecord(id: stored.id, publicKey: stored.publicKey, signCount: 0, backupEligible: false, backupState: false, userHandle: [7, 7])
        }

        mutating func response(_ payment: PaymentClientData = SecurePaymentConfirmationTests.shown, tampering: Tampering = .none) throws -> AuthenticationResponseJSON {
            try authenticator.authenticatePayment(credential: &credential, origin: SecurePaymentConfirmationTests.merchantOrigin, challenge: challenge,
                                                  payment: payment, tampering: tampering)
        }

        func verify(_ response: AuthenticationResponseJSON, expected: PaymentData? = nil) -> Result<VerifiedPayment, WebAuthnError> {
            do {
                return .success(try SecurePaymentConfirmation.verify(response, challenge: challenge, credential: record, relyingParty: relyingParty, expected: expected))
            } catch {
                return .failure(error)
            }
        }
    }

    @Test func payment_assertion_verifies_and_returns_what_the_payer_saw() throws {
        var payment = try Payment()
        let verified = try payment.verify(try payment.response(), expected: Self.transaction).mustVerify()
        #expect(verified.payment == Self.transaction)
        #expect(verified.payment.rpId == Fixture.rpID)
        #expect(verified.payment.topOrigin == Self.merchantOrigin)
        #expect(verified.payment.payeeName == "Example Shop")
        #expect(verified.payment.payeeOrigin == Self.merchantOrigin)
        #expect(verified.payment.total == PaymentData.Amount(currency: "EUR", value: "129.90"))
        #expect(verified.payment.instrument == PaymentData.Instrument(displayName: "Visa •••• 4242", icon: "https://bank.example/cards/visa.png"))
        #expect(verified.authentication.clientData.type == "payment.get")
        #expect(verified.authentication.clientData.origin == Self.merchantOrigin)
        #expect(verified.authentication.newSignCount == 1)
        // Without `expected` the same assertion verifies and reports the payment for the caller to compare.
        #expect(try payment.verify(try payment.response()).mustVerify().payment == Self.transaction)
    }

    @Test func payee_name_or_payee_origin_alone_is_enough() throws {
        var payment = try Payment()
        var onlyName = Self.shown
        onlyName.payeeOrigin = nil
        #expect(try payment.verify(try payment.response(onlyName)).mustVerify().payment.payeeOrigin == nil)
        var onlyOrigin = Self.shown
        onlyOrigin.payeeName = nil
        #expect(try payment.verify(try payment.response(onlyOrigin)).mustVerify().payment.payeeName == nil)
    }

    @Test func login_assertion_is_refused_by_payment_verification() throws {
        var payment = try Payment()
        try payment.verify(try payment.response()).mustVerify()
        let login = try payment.authenticator.authenticate(credential: &payment.credential, origin: Fixture.origin, challenge: payment.challenge)
        payment.verify(login).mustFail(with: .typeMismatch)
    }

    @Test func payment_assertion_is_refused_as_a_login() throws {
        var payment = try Payment()
        let response = try payment.response()
        try payment.verify(response).mustVerify()
        let expectations = AuthenticationExpectations(challenge: payment.challenge)
        let login: Result<VerifiedAuthentication, WebAuthnError>
        do {
            login = .success(try AuthenticationCeremony.verify(response, expecting: expectations, credential: payment.record, relyingParty: payment.relyingParty))
        } catch {
            login = .failure(error)
        }
        login.mustFail(with: .typeMismatch)
    }

    @Test func payment_assertion_without_the_payment_member_is_rejected() throws {
        var payment = try Payment()
        try payment.verify(try payment.response()).mustVerify()
        // A payment.get client data with no `payment` at all.
        let bare = try payment.authenticator.authenticate(credential: &payment.credential, origin: Self.merchantOrigin, challenge: payment.challenge,
                                                          tampering: Tampering { $0.type = .string("payment.get") })
        payment.verify(bare).mustFail(with: .paymentDataMissing, "no payment member")
        let nullPayment = try payment.authenticator.authenticate(credential: &payment.credential, origin: Self.merchantOrigin, challenge: payment.challenge,
                                                                 tampering: Tampering { $0.type = .string("payment.get"); $0.extraClientDataMembers = [.init("payment", .null)] })
        payment.verify(nullPayment).mustFail(with: .paymentDataMissing, "payment null")
    }

    static let incompletePayments: [CeremonyStepCase<[OrderedJSON.Member]>] = [
        .init("rpId missing", [.init("rpId", .null)]),
        .init("topOrigin missing", [.init("topOrigin", .null)]),
        .init("total missing", [.init("total", .null)]),
        .init("total.value missing", [.init("total", .object(["currency": "EUR"]))]),
        .init("total.currency a number", [.init("total", .object(["value": "129.90", "currency": 978]))]),
        .init("instrument missing", [.init("instrument", .null)]),
        .init("instrument.icon missing", [.init("instrument", .object(["displayName": "Visa •••• 4242"]))]),
    ]

    @Test(arguments: incompletePayments)
    func payment_member_missing_a_field_is_rejected(_ edit: CeremonyStepCase<[OrderedJSON.Member]>) throws {
        var payment = try Payment()
        try payment.verify(try payment.response()).mustVerify()
        var shown = Self.shown
        shown.extraMembers = edit.value
        payment.verify(try payment.response(shown)).mustFail(with: .paymentDataMissing)
    }

    @Test func payment_member_without_payee_is_rejected() throws {
        var payment = try Payment()
        var shown = Self.shown
        shown.payeeName = nil
        try payment.verify(try payment.response(shown)).mustVerify("payeeOrigin only")
        shown.payeeOrigin = nil
        payment.verify(try payment.response(shown)).mustFail(with: .paymentDataMissing)
    }

    @Test func payment_for_another_rp_is_rejected() throws {
        var payment = try Payment()
        try payment.verify(try payment.response()).mustVerify()
        var shown = Self.shown
        shown.rpID = "other-bank.example"
        payment.verify(try payment.response(shown)).mustFail(with: .rpIdMismatch, "payment.rpId")
        // The signed rpIdHash of another RP is refused by the §7.2 step.
        payment.verify(try payment.response(tampering: Tampering { $0.rpIDForHash = "other-bank.example" })).mustFail(with: .rpIdMismatch, "rpIdHash")
    }

    @Test func payment_from_a_merchant_origin_the_rp_does_not_list_is_rejected() throws {
        var payment = try Payment()
        try payment.verify(try payment.response()).mustVerify()
        payment.relyingParty = RelyingParty(id: Fixture.rpID, origins: [Fixture.origin])
        payment.verify(try payment.response()).mustFail(with: .originMismatch)
    }

    static let transactionEdits: [CeremonyStepCase<@Sendable (inout PaymentData) -> Void>] = [
        .init("total.value", { $0.total.value = "1299.00" }),
        .init("total.currency", { $0.total.currency = "USD" }),
        .init("payeeName", { $0.payeeName = "Another Shop" }),
        .init("payeeName absent", { $0.payeeName = nil }),
        .init("payeeOrigin", { $0.payeeOrigin = "https://evil.example" }),
        .init("instrument.displayName", { $0.instrument.displayName = "Mastercard •••• 5555" }),
        .init("instrument.icon", { $0.instrument.icon = "https://evil.example/card.png" }),
        .init("topOrigin", { $0.topOrigin = "https://other-shop.example" }),
    ]

    @Test(arguments: transactionEdits)
    func payment_differing_from_the_transaction_is_rejected(_ edit: CeremonyStepCase<@Sendable (inout PaymentData) -> Void>) throws {
        var payment = try Payment()
        let response = try payment.response()
        try payment.verify(response, expected: Self.transaction).mustVerify()
        var expected = Self.transaction
        edit.value(&expected)
        payment.verify(response, expected: expected).mustFail(with: .paymentMismatch)
    }

    @Test func payment_assertion_with_a_bad_signature_is_rejected() throws {
        var payment = try Payment()
        try payment.verify(try payment.response()).mustVerify()
        let forged = try payment.response(tampering: Tampering { $0.signingKey = try? CredentialPrivateKey(generating: .es256) })
        payment.verify(forged, expected: Self.transaction).mustFail(with: .badSignature)
    }

    @Test func payment_client_data_changed_after_signing_is_rejected() throws {
        var payment = try Payment()
        let honest = try payment.response()
        try payment.verify(honest, expected: Self.transaction).mustVerify()
        // A man in the browser swaps in a payment with a different amount: the signature does not cover it.
        var cheaper = Self.shown
        cheaper.total.value = "1.00"
        let other = try payment.response(cheaper)
        var spliced = honest
        spliced.response.clientDataJSON = other.response.clientDataJSON
        payment.verify(spliced).mustFail(with: .badSignature)
    }

    @Test func payment_with_challenge_of_another_transaction_is_rejected() throws {
        var payment = try Payment()
        let response = try payment.response()
        try payment.verify(response).mustVerify()
        payment.challenge = Fixture.challenge()
        payment.verify(response).mustFail(with: .challengeMismatch)
    }
}
