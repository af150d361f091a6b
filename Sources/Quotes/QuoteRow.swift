/// One symbol's line on the no-script board and the ticker image: the numbers
/// the dashboard shows (last, change, %, size, time), computed once on the
/// server from the exact price text.
///
/// The change is against a `reference` price the caller picks (the dashboard
/// uses the first price it saw); like the dashboard it has two decimals and a
/// `+` when positive, and the percentage has two decimals.
public struct QuoteRow: Sendable, Equatable {
    /// Which way the last price moved against the reference: the colour of the row.
    public enum Direction: String, Sendable, Equatable {
        case up, down, flat
    }

    public var symbol: String
    /// The last price, exactly as PostgreSQL printed it; nil before the first tick.
    public var last: String?
    /// `+1.25`, `-0.40`, `0.00`; nil without a last price or reference.
    public var change: String?
    /// `+0.66%`; nil when the change is nil or the reference is zero.
    public var changePercent: String?
    public var direction: Direction
    public var size: Int64?
    /// `HH:MM:SS` (UTC) of the last tick.
    public var time: String?

    public init(symbol: String, last: String? = nil, change: String? = nil, changePercent: String? = nil,
                direction: Direction = .flat, size: Int64? = nil, time: String? = nil) {
        self.symbol = symbol
        self.last = last
        self.change = change
        self.changePercent = changePercent
        self.direction = direction
        self.size = size
        self.time = time
    }

    /// The row for `symbol` from its latest tick (nil: none yet) and reference price text.
    public init(symbol: String, latest: Tick?, reference: String?) {
        self.init(symbol: symbol, last: latest?.price, size: latest?.size, time: latest.map { Self.clock($0.ts) })
        guard let latest, let reference, let now = ExactDecimal(latest.price), let ref = ExactDecimal(reference),
              let diff = now.minus(ref), let shown = diff.rescaled(to: 2) else { return }
        change = shown.text(signed: true)
        changePercent = diff.percent(of: ref).map { $0.text(signed: true) + "%" }
        // The colour follows the exact difference, as the dashboard's does.
        direction = diff.signum > 0 ? .up : diff.signum < 0 ? .down : .flat
    }

    /// `12:00:00` from `2026-11-24T12:00:00.123456Z`; the text unchanged if it has no time part.
    static func clock(_ ts: String) -> String {
        guard let t = ts.firstIndex(of: "T") else { return ts }
        return String(ts[ts.index(after: t)...].prefix(8))
    }
}
