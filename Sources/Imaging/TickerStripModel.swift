import Quotes

/// The ticker strip as positioned pieces (texts, arrows, rules), computed from
/// quote rows without touching libgd, so the layout is tested as a value and
/// the renderer only draws what it is given.
///
/// One cell per symbol, side by side: symbol, last price, an arrow and the
/// change with its percentage, coloured up/down/flat. Columns have minimum
/// widths that fit ordinary prices, so the strip keeps its size from frame to
/// frame; a longer price widens its column rather than being cut (a cut
/// price would be a wrong price).
public struct TickerStripModel: Sendable, Equatable {
    public enum Colour: Int, Sendable, CaseIterable {
        case background, symbol, text, up, down, flat, rule

        /// RGB, close to the dashboard's dark theme.
        public var rgb: (red: Int, green: Int, blue: Int) {
            switch self {
            case .background: return (13, 17, 23)
            case .symbol: return (255, 255, 255)
            case .text: return (230, 237, 243)
            case .up: return (46, 160, 67)
            case .down: return (248, 81, 73)
            case .flat: return (139, 148, 158)
            case .rule: return (48, 54, 61)
            }
        }
    }

    /// libgd's built-in bitmap fonts (no font files), with their glyph sizes.
    public enum Font: Sendable, Equatable {
        /// `gdFontGetMediumBold`: 7×13.
        case mediumBold
        /// `gdFontGetLarge`: 8×16.
        case large

        public var glyphWidth: Int { self == .mediumBold ? 7 : 8 }
        public var glyphHeight: Int { self == .mediumBold ? 13 : 16 }
    }

    public struct Text: Sendable, Equatable {
        public var x: Int, y: Int
        /// ASCII only: the built-in fonts have no other glyphs.
        public var string: String
        public var font: Font
        public var colour: Colour
    }

    /// A filled arrow head pointing up or down, `arrowSize` pixels square.
    public struct Arrow: Sendable, Equatable {
        public var x: Int, y: Int
        public var up: Bool
        public var colour: Colour
    }

    public static let height = 24
    static let padding = 8, gap = 8, arrowSize = 8
    static let minPriceChars = 9, minChangeChars = 14

    public let width: Int
    public let height = Self.height
    public let texts: [Text]
    public let arrows: [Arrow]
    /// x of each 1-pixel vertical rule between cells.
    public let rules: [Int]

    public init(rows: [QuoteRow]) {
        let symbolChars = max(4, rows.map { $0.symbol.count }.max() ?? 0)
        let priceChars = max(Self.minPriceChars, rows.map { ($0.last ?? "").count }.max() ?? 0)
        let changeChars = max(Self.minChangeChars, rows.map { Self.changeText($0).count }.max() ?? 0)
        let cellWidth = Self.padding + symbolChars * Font.mediumBold.glyphWidth + Self.gap
            + priceChars * Font.large.glyphWidth + Self.gap + Self.arrowSize + 4
            + changeChars * Font.large.glyphWidth + Self.padding + 1
        var texts: [Text] = [], arrows: [Arrow] = [], rules: [Int] = []
        for (i, row) in rows.enumerated() {
            let colour: Colour = row.direction == .up ? .up : row.direction == .down ? .down : .flat
            var x = i * cellWidth + Self.padding
            texts.append(Text(x: x, y: Self.top(.mediumBold), string: Self.ascii(row.symbol), font: .mediumBold, colour: .symbol))
            x += symbolChars * Font.mediumBold.glyphWidth + Self.gap
            let price = Self.ascii(row.last ?? "-")
            let priceX = x + (priceChars - price.count) * Font.large.glyphWidth // right-aligned
            texts.append(Text(x: priceX, y: Self.top(.large), string: price, font: .large, colour: .text))
            x += priceChars * Font.large.glyphWidth + Self.gap
            if row.direction != .flat {
                arrows.append(Arrow(x: x, y: (Self.height - Self.arrowSize) / 2, up: row.direction == .up, colour: colour))
            }
            x += Self.arrowSize + 4
            let change = Self.changeText(row)
            if !change.isEmpty {
                texts.append(Text(x: x, y: Self.top(.large), string: change, font: .large, colour: colour))
            }
            if i > 0 { rules.append(i * cellWidth - 1) }
        }
        self.width = max(1, rows.count * cellWidth - 1)
        self.texts = texts
        self.arrows = arrows
        self.rules = rules
    }

    /// `+1.25 +0.66%`, or empty before the first tick.
    static func changeText(_ row: QuoteRow) -> String {
        ascii([row.change, row.changePercent].compactMap { $0 }.joined(separator: " "))
    }

    static func top(_ font: Font) -> Int { (height - font.glyphHeight) / 2 }

    /// Non-ASCII characters become `?` (symbols and prices are ASCII anyway).
    static func ascii(_ s: String) -> String {
        String(s.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? Character($0) : "?" })
    }
}
