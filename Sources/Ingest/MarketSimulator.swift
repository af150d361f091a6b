import Foundation
import Quotes

/// A believable market: each symbol's price follows geometric Brownian motion
/// from a realistic start, quoted to the cent with a bid/ask spread around it
/// and round-lot or odd-lot sizes. Pure: the caller decides when ticks happen.
public struct MarketSimulator {
    /// About twenty well-known tickers and a plausible starting price for each.
    public static let defaultSymbols: [(String, Double)] = [
        ("AAPL", 189.50), ("MSFT", 415.20), ("GOOGL", 172.30), ("AMZN", 185.60), ("NVDA", 121.40),
        ("META", 498.70), ("TSLA", 248.90), ("BRK.B", 412.10), ("JPM", 201.30), ("V", 276.40),
        ("JNJ", 152.80), ("WMT", 68.20), ("XOM", 113.50), ("UNH", 527.90), ("MA", 468.30),
        ("PG", 167.10), ("HD", 362.40), ("KO", 62.70), ("NFLX", 684.20), ("AMD", 158.30),
    ]

    public struct Quote { public var symbol: String; public var price: Double }

    public private(set) var quotes: [Quote]
    private var rng: SplitMix64
    /// Annualised volatility of the random walk.
    public var volatility = 0.35

    /// - Parameter symbols: symbols to simulate (unknown ones start near 100); empty for the default list.
    public init(symbols: [String] = [], seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        rng = SplitMix64(seed: seed)
        let known = Dictionary(uniqueKeysWithValues: Self.defaultSymbols)
        let names = symbols.isEmpty ? Self.defaultSymbols.map(\.0) : symbols
        var r = SplitMix64(seed: seed ^ 0x5eed)
        quotes = names.map { Quote(symbol: $0, price: known[$0] ?? (50 + r.nextDouble() * 150)) }
    }

    /// The next tick of a random symbol, `dt` seconds of market time after its last.
    public mutating func nextRow(dt: Double) -> FeedRow {
        let i = Int(rng.next() % UInt64(quotes.count))
        let sigma = volatility / (252.0 * 6.5 * 3600).squareRoot()
        let z = rng.nextGaussian()
        var p = quotes[i].price * exp(-0.5 * sigma * sigma * dt + sigma * dt.squareRoot() * z * 4)
        p = max(p, 0.05)
        quotes[i].price = p
        let cents = max(1, Int((p * 100).rounded()))
        let spread = max(1, cents / 5000)
        let sizes = [100, 100, 200, 300, 500, 1000, 50, 25, 10]
        let size = sizes[Int(rng.next() % UInt64(sizes.count))]
        return FeedRow(symbol: Array(quotes[i].symbol.utf8)[...],
                       price: Array(Self.decimal(cents).utf8)[...],
                       size: Array(String(size).utf8)[...],
                       bid: Array(Self.decimal(max(1, cents - spread)).utf8)[...],
                       ask: Array(Self.decimal(cents + spread).utf8)[...])
    }

    static func decimal(_ cents: Int) -> String {
        let c = cents % 100
        return "\(cents / 100).\(c < 10 ? "0" : "")\(c)"
    }
}

/// A small, fast, seedable generator (Steele et al.), so simulations repeat.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func nextDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func nextGaussian() -> Double {
        let u1 = max(nextDouble(), 1e-12), u2 = nextDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
