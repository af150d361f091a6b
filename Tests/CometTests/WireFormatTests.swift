import Testing
@testable import Comet
import Quotes

@Suite struct WireFormatTests {
    let hostile = Tick(id: 7, symbol: "</script><!--<script>alert(1)</script>", price: "1.00", ts: "2026-11-24T12:00:00.000000Z")

    @Test func foreverFrameCannotBeBrokenOutOf() {
        let script = String(decoding: EncodedTick(hostile).script, as: UTF8.self)
        #expect(script.hasPrefix("<script>p(\"tick\","))
        #expect(script.hasSuffix(",7)</script>\n"))
        let inner = script.dropFirst("<script>".count).dropLast(")</script>\n".count)
        #expect(!inner.contains("</script"))
        #expect(!inner.contains("<!--"))
        #expect(!inner.contains("<"))
    }

    @Test func sseFrameCarriesIdEventAndOneLineOfData() {
        let sse = String(decoding: EncodedTick(Tick(id: 124, symbol: "AAPL", price: "189.23", size: 100, ts: "2026-11-24T12:00:00.123456Z")).sse, as: UTF8.self)
        #expect(sse == "id: 124\nevent: tick\ndata: {\"id\":124,\"symbol\":\"AAPL\",\"price\":\"189.23\",\"size\":100,\"ts\":\"2026-11-24T12:00:00.123456Z\"}\n\n")
    }

    @Test func preamblesPadPastProxyThresholds() {
        for f in WireFormat.allCases where f != .multipart {
            #expect(f.transport.preamble(retryMilliseconds: 1000).count >= 2048)
        }
        #expect(String(decoding: WireFormat.sse.transport.preamble(retryMilliseconds: 1500), as: UTF8.self).hasSuffix("retry: 1500\n\n"))
    }

    @Test func multipartPutsABatchInOnePart() {
        var out: [UInt8] = []
        let ticks = [1, 2].map { EncodedTick(Tick(id: Int64($0), symbol: "A", price: "1", ts: "t")) }
        WireFormat.multipart.transport.appendTicks(ticks, to: &out)
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.hasPrefix("Content-Type: application/json\r\n\r\n{\"event\":\"ticks\",\"data\":[{\"id\":1,"))
        #expect(text.hasSuffix("],\"id\":2}\r\n--tickerpart\r\n"))
    }

    @Test func jsonEscapesControlAndMarkup() {
        #expect(JSON.string("a\"b\\c\n<&>\u{1}") == "\"a\\\"b\\\\c\\n\\u003c\\u0026\\u003e\\u0001\"")
    }
}
