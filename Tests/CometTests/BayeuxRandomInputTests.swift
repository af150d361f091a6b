@testable import Comet
import Testing

/// Mutated Bayeux batches into the decoder and the channel rules: nothing
/// crashes, and whatever is refused is refused with a Bayeux error or one line.
@Suite struct BayeuxRandomInputTests {
    static let seeds = [
        #"[{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling","websocket"],"id":"1","ext":{"ticker":{"since":12}}}]"#,
        #"[{"channel":"/meta/subscribe","clientId":"0123abcd","subscription":["/quotes/AAPL","/quotes/*"],"id":7},{"channel":"/meta/connect","clientId":"0123abcd","connectionType":"long-polling","advice":{"timeout":0}}]"#,
        #"{"channel":"/quotes/EUR/USD","clientId":"x","data":{"price":"1.0845","size":3},"ext":{"ticker":{"publishToken":"t"}}}"#,
    ]
    static let alphabet = Array("AZaz09.,-+:\"{}[]\\ /*%&=<>;\u{0}\t\r".utf8) + [0xff, 0xc3, 0xa9, 0x80]

    @Test func mutatedBatchesNeverCrash() {
        var s: UInt64 = 0x9E3779B97F4A7C15
        func next() -> UInt64 { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s }
        var decoded = 0, refused = 0
        for n in 0..<20_000 {
            var b = Array(Self.seeds[n % Self.seeds.count].utf8)
            for _ in 0..<(1 + next() % 4) {
                let i = Int(next() % UInt64(b.count))
                switch next() % 3 {
                case 0: b.remove(at: i)
                case 1: b.insert(Self.alphabet[Int(next() % UInt64(Self.alphabet.count))], at: i)
                default: b[i] = Self.alphabet[Int(next() % UInt64(Self.alphabet.count))]
                }
            }
            switch BayeuxMessage.batch(b, maxMessages: 100) {
            case .failure(let e):
                refused += 1
                #expect(!e.message.isEmpty && !e.message.contains("\n"))
            case .success(let messages):
                for m in messages {
                    switch m {
                    case .failure(let r): #expect(r.error.code == 400)
                    case .success(let m):
                        decoded += 1
                        for name in m.subscriptions { _ = BayeuxChannel.subscription(name) }
                        _ = BayeuxChannel.publishTarget(m.channel)
                        _ = BayeuxEngine.since(m)
                        _ = BayeuxPublisher.row(symbol: "A", data: m.data)
                    }
                }
            }
        }
        #expect(decoded > 1000 && refused > 1000, "the mutations reach both paths: \(decoded) decoded, \(refused) refused")
    }
}
