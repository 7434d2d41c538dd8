import ClavigerTesting
import Testing
import WebAuthn

/// The SPC payment marker: a credential registered without it cannot authorize a payment.
@Suite struct PaymentMarkerTests {
    let rp = RelyingParty(id: "bank.example", origins: ["https://bank.example", "https://shop.example"])
    let challenge: [UInt8] = Array(repeating: 7, count: 32)
    let payment = PaymentClientData(rpID: "bank.example", topOrigin: "https://shop.example", payeeName: "Shop",
                                    total: .init(currency: "EUR", value: "9.99"), instrument: .init(displayName: "Card", icon: "data:,"))

    func registeredPaymentAssertion(marker: Bool) async throws -> (AuthenticationResponseJSON, CredentialRecord) {
        let authenticator = SoftwareAuthenticator()
        var (response, credential) = try authenticator.register(rpID: "bank.example", origin: "https://bank.example", challenge: challenge)
        var expectations = RegistrationExpectations(challenge: challenge)
        expectations.paymentCredential = marker
        let verified = try await RegistrationCeremony.verify(response, expecting: expectations, relyingParty: rp, now: .now)
        #expect(verified.paymentEnabled == marker)
        let assertion = try authenticator.authenticatePayment(credential: &credential, origin: "https://shop.example", challenge: challenge, payment: payment)
        let record = CredentialRecord(id: verified.credentialID, publicKey: verified.publicKey.encoded, signCount: verified.signCount,
                                      paymentEnabled: verified.paymentEnabled)
        return (assertion, record)
    }

    @Test func credential_registered_with_the_payment_marker_authorizes_spc() async throws {
        let (assertion, record) = try await registeredPaymentAssertion(marker: true)
        let verified = try SecurePaymentConfirmation.verify(assertion, challenge: challenge, credential: record, relyingParty: rp)
        #expect(verified.payment.total == PaymentData.Amount(currency: "EUR", value: "9.99"))
    }

    @Test func credential_registered_without_the_payment_marker_is_refused_for_spc() async throws {
        let (assertion, record) = try await registeredPaymentAssertion(marker: false)
        #expect(throws: WebAuthnError(.paymentNotEnabled, "the credential was not registered for Secure Payment Confirmation")) {
            try SecurePaymentConfirmation.verify(assertion, challenge: challenge, credential: record, relyingParty: rp)
        }
    }
}
