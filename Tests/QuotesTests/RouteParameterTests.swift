import Testing
@testable import Quotes

@Suite struct RouteParameterTests {
    @Test func queryStringsDecodeAndSuggest() throws {
        let q = try QueryParameters(parsing: "symbols=aapl%2CMSFT&since=5&x=a+b")
        #expect(try q.value("symbols") == "aapl,MSFT")
        #expect(try q.value("x") == "a b")
        #expect(throws: QueryError("unknown parameter 'symbol'; did you mean 'symbols'?")) {
            try QueryParameters(parsing: "symbol=A").requireOnly(["symbols", "since"])
        }
        #expect(throws: QueryError("bad percent-encoding in the query string")) { try QueryParameters(parsing: "a=%zz") }
        #expect(throws: QueryError("the query string is not UTF-8")) { try QueryParameters(parsing: "a=%ff") }
        #expect(throws: QueryError("parameter 'a' is given more than once")) { try QueryParameters(parsing: "a=1&a=2").value("a") }
    }

    @Test func symbolsAreNormalisedAndCapped() throws {
        #expect(try RouteParameters.symbols("aapl, msft,AAPL", max: 5) == ["AAPL", "MSFT"])
        #expect(throws: QueryError("too many symbols (3); at most 2 per request")) { try RouteParameters.symbols("A,B,C", max: 2) }
        #expect(throws: (any Error).self) { try RouteParameters.symbols("<script>", max: 5) }
        #expect(throws: (any Error).self) { try RouteParameters.symbols(nil, max: 5) }
    }

    @Test func cursorsCallbacksAndIntervals() throws {
        #expect(try RouteParameters.cursor("42", name: "since") == 42)
        #expect(throws: (any Error).self) { try RouteParameters.cursor("-1", name: "since") }
        #expect(throws: (any Error).self) { try RouteParameters.cursor("1;DROP TABLE ticks", name: "since") }
        #expect(try RouteParameters.callback("app.onTicks_1") == "app.onTicks_1")
        for bad in ["alert(1)", "a..b", "1a", "a-b", "x;y", "</script>", ""] {
            #expect(throws: (any Error).self) { try RouteParameters.callback(bad) }
        }
        #expect(try RouteParameters.interval("1m")?.sql == "1 minute")
        #expect(throws: (any Error).self) { try RouteParameters.interval("2m") }
    }

    @Test func limitsAreWholeNumbersNotSecondsAndRangesRunForward() throws {
        #expect(throws: QueryError("'limit' must be a whole number from 1 to 10000")) {
            try RouteParameters.wholeNumber("0", name: "limit", range: 1...10_000, default: 1000)
        }
        #expect(try RouteParameters.wholeNumber(nil, name: "limit", range: 1...10_000, default: 1000) == 1000)
        #expect(throws: QueryError("'from' (2026-11-25T12:00:00Z) is after 'to' (2026-11-25T11:00:00Z)")) {
            try RouteParameters.timeRange(from: "2026-11-25T12:00:00Z", to: "2026-11-25T11:00:00Z")
        }
        // The same instant in two zones is not a reversed range; a date alone is midnight UTC.
        let r = try RouteParameters.timeRange(from: "2026-11-25T12:00:00+01:00", to: "2026-11-25T11:00:00Z")
        #expect(r.from == "2026-11-25T12:00:00+01:00")
        #expect(try RouteParameters.timeRange(from: "2026-11-25", to: nil).from == "2026-11-25T00:00:00Z")
        #expect(throws: (any Error).self) { try RouteParameters.timeRange(from: "2026-11-26", to: "2026-11-25T23:59:59Z") }
    }
}
