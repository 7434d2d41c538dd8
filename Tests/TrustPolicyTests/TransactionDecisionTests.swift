import FIDOMetadata
import Foundation
import Testing
import WebAuthn
@testable import TrustPolicy

@Suite("Transaction decisions under the default policy")
struct TransactionDecisionTests {
    let policy: PolicyDocument
    init() throws { policy = try PolicyDocument.defaultPolicy() }

    func decide(_ tier: Tier, _ type: TransactionType, _ amount: String? = nil, _ currency: String = "EUR", age: TimeInterval = 10,
                uv: Bool = true) throws -> Decision {
        let money = try amount.map { try Money.parse($0, currency: currency) }
        return transactionDecision(tier: tier, transaction: type, amount: money, authAge: age, uv: uv, policy: policy)
    }

    /// tier → expected outcome code, for every required transaction type, fresh UV authentication, no amount.
    static let table: [(TransactionType, [String])] = [
        (.login, ["allow", "allow", "allow", "allow"]),
        (.viewBalance, ["allow", "allow", "allow", "allow"]),
        (.lowValuePayment, ["allow", "allow", "allow", "step_up"]),
        (.highValueTransfer, ["allow", "allow", "step_up", "step_up"]),
        (.payeeAdd, ["allow", "allow", "step_up", "step_up"]),
        (.beneficiaryChange, ["allow", "allow", "step_up", "step_up"]),
        (.profileChange, ["allow", "allow", "allow", "step_up"]),
        (.recovery, ["allow", "allow", "step_up", "step_up"]),
    ]

    @Test(arguments: table)
    func eachTransactionTypeDecidesByTier(type: TransactionType, outcomes: [String]) throws {
        let amount: String? = [.lowValuePayment, .highValueTransfer].contains(type) ? "10.00" : nil
        for (tier, expected) in zip(Tier.all, outcomes) {
            let decision = try decide(tier, type, amount)
            #expect(decision.outcome.code == expected, "\(type) at \(tier): \(decision.reasons)")
        }
    }

    @Test func tier3HighValueTransferStepsUpWithMethodsThatRaiseTheTier() throws {
        let decision = try decide(.three, .highValueTransfer, "500.00")
        #expect(decision.outcome == .stepUp(minTier: .two, methods: [.strongerPasskey, .boundDevice]))
        #expect(decision.reasons.contains { $0.rule == .tierTooLow })
    }

    @Test func highValueTransferAbove1000EURNeedsTier1() throws {
        #expect(try decide(.two, .highValueTransfer, "1000.00").outcome == .allow)
        let above = try decide(.two, .highValueTransfer, "1000.01")
        #expect(above.outcome == .stepUp(minTier: .one, methods: [.strongerPasskey, .boundDevice]))
        #expect(above.reasons.contains { $0.rule == .amountThreshold && $0.detail.contains("1000.01 EUR is above 1000.00 EUR") })
        #expect(try decide(.one, .highValueTransfer, "1500.00").outcome == .allow)
    }

    @Test func thresholdsArePerCurrency() throws {
        // 1500 JPY is about 10 EUR: below the JPY threshold of 150000.
        #expect(try decide(.two, .highValueTransfer, "1500", "JPY").outcome == .allow)
        #expect(try decide(.two, .highValueTransfer, "150001", "JPY").outcome.code == "step_up")
        #expect(try decide(.two, .highValueTransfer, "1500.00", "GBP").outcome.code == "step_up")
    }

    @Test func currencyWithoutThresholdsGetsTheStrictestOnes() throws {
        let decision = try decide(.two, .highValueTransfer, "5.00", "SEK")
        #expect(decision.outcome.code == "step_up")
        #expect(decision.reasons.first?.rule == .currencyNotConfigured)
        #expect(try decide(.one, .highValueTransfer, "5.00", "SEK").outcome == .allow)
    }

    @Test func missingAmountGetsTheStrictestThresholds() throws {
        let decision = try decide(.two, .highValueTransfer)
        #expect(decision.outcome.code == "step_up")
        #expect(decision.reasons.first?.rule == .amountMissing)
    }

    @Test func amountAboveTheLimitIsDeniedEvenForTier1() throws {
        let decision = try decide(.one, .highValueTransfer, "100000.01")
        #expect(decision.outcome == .deny)
        #expect(decision.reasons.contains { $0.rule == .amountLimitExceeded })
        #expect(try decide(.one, .highValueTransfer, "100000.00").outcome == .allow)
    }

    @Test func lowValuePaymentAbove30EURNeedsTier2() throws {
        #expect(try decide(.three, .lowValuePayment, "30.00").outcome == .allow)
        #expect(try decide(.three, .lowValuePayment, "30.01").outcome == .stepUp(minTier: .two, methods: [.strongerPasskey, .boundDevice]))
    }

    @Test func oldAuthenticationStepsUpWithReauthentication() throws {
        #expect(try decide(.two, .payeeAdd, age: 120).outcome == .allow)
        let decision = try decide(.two, .payeeAdd, age: 121)
        #expect(decision.outcome == .stepUp(minTier: .two, methods: [.reauthenticate, .strongerPasskey, .boundDevice, .outOfBand]))
        #expect(decision.reasons.contains { $0.rule == .authenticationTooOld })
    }

    @Test func thresholdShortensTheMaximumAuthenticationAge() throws {
        #expect(try decide(.one, .highValueTransfer, "2000.00", age: 90).outcome.code == "step_up")
        #expect(try decide(.one, .highValueTransfer, "500.00", age: 90).outcome == .allow)
    }

    @Test func missingUserVerificationStepsUp() throws {
        let decision = try decide(.one, .login, uv: false)
        #expect(decision.outcome == .stepUp(minTier: .four, methods: [.reauthenticate]))
        #expect(decision.reasons.contains { $0.rule == .userVerificationRequired })
    }

    @Test(arguments: [-1, TimeInterval.nan, TimeInterval.infinity])
    func invalidAuthenticationAgeCountsAsTooOld(age: TimeInterval) throws {
        #expect(try decide(.one, .login, age: age).outcome.code == "step_up")
    }

    @Test func tierTooLowWithOnlyReauthenticationConfiguredIsDenied() throws {
        var strict = policy
        strict.transactions[.login]?.minTier = .two
        let decision = transactionDecision(tier: .four, transaction: .login, amount: nil, authAge: 0, uv: true, policy: strict)
        #expect(decision.outcome == .deny)
        #expect(decision.reasons.last?.rule == .noStepUpMethod)
    }

    @Test func unknownTransactionTypeIsDenied() {
        let decision = transactionDecision(tier: .one, transaction: "crypto_withdrawal", amount: nil, authAge: 0, uv: true, policy: policy)
        #expect(decision.outcome == .deny)
        #expect(decision.reasons.first?.rule == .transactionUnknownType)
    }

    @Test func allowNamesTheRequirementItMet() throws {
        let decision = try decide(.one, .beneficiaryChange)
        #expect(decision.outcome == .allow)
        #expect(decision.reasons.first?.rule == .transactionTierSufficient)
    }
}
