import Testing
@testable import Quotes

/// Files as people have them: Excel's byte-order mark and quotes, exports with
/// their own column names, dates without times, epoch timestamps, lower-case symbols.
@Suite struct RealFileTests {
    func bytes(_ s: String) -> ArraySlice<UInt8> { Array(s.utf8)[...] }
    func text(_ b: ArraySlice<UInt8>?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }

    @Test(arguments: [false, true], [false, true])
    func byteOrderMarkBeforeAQuotedOrPlainHeader(bom: Bool, quoted: Bool) throws {
        let header = (bom ? "\u{FEFF}" : "") + (quoted ? "\"symbol\",\"price\"" : "symbol,price")
        var d = try CSVFeedDecoder(header: bytes(header))
        #expect(text(try d.decode(bytes("\"AAPL\",\"1.5\"")).get().price) == "1.5")
    }

    @Test func aYahooFinanceExportLoadsWithColumnsIgnoreUnknownAndSymbol() throws {
        let header = bytes("Date,Open,High,Low,Close,Adj Close,Volume")
        #expect(throws: FeedDecodeError("unknown column 'Date' in the header; columns are symbol, price, size, ts, bid, ask (map others with --columns field=Column, or skip them with --ignore-unknown)")) {
            try CSVFeedDecoder(header: header)
        }
        let mapping = try FeedMapping(columns: "price=Close,ts=Date,size=Volume", ignoreUnknown: true, symbol: "ibm")
        var d = try CSVFeedDecoder(header: header, mapping: mapping)
        let row = try d.decode(bytes("2024-01-02,162.830002,163.289993,160.380005,161.500000,155.000000,4285800")).get()
        #expect(row.problem() == nil)
        #expect(text(row.symbol) == "IBM")
        #expect(text(row.price) == "161.500000")
        #expect(text(row.size) == "4285800")
        #expect(text(row.ts) == "2024-01-02T00:00:00Z")
    }

    @Test func columnMappingsAreCheckedAgainstTheHeader() throws {
        let m = try FeedMapping(columns: "symbol=Ticker,price=Close")
        #expect(throws: FeedDecodeError("the header has no 'close' column for price (it names: Ticker)")) {
            try CSVFeedDecoder(header: bytes("Ticker"), mapping: m)
        }
        #expect(throws: FeedDecodeError("unknown column 'price' in the header; columns are symbol, price, size, ts, bid, ask (map others with --columns field=Column, or skip them with --ignore-unknown)")) {
            try CSVFeedDecoder(header: bytes("Ticker,Close,price"), mapping: m) // price now comes from Close
        }
        #expect(throws: FeedDecodeError("--columns: 'prise' is not a field; fields are symbol, price, size, ts, bid, ask")) {
            try FeedMapping(columns: "prise=Close")
        }
        #expect(throws: FeedDecodeError("--columns: 'price' is not field=Column (e.g. price=Close)")) { try FeedMapping(columns: "price") }
        #expect(throws: (any Error).self) { try FeedMapping(columns: nil, symbol: "<b>") }
        #expect(throws: FeedDecodeError("the header has no 'symbol' column (it names: price)")) { try CSVFeedDecoder(header: bytes("price")) }
    }

    @Test func jsonLinesMapAndIgnoreKeysToo() throws {
        let line = bytes(#"{"t":"msft","c":"415.2","exchange":"XNAS"}"#)
        var strict = try JSONLinesFeedDecoder(mapping: FeedMapping(columns: "symbol=t,price=c"))
        #expect(throws: (any Error).self) { try strict.decode(line).get() }
        var lenient = try JSONLinesFeedDecoder(mapping: FeedMapping(columns: "symbol=t,price=c", ignoreUnknown: true))
        let row = try lenient.decode(line).get()
        #expect(row.problem() == nil && text(row.symbol) == "MSFT" && text(row.price) == "415.2")
    }

    @Test(arguments: [
        ("iso", "2026-11-25", "2026-11-25T00:00:00Z"),
        ("iso", "2026-11-25T09:30:00-05:00", "2026-11-25T09:30:00-05:00"),
        ("epoch-s", "0", "1970-01-01T00:00:00Z"),
        ("epoch-s", "1700000000", "2023-11-14T22:13:20Z"),
        ("epoch-s", "1700000000.5", "2023-11-14T22:13:20.500000Z"),
        ("epoch-ms", "1700000000123", "2023-11-14T22:13:20.123000Z"),
        ("epoch-ms", "1764028800000", "2025-11-25T00:00:00Z"),
    ])
    func timestampsBecomeISOText(format: String, raw: String, iso: String) throws {
        var d = try CSVFeedDecoder(header: bytes("symbol,price,ts"), mapping: FeedMapping(columns: nil, timestamps: TimestampText.Format(rawValue: format)!))
        let row = try d.decode(bytes("A,1,\(raw)")).get()
        #expect(text(row.ts) == iso)
        #expect(row.problem() == nil)
    }

    @Test func badEpochTimestampsSayWhichFormatWasExpected() throws {
        var d = try CSVFeedDecoder(header: bytes("symbol,price,ts"), mapping: FeedMapping(columns: nil, timestamps: .epochMilliseconds))
        #expect(throws: FeedDecodeError("ts '2026-11-25' is not a whole number of milliseconds since 1970 (--ts-format epoch-ms)")) {
            try d.decode(bytes("A,1,2026-11-25")).get()
        }
        #expect(throws: FeedDecodeError("ts '99999999999999999' is not a whole number of milliseconds since 1970 (--ts-format epoch-ms)")) {
            try d.decode(bytes("A,1,99999999999999999")).get()
        }
    }

    @Test func symbolsAreUpperCasedOnInputAsTheHTTPAPIDoes() throws {
        var d = try CSVFeedDecoder(header: bytes("symbol,price"))
        #expect(text(try d.decode(bytes("brk.b,1")).get().symbol) == "BRK.B")
        var j = JSONLinesFeedDecoder()
        #expect(text(try j.decode(bytes(#"{"symbol":"aapl","price":1}"#)).get().symbol) == "AAPL")
        #expect(try RouteParameters.symbols("brk.b", max: 1) == ["BRK.B"])
    }

    @Test func isoTextRoundTripsThroughMicroseconds() {
        #expect(TimestampText.micros(bytes("2023-11-14T22:13:20Z")) == 1_700_000_000_000_000)
        #expect(TimestampText.micros(bytes("2023-11-14T23:13:20.5+01:00")) == 1_700_000_000_500_000)
        #expect(TimestampText.micros(bytes("2023-11-14T14:13:20-0800")) == 1_700_000_000_000_000)
        #expect(TimestampText.iso(micros: 1_700_000_000_000_000) == "2023-11-14T22:13:20Z")
    }
}
