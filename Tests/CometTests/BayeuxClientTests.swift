import Foundation
import Postgres
import Testing
import TickerTestSupport

/// `/cometd` end to end with third-party Bayeux clients from PyPI
/// (aiocometd-ng over long-polling and websocket, baiocas over long-polling)
/// against the server and real PostgreSQL: every tick of their channels,
/// exactly once, compared with the rows in the database.
@Suite struct BayeuxClientTests {
    /// Id → symbol of every row.
    func rows(_ s: TestServer) throws -> [(id: Int64, symbol: String)] {
        let r = try PGConnection(s.target.adminURL).exec("SELECT id, symbol FROM ticks ORDER BY id")
        return (0..<r.rowCount).map { (r.int64($0, 0)!, r.string($0, 1)!) }
    }

    func feed(_ s: TestServer, _ symbols: [String], count: Int, from start: Int = 0) throws {
        let c = try PGConnection(s.target.feedURL)
        for i in start..<(start + count) {
            try c.exec("INSERT INTO ticks (symbol, price) VALUES ($1, $2)", [symbols[i % symbols.count], String(i + 1)])
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    func subscribed(_ c: PythonBayeuxClient, _ n: Int) -> Bool {
        c.log.split(separator: "\n").filter { $0.hasPrefix("subscribed ") || $0.contains("/meta/subscribe successful=True") }.count >= n
    }

    @Test func thirdPartyClientsGetEveryTickOfTheirChannelsExactlyOnce() throws {
        let s = try TestServer(target: TestCluster.database()) { $0.bayeux.connectTimeoutSeconds = 3 }
        let everyLP = try PythonBayeuxClient(.aiocometd, port: s.port, channels: ["/quotes/*"], ["--transport", "long-polling"])
        let twoWS = try PythonBayeuxClient(.aiocometd, port: s.port, channels: ["/quotes/A", "/quotes/B"],
                                           ["--transport", "websocket", "--unsubscribe", "/quotes/A", "--unsubscribe-after", "10"])
        let everyBaiocas = try PythonBayeuxClient(.baiocas, port: s.port, channels: ["/quotes/*"])
        let twoBaiocas = try PythonBayeuxClient(.baiocas, port: s.port, channels: ["/quotes/A", "/quotes/C"],
                                                ["--unsubscribe", "/quotes/A", "--unsubscribe-after", "10"])
        for (c, n) in [(everyLP, 1), (twoWS, 2), (everyBaiocas, 1), (twoBaiocas, 2)] {
            #expect(c.wait(timeout: 30) { subscribed($0, n) }, "not subscribed: \(c.log)")
        }
        try feed(s, ["A", "B", "C"], count: 90)
        let all = try rows(s)
        let ids = { (symbols: Set<String>) in all.filter { symbols.contains($0.symbol) }.map(\.id) }
        let symbolOf = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0.symbol) })

        for every in [everyLP, everyBaiocas] {
            #expect(every.wait(timeout: 15) { $0.ids.last == all.last?.id }, "last \(every.ids.last ?? -1) of \(all.last?.id ?? -1): \(every.log)")
            #expect(every.ids == all.map(\.id))
            // A /quotes/* subscriber gets each tick on the tick's own channel.
            #expect(every.deliveries.allSatisfy { $0.channel == "/quotes/" + (symbolOf[$0.id] ?? "?") })
        }
        for (two, kept, left) in [(twoWS, "B", "A"), (twoBaiocas, "C", "A")] {
            let keptIDs = ids([kept]), leftIDs = ids([left])
            #expect(two.wait(timeout: 15) { $0.ids.last == keptIDs.last }, "\(two.log)")
            Thread.sleep(forTimeInterval: 0.3)
            let got = two.ids
            #expect(got.filter { symbolOf[$0] == kept } == keptIDs, "every tick of \(kept), once")
            // The unsubscribed channel: a prefix of its ticks, then nothing.
            let gotLeft = got.filter { symbolOf[$0] == left }
            #expect(gotLeft.count >= 5 && gotLeft.count < leftIDs.count && gotLeft == Array(leftIDs.prefix(gotLeft.count)), "\(gotLeft)")
            #expect(got.allSatisfy { symbolOf[$0] == kept || symbolOf[$0] == left })
            #expect(two.deliveries.allSatisfy { $0.channel == "/quotes/" + (symbolOf[$0.id] ?? "?") })
        }
        let metrics = try HTTPTestClient.get(port: s.port, "/metrics").body
        #expect(metrics.contains("ticker_bayeux_clients 4") && metrics.contains("ticker_bayeux_websockets 1"), "\(metrics)")
        let delivered = metrics.split(separator: "\n").first { $0.hasPrefix("ticker_bayeux_deliveries_total ") }
        #expect(delivered.flatMap { Int($0.split(separator: " ")[1]) } ?? 0 >= 2 * 90, "\(metrics)")
    }

    /// The resume extension (`ext.ticker.since` on handshake and subscribe):
    /// the server goes away and comes back while ticks keep coming; the
    /// clients re-handshake by themselves and miss and repeat nothing.
    @Test func aServerRestartLosesAndRepeatsNothingWithTheResumeExtension() throws {
        let target = try TestCluster.database()
        let first = try TestServer(target: target) { $0.bayeux.connectTimeoutSeconds = 3 }
        let port = first.port
        // /quotes/A and /quotes/** overlap: each tick still comes once.
        let lp = try PythonBayeuxClient(.aiocometd, port: port, channels: ["/quotes/A", "/quotes/**"], ["--transport", "long-polling", "--resume"])
        let ws = try PythonBayeuxClient(.aiocometd, port: port, channels: ["/quotes/B"], ["--transport", "websocket", "--resume"])
        #expect(lp.wait(timeout: 30) { subscribed($0, 2) }, "\(lp.log)")
        #expect(ws.wait(timeout: 30) { subscribed($0, 1) }, "\(ws.log)")
        try feed(first, ["A", "B", "C"], count: 30)
        #expect(ws.wait(timeout: 10) { $0.ids.count == 10 }, "\(ws.log)")
        first.stop()
        try feed(first, ["A", "B", "C"], count: 30, from: 30) // while no server runs
        let second = try TestServer(target: target) { $0.port = port; $0.bayeux.connectTimeoutSeconds = 3 }
        try feed(second, ["A", "B", "C"], count: 30, from: 60)
        let all = try rows(second)
        #expect(all.count == 90)
        let bIDs = all.filter { $0.symbol == "B" }.map(\.id)
        #expect(lp.wait(timeout: 30) { $0.ids.last == all.last?.id }, "\(lp.ids.count) of \(all.count): \(lp.log)")
        #expect(ws.wait(timeout: 30) { $0.ids.last == bIDs.last }, "\(ws.ids.count) of \(bIDs.count): \(ws.log)")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(lp.ids == all.map(\.id))
        #expect(ws.ids == bIDs)
    }
}
