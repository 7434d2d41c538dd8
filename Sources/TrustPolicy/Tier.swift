/// A trust tier: 1 (strongest) to 4 (weakest). See DESIGN.md "Trust tiers".
///
/// `Comparable` orders by **strength**: `Tier.one > Tier.two`, so `tier >= required` reads
/// "at least as strong as required". The raw `level` is the number people see (1–4).
public struct Tier: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// 1 = hardware-backed, attested, device-bound … 4 = unknown or uncertified.
    public let level: Int

    public static let one = Tier(uncheckedLevel: 1)
    public static let two = Tier(uncheckedLevel: 2)
    public static let three = Tier(uncheckedLevel: 3)
    public static let four = Tier(uncheckedLevel: 4)
    public static let all: [Tier] = [.one, .two, .three, .four]
    /// The weakest tier: what anything unknown gets.
    public static let weakest = Tier.four
    public static let strongest = Tier.one

    private init(uncheckedLevel: Int) { level = uncheckedLevel }

    /// `nil` unless `level` is 1…4.
    public init?(_ level: Int) {
        guard (1...4).contains(level) else { return nil }
        self.level = level
    }

    /// Stronger tiers compare greater.
    public static func < (a: Tier, b: Tier) -> Bool { a.level > b.level }

    /// The weaker of two tiers (a cap never makes a credential stronger).
    public func cappedAt(_ cap: Tier) -> Tier { Swift.min(self, cap) }

    public var description: String { "tier \(level)" }

    public init(from decoder: any Decoder) throws {
        let level = try decoder.singleValueContainer().decode(Int.self)
        guard let tier = Tier(level) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "tier must be 1–4, got \(level)"))
        }
        self = tier
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(level)
    }
}
