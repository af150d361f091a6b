/// One row of feed input before validation: each field is the raw bytes the
/// source gave, or nil when the source did not give it.
public struct FeedRow {
    public var symbol: ArraySlice<UInt8>?
    public var price: ArraySlice<UInt8>?
    public var size: ArraySlice<UInt8>?
    public var bid: ArraySlice<UInt8>?
    public var ask: ArraySlice<UInt8>?
    public var ts: ArraySlice<UInt8>?

    public init(symbol: ArraySlice<UInt8>? = nil, price: ArraySlice<UInt8>? = nil, size: ArraySlice<UInt8>? = nil,
                bid: ArraySlice<UInt8>? = nil, ask: ArraySlice<UInt8>? = nil, ts: ArraySlice<UInt8>? = nil) {
        self.symbol = symbol; self.price = price; self.size = size
        self.bid = bid; self.ask = ask; self.ts = ts
    }

    /// The field names of the feed formats, in the order of `FeedRow`'s properties.
    public static let fieldNames = ["symbol", "price", "size", "bid", "ask", "ts"]

    /// Sets the field called `name`; returns false when there is no such field.
    @discardableResult
    public mutating func set(_ name: some Equatable & StringProtocol, _ value: ArraySlice<UInt8>?) -> Bool {
        switch name {
        case "symbol": symbol = value
        case "price": price = value
        case "size": size = value
        case "bid": bid = value
        case "ask": ask = value
        case "ts": ts = value
        default: return false
        }
        return true
    }

    /// Why this row cannot be stored, or nil when every field is valid.
    /// Empty optional fields count as absent.
    public func problem() -> String? {
        guard let symbol, !symbol.isEmpty else { return "missing symbol" }
        if symbol.count > Symbol.maxLength { return "symbol '\(FeedRow.show(symbol))' is longer than \(Symbol.maxLength) characters" }
        var first = true
        for c in symbol {
            if !Symbol.isAllowed(c, first: first) {
                return "symbol '\(FeedRow.show(symbol))' has a character other than A-Z, 0-9 and . - = ^ / _"
            }
            first = false
        }
        guard let price, !price.isEmpty else { return "missing price" }
        if let p = FieldSyntax.positiveDecimalProblem(price) { return "price '\(FeedRow.show(price))' \(p)" }
        if let size = present(size), let p = FieldSyntax.sizeProblem(size) { return "size '\(FeedRow.show(size))' \(p)" }
        if let bid = present(bid), let p = FieldSyntax.positiveDecimalProblem(bid) { return "bid '\(FeedRow.show(bid))' \(p)" }
        if let ask = present(ask), let p = FieldSyntax.positiveDecimalProblem(ask) { return "ask '\(FeedRow.show(ask))' \(p)" }
        if let bid = present(bid), let ask = present(ask), FieldSyntax.compareDecimals(bid, ask) > 0 {
            return "bid \(FeedRow.show(bid)) is above ask \(FeedRow.show(ask))"
        }
        if let ts = present(ts), let p = FieldSyntax.timestampProblem(ts) { return "ts '\(FeedRow.show(ts))' \(p)" }
        return nil
    }

    @inline(__always)
    func present(_ f: ArraySlice<UInt8>?) -> ArraySlice<UInt8>? {
        guard let f, !f.isEmpty else { return nil }
        return f
    }

    /// A field's bytes for an error message: invalid UTF-8 and control
    /// characters are replaced so the message stays one printable line.
    public static func show(_ b: ArraySlice<UInt8>) -> String {
        let text = String(decoding: b.prefix(40), as: UTF8.self)
        let clean = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
        return b.count > 40 ? clean + "…" : clean
    }
}
