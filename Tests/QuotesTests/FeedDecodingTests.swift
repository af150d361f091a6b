import Testing
@testable import Quotes

@Suite struct FeedDecodingTests {
    func bytes(_ s: String) -> ArraySlice<UInt8> { Array(s.utf8)[...] }

    @Test func csvColumnsInAnyOrderWithQuotes() throws {
        var d = try CSVFeedDecoder(header: bytes("ts, price,symbol,size"))
        let row = try d.decode(bytes("2026-11-24T12:00:00.123Z,\"189.23\",AAPL,100")).get()
        #expect(row.problem() == nil)
        #expect(row.symbol.map { String(decoding: $0, as: UTF8.self) } == "AAPL")
        #expect(row.price.map { String(decoding: $0, as: UTF8.self) } == "189.23")
    }

    @Test func csvHeaderErrorsNameTheProblem() {
        #expect(throws: FeedDecodeError("the header has no 'price' column (it names: symbol,size)")) {
            try CSVFeedDecoder(header: bytes("symbol,size"))
        }
        #expect(throws: FeedDecodeError("unknown column 'prise' in the header; columns are symbol, price, size, ts, bid, ask (map others with --columns field=Column, or skip them with --ignore-unknown)")) {
            try CSVFeedDecoder(header: bytes("symbol,prise"))
        }
    }

    @Test(arguments: [
        ("AAPL,abc", "price 'abc' is not a decimal number"),
        ("AAPL,-1", "price '-1' must be greater than zero"),
        ("AAPL,0", "price '0' must be greater than zero"),
        ("AAPL,NaN", "price 'NaN' is not a decimal number"),
        ("AAPL,Infinity", "price 'Infinity' is not a decimal number"),
        ("AAPL,1e5", "price '1e5' uses an exponent; write it as a plain decimal"),
        ("AAPL,1234567890123", "price '1234567890123' is too large (at most 12 digits before the point)"),
        ("AAPL,1.123456789", "price '1.123456789' has more than 8 decimal places"),
        (",1", "missing symbol"),
        ("a@pl,1", "symbol 'a@pl' has a character other than A-Z, 0-9 and . - = ^ / _"),
        ("<b>X,1", "symbol '<b>X' has a character other than A-Z, 0-9 and . - = ^ / _"),
    ])
    func csvBadRows(line: String, reason: String) throws {
        var d = try CSVFeedDecoder(header: bytes("symbol,price"))
        let row = try d.decode(bytes(line)).get()
        #expect(row.problem() == reason)
    }

    @Test func bidAboveAskAndBadTimesAreRefused() throws {
        var d = try CSVFeedDecoder(header: bytes("symbol,price,bid,ask,ts"))
        #expect(try d.decode(bytes("A,1,2,1,")).get().problem() == "bid 2 is above ask 1")
        #expect(try d.decode(bytes("A,1,1.5,1.50,")).get().problem() == nil)
        #expect(try d.decode(bytes("A,1,,,2026-02-30T00:00:00Z")).get().problem() == "ts '2026-02-30T00:00:00Z' is out of range")
        #expect(try d.decode(bytes("A,1,,,yesterday")).get().problem()?.hasPrefix("ts 'yesterday' is not an ISO 8601") == true)
        #expect(try d.decode(bytes("A,1,,,2026-11-24 12:00:00+01:00")).get().problem() == nil)
        #expect(throws: FeedDecodeError("has 3 fields, the header has 5")) { try d.decode(bytes("A,1,2")).get() }
    }

    @Test func jsonLinesKeepExactNumberText() throws {
        var d = JSONLinesFeedDecoder()
        let row = try d.decode(bytes(#"{"symbol":"BRK.B","price":412.10000001,"size":5,"ts":null}"#)).get()
        #expect(row.problem() == nil)
        #expect(String(decoding: row.price!, as: UTF8.self) == "412.10000001")
        #expect(row.ts == nil)
    }

    @Test(arguments: [
        (#"{"symbol":"A","price":1,"prise":2}"#, "unknown field 'prise'; fields are symbol, price, size, ts, bid, ask (map others with --columns field=key, or skip them with --ignore-unknown)"),
        (#"{"symbol":"A","price":[1]}"#, "field 'price' must be a string or a number, not a nested value"),
        (#"{"symbol":"A","price":true}"#, "field 'price' has a value that is not a string or number: true"),
        (#"{"symbol":"A","#, "not a JSON object: missing '}'"),
        (#"[1,2]"#, "not a JSON object: expected '{'"),
        (#"{"symbol":"A","price":1} x"#, "text after the JSON object"),
        (#"{"symbol":"A","symbol":"B","price":1}"#, "field 'symbol' appears twice"),
    ])
    func jsonLinesBadRows(line: String, reason: String) {
        var d = JSONLinesFeedDecoder()
        #expect(throws: FeedDecodeError(reason)) { try d.decode(bytes(line)).get() }
    }

    @Test func invalidUTF8IsReportedPrintably() throws {
        var d = try CSVFeedDecoder(header: bytes("symbol,price"))
        let row = try d.decode([0xff, 0xfe, 0x2c, 0x31][...]).get()
        #expect(row.problem()?.hasPrefix("symbol '") == true)
    }

    @Test func copyBatchSplitsTimedRows() throws {
        var batch = CopyBatch()
        #expect(batch.append(FeedRow(symbol: bytes("A"), price: bytes("1.5")), line: 2) == nil)
        #expect(batch.append(FeedRow(symbol: bytes("B"), price: bytes("2"), size: bytes("10"), ts: bytes("2026-01-01T00:00:00Z")), line: 3) == nil)
        #expect(batch.append(FeedRow(symbol: bytes("C"), price: bytes("x")), line: 4) != nil)
        #expect(String(decoding: batch.withoutTime, as: UTF8.self) == "A\t1.5\t\\N\t\\N\t\\N\n")
        #expect(String(decoding: batch.withTime, as: UTF8.self) == "B\t2\t10\t\\N\t\\N\t2026-01-01T00:00:00Z\n")
        #expect(batch.entries.map(\.line) == [2, 3])
    }
}
