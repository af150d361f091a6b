import Testing
import Quotes

@Suite struct SubscriptionChangeTests {
    func reason(_ text: String, max: Int = 50) -> String? {
        if case .failure(let r) = SubscriptionChange.parse(text, maxSymbols: max) {
            #expect(r.code == 1008)
            return r.reason
        }
        return nil
    }

    @Test func subscribeAndUnsubscribe() {
        #expect(SubscriptionChange.parse(#"{"subscribe":["NVDA"]}"#) == .success(.subscribe(["NVDA"])))
        #expect(SubscriptionChange.parse(#" { "unsubscribe" : [ "aapl", "BRK.B", "AAPL" ] } "#)
            == .success(.unsubscribe(["AAPL", "BRK.B"])))
    }

    @Test func malformedJSON() {
        #expect(reason(#"{"subscribe":["NVDA"]"#)?.hasPrefix("message is not valid JSON") == true)
        #expect(reason("") != nil)
    }

    @Test func wrongShapes() {
        #expect(reason(#"["NVDA"]"#) == #"message must be {"subscribe":["SYMBOL",...]} or {"unsubscribe":["SYMBOL",...]}"#)
        #expect(reason(#""subscribe""#) != nil)
        #expect(reason(#"{"subscribe":"NVDA"}"#) == "'subscribe' must be an array of symbol strings")
        #expect(reason(#"{"subscribe":[1]}"#) == "'subscribe' must be an array of symbol strings")
        #expect(reason(#"{"subscribe":null}"#) == "'subscribe' must be an array of symbol strings")
    }

    @Test func unknownOrSeveralKeys() {
        #expect(reason(#"{"subscribe":["A"],"since":5}"#)?.hasPrefix("unknown key 'since'") == true)
        #expect(reason(#"{"subscribe":["A"],"unsubscribe":["B"]}"#) == "send exactly one of 'subscribe' or 'unsubscribe' per message")
        #expect(reason("{}") == "send exactly one of 'subscribe' or 'unsubscribe' per message")
    }

    @Test func symbolsFollowTheSymbolRules() {
        #expect(reason(#"{"subscribe":[]}"#) == "'subscribe' needs at least one symbol")
        #expect(reason(#"{"subscribe":["NV DA"]}"#)?.hasPrefix("symbol 'NV DA' may only contain") == true)
        #expect(reason(#"{"subscribe":[".X"]}"#) != nil)
        #expect(reason(#"{"subscribe":["ABCDEFGHIJKLMNOPQRSTU"]}"#)?.contains("longer than 20") == true)
        #expect(reason(#"{"subscribe":["A","B","C"]}"#, max: 2) == "too many symbols (3); at most 2 per message")
    }
}
