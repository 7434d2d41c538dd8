/// An amount of money in minor units of an ISO 4217 currency (1500.00 EUR = 150000 EUR cents).
/// Never a floating-point value: decimal strings are parsed exactly with the currency's exponent.
public struct Money: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let minorUnits: Int64
    /// Upper-case ISO 4217 code (`EUR`).
    public let currency: String

    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency.uppercased()
    }

    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        case badCurrency(String)
        case badAmount(String)
        case tooManyDecimals(String, currency: String, exponent: Int)
        case outOfRange(String)

        public var description: String {
            switch self {
            case .badCurrency(let code): "\"\(code)\" is not an ISO 4217 currency code (three letters)"
            case .badAmount(let text): "\"\(text)\" is not a decimal amount (digits, optionally one '.' and more digits)"
            case .tooManyDecimals(let text, let currency, let exponent): "\"\(text)\" has more than \(exponent) decimal places for \(currency)"
            case .outOfRange(let text): "\"\(text)\" is too large"
            }
        }
    }

    /// Parses `"1500.00"` / `"1500"` / `"0.5"` exactly. Negative amounts, exponents, signs,
    /// separators and more decimals than the currency has are refused.
    public static func parse(_ text: String, currency code: String) throws(ParseError) -> Money {
        let currency = code.uppercased()
        guard let exponent = Money.exponent(of: currency) else { throw .badCurrency(code) }
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.utf8.count <= 18,
              whole.utf8.allSatisfy({ (48...57).contains($0) }) else { throw .badAmount(text) }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || !fraction.isEmpty, fraction.utf8.allSatisfy({ (48...57).contains($0) }) else { throw .badAmount(text) }
        guard fraction.utf8.count <= exponent else { throw .tooManyDecimals(text, currency: currency, exponent: exponent) }
        var value: Int64 = 0
        let digits = Array(whole.utf8) + Array(fraction.utf8) + Array(repeating: UInt8(ascii: "0"), count: exponent - fraction.utf8.count)
        for digit in digits {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(digit - 48))
            guard !overflow1, !overflow2 else { throw .outOfRange(text) }
            value = sum
        }
        return Money(minorUnits: value, currency: currency)
    }

    /// Decimal places of an ISO 4217 currency: the exceptions to 2 are listed; any other
    /// three-letter code has 2. `nil` when `code` is not three ASCII letters.
    public static func exponent(of code: String) -> Int? {
        let upper = code.uppercased()
        guard upper.utf8.count == 3, upper.utf8.allSatisfy({ (65...90).contains($0) }) else { return nil }
        if zeroDecimal.contains(upper) { return 0 }
        if threeDecimal.contains(upper) { return 3 }
        if fourDecimal.contains(upper) { return 4 }
        return 2
    }

    static let zeroDecimal: Set<String> = ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"]
    static let threeDecimal: Set<String> = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]
    static let fourDecimal: Set<String> = ["CLF", "UYW"]

    /// `"1500.00 EUR"`.
    public var description: String { "\(decimalString) \(currency)" }

    /// The amount as a decimal string with the currency's exponent (`"1500.00"`).
    public var decimalString: String {
        let exponent = Money.exponent(of: currency) ?? 2
        let digits = String(minorUnits.magnitude)
        guard exponent > 0 else { return (minorUnits < 0 ? "-" : "") + digits }
        let padded = String(repeating: "0", count: max(0, exponent + 1 - digits.count)) + digits
        let split = padded.index(padded.endIndex, offsetBy: -exponent)
        return (minorUnits < 0 ? "-" : "") + padded[..<split] + "." + padded[split...]
    }

    /// Only amounts of the same currency are ordered; across currencies, by code then amount.
    public static func < (a: Money, b: Money) -> Bool {
        a.currency == b.currency ? a.minorUnits < b.minorUnits : a.currency < b.currency
    }
}
