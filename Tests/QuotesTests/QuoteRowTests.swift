import Testing
@testable import Quotes

@Suite struct QuoteRowTests {
    @Test func exactDecimalsParseAndPrint() {
        #expect(ExactDecimal("189.23") == ExactDecimal(units: 18923, scale: 2))
        #expect(ExactDecimal("-0.5")?.text() == "-0.5")
        #expect(ExactDecimal(".05")?.text() == "0.05")
        #expect(ExactDecimal("+7")?.text(signed: true) == "+7")
        for bad in ["", "-", "1e5", "NaN", "1.2.3", "12a", "1234567890123456789"] {
            #expect(ExactDecimal(bad) == nil, "\(bad)")
        }
    }

    @Test func changeHasNoFloatRounding() throws {
        // 189.23 - 188.1 is 1.1299999999999955 in binary floating point.
        let row = QuoteRow(symbol: "AAPL", latest: tick("189.23"), reference: "188.1")
        #expect(row.last == "189.23")
        #expect(row.change == "+1.13")
        #expect(row.changePercent == "+0.60%")
        #expect(row.direction == .up)
        #expect(row.size == 100)
        #expect(row.time == "12:00:01")
    }

    @Test func roundingIsHalfAwayFromZeroLikeTheDashboardShowsIt() {
        #expect(QuoteRow(symbol: "X", latest: tick("10.005"), reference: "10").change == "+0.01")
        #expect(QuoteRow(symbol: "X", latest: tick("9.995"), reference: "10").change == "-0.01")
        // The price keeps all its digits; only the change is rounded to cents.
        let down = QuoteRow(symbol: "X", latest: tick("99.12345"), reference: "100")
        #expect(down.last == "99.12345")
        #expect(down.change == "-0.88")
        #expect(down.changePercent == "-0.88%")
        #expect(down.direction == .down)
    }

    @Test func aTinyMoveIsStillColouredButShownAsZero() {
        let row = QuoteRow(symbol: "X", latest: tick("100.001"), reference: "100")
        #expect(row.change == "0.00")
        #expect(row.direction == .up)
        let flat = QuoteRow(symbol: "X", latest: tick("100.00"), reference: "100")
        #expect(flat.change == "0.00" && flat.changePercent == "0.00%" && flat.direction == .flat)
    }

    @Test func missingDataLeavesColumnsEmpty() {
        let none = QuoteRow(symbol: "NEW", latest: nil, reference: "1")
        #expect(none.last == nil && none.change == nil && none.time == nil && none.direction == .flat)
        let noRef = QuoteRow(symbol: "X", latest: tick("5"), reference: nil)
        #expect(noRef.last == "5" && noRef.change == nil)
        let zeroRef = QuoteRow(symbol: "X", latest: tick("5"), reference: "0")
        #expect(zeroRef.change == "+5.00" && zeroRef.changePercent == nil)
        let huge = QuoteRow(symbol: "X", latest: tick("999999999999999999"), reference: "-999999999999999999")
        #expect(huge.change == nil, "overflow shows no change rather than a wrong one")
    }

    func tick(_ price: String) -> Tick {
        Tick(id: 1, symbol: "X", price: price, size: 100, ts: "2026-11-24T12:00:01.123456Z")
    }
}
