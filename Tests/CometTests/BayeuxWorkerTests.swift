import Foundation
import Glibc
import Postgres
import Testing
import TickerTestSupport

/// `ticker serve --workers 2`, the default shape, as a real process tree:
/// worker 0 keeps every Bayeux session and worker 1 relays `/cometd`
/// connections to it, so clients whose connections land on different
/// workers (aiocometd-ng's pool, browsers) keep their session.
@Suite struct BayeuxWorkerTests {
    /// The pool, its port, and its workers' pids in index order (worker 0 first).
    struct Pool {
        let process: ChildProcess
        let port: Int
        let pids: [pid_t]
        let db: DatabaseTarget

        init(_ extra: [String] = []) throws {
            db = try TestCluster.database()
            port = try LocalCluster.freePort()
            let log = NSTemporaryDirectory() + "bayeux-workers-\(port).log"
            process = try ChildProcess([tickerExecutable, "serve", "--port", "\(port)", "--workers", "2", "--bayeux-timeout", "3",
                                        "--database-url", db.serverURL, "--log-level", "warning"] + extra, log: log)
            try waitForPort(port)
            var found: [pid_t] = []
            for _ in 0..<50 where found.count != 2 {
                Thread.sleep(forTimeInterval: 0.1)
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                found = text.split(separator: "\n").first { $0.hasPrefix("started 2 workers: pids ") }?
                    .split(separator: " ").suffix(2).compactMap { pid_t($0) } ?? []
            }
            pids = found
            Thread.sleep(forTimeInterval: 0.5)  // both workers listening
        }

        /// Open descriptors of each worker.
        var descriptors: [Int] {
            pids.map { ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\($0)/fd")) ?? []).count }
        }
    }

    func handshakeReply(_ port: Int, _ body: String, source: String? = nil, headers: [String: String] = [:]) throws -> String {
        try bayeuxPost(port, body, headers: headers, source: source).body
    }

    /// Each message on a new connection: with two workers and no relay, about
    /// half of them would reach a process that never saw the client.
    @Test func aClientIsKnownOnEveryConnection() throws {
        let pool = try Pool()
        defer { pool.process.terminate() }
        for _ in 0..<12 {
            let id = try bayeuxHandshake(pool.port)
            let connect = try bayeuxPost(pool.port, #"[{"channel":"/meta/connect","clientId":"\#(id)","connectionType":"long-polling"}]"#).body
            #expect(connect.contains(#""successful":true"#), "\(connect)")
            let sub = try bayeuxPost(pool.port, #"{"channel":"/meta/subscribe","clientId":"\#(id)","subscription":"/quotes/A","id":"7"}"#).body
            #expect(sub.contains(#""successful":true"#) && sub.contains(#""id":"7""#), "\(sub)")
            let bye = try bayeuxPost(pool.port, #"{"channel":"/meta/disconnect","clientId":"\#(id)"}"#).body
            #expect(bye.contains(#""successful":true"#), "\(bye)")
        }
    }

    /// Worker 0 counts a relayed client under its own address, not the
    /// relaying worker's, and believes `X-Ticker-Relayed-For` only from the relay.
    @Test func theLimitOfClientsPerAddressSeesTheClientThroughTheRelay() throws {
        let pool = try Pool(["--bayeux-max-clients-per-address", "2"])
        defer { pool.process.terminate() }
        let handshake = #"{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"]}"#
        for source in ["127.0.0.2", "127.0.0.3"] {
            for _ in 0..<2 { _ = try bayeuxHandshake(pool.port, source: source) }
            for _ in 0..<6 {  // on either worker
                let refused = try handshakeReply(pool.port, handshake, source: source)
                #expect(refused.contains("403::too many clients from your address"), "\(source): \(refused)")
            }
        }
        // A client naming another address itself is still counted under its own.
        for i in 0..<8 {
            let reply = try handshakeReply(pool.port, handshake, source: "127.0.0.4", headers: ["X-Ticker-Relayed-For": "10.0.0.\(i)"])
            #expect(reply.contains(#""successful":true"#) == (i < 2), "\(i): \(reply)")
        }
        // Also in the later requests of a kept-alive connection, which the relay passes on as they are.
        for source in (10..<16).map({ "127.0.0.\($0)" }) {
            let client = RawClient(port: pool.port, source: source)
            let requests = (0..<3).map { i in
                "POST /cometd HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nX-Ticker-Relayed-For: 10.1.1.\(i)\r\n"
                    + (i == 2 ? "Connection: close\r\n" : "") + "Content-Length: \(handshake.utf8.count)\r\n\r\n" + handshake
            }
            client.write(Array(requests.joined().utf8))
            let answers = String(decoding: client.readToEnd(), as: UTF8.self)
            #expect(answers.components(separatedBy: #""successful":true"#).count == 3, "\(source): \(answers)")
            #expect(answers.contains("403::too many clients from your address"), "\(source): \(answers)")
        }
    }

    /// aiocometd-ng (long-polling, whose pool uses two connections, and
    /// websocket) and baiocas get every tick of their channels once; when
    /// they have left, the workers hold no more descriptors than before.
    @Test func thirdPartyClientsGetEveryTickOnceAndTheRelayLeaksNothing() throws {
        let pool = try Pool()
        defer { pool.process.terminate() }
        let before = pool.descriptors
        let clients = [
            try PythonBayeuxClient(.aiocometd, port: pool.port, channels: ["/quotes/*"], ["--transport", "long-polling"]),
            try PythonBayeuxClient(.aiocometd, port: pool.port, channels: ["/quotes/A"], ["--transport", "long-polling"]),
            try PythonBayeuxClient(.aiocometd, port: pool.port, channels: ["/quotes/*"], ["--transport", "websocket"]),
            try PythonBayeuxClient(.aiocometd, port: pool.port, channels: ["/quotes/B"], ["--transport", "websocket"]),
            try PythonBayeuxClient(.baiocas, port: pool.port, channels: ["/quotes/*"]),
            try PythonBayeuxClient(.baiocas, port: pool.port, channels: ["/quotes/A"]),
        ]
        for c in clients {
            #expect(c.wait(timeout: 30) { $0.log.contains("subscribed ") || $0.log.contains("/meta/subscribe successful=True") }, "\(c.log)")
        }
        let feed = try PGConnection(pool.db.feedURL)
        for i in 0..<90 {
            try feed.exec("INSERT INTO ticks (symbol, price) VALUES ($1, $2)", [["A", "B", "C"][i % 3], String(i + 1)])
            Thread.sleep(forTimeInterval: 0.01)
        }
        let all = try databaseIDs(pool.db.adminURL), onlyA = try databaseIDs(pool.db.adminURL, symbols: ["A"])
        let onlyB = try databaseIDs(pool.db.adminURL, symbols: ["B"])
        for (c, expected) in zip(clients, [all, onlyA, all, onlyB, all, onlyA]) {
            #expect(c.wait(timeout: 20) { $0.ids.last == expected.last }, "\(c.ids.count) of \(expected.count): \(c.log)")
        }
        Thread.sleep(forTimeInterval: 0.3)
        for (c, expected) in zip(clients, [all, onlyA, all, onlyB, all, onlyA]) {
            #expect(c.ids == expected, "\(c.ids.count) of \(expected.count): \(c.log)")
        }
        let during = pool.descriptors
        for c in clients { c.stop() }
        var after = pool.descriptors
        for _ in 0..<50 where zip(after, before).contains(where: { $0 > $1 }) {
            Thread.sleep(forTimeInterval: 0.2)
            after = pool.descriptors
        }
        #expect(zip(after, before).allSatisfy { $0 <= $1 }, "descriptors before \(before), with clients \(during), after \(after)")
        #expect(during[1] > before[1], "worker 1 relayed some of the clients' connections: \(before) → \(during)")
    }
}

extension BayeuxWorkerTests {
    /// The lead's instrument against the pool: `ticker bench --transport bayeux`
    /// (one keep-alive connection per subscriber, which may land on either worker).
    @Test func benchBayeuxSubscribersLoseAndRepeatNothingThroughThePool() throws {
        let pool = try Pool()
        defer { pool.process.terminate() }
        let (status, out) = try Shell.runStatus([tickerExecutable, "bench", "--port", "\(pool.port)", "--transport", "bayeux",
                                                 "--subscribers", "200", "--symbols", "5", "--rate", "50", "--duration", "3",
                                                 "--json", "--database-url", pool.db.adminURL])
        #expect(status == 0, "\(out)")
        #expect(out.contains("\"subscribers\":\"200 of 200 (0 failed)\""), "\(out)")
        #expect(out.contains("\"lost\":\"0\"") && out.contains("\"duplicated\":\"0\""), "\(out)")
    }
}

extension BayeuxWorkerTests {
    /// The pool replaces a dead worker under the same index: a new worker 0
    /// takes the sessions' port again (the sessions themselves are gone, so
    /// clients re-handshake and resume by `ext.ticker.since`), and a dead
    /// relaying worker only costs its clients a reconnect.
    @Test func killingEitherWorkerLosesNothingForClientsWithTheResumeExtension() throws {
        let pool = try Pool()
        defer { pool.process.terminate() }
        let clients = [
            try PythonBayeuxClient(.aiocometd, port: pool.port, channels: ["/quotes/*"], ["--transport", "long-polling", "--resume"]),
            try PythonBayeuxClient(.aiocometd, port: pool.port, channels: ["/quotes/*"], ["--transport", "websocket", "--resume"]),
        ]
        for c in clients {
            #expect(c.wait(timeout: 30) { $0.log.contains("subscribed ") || $0.log.contains("/meta/subscribe successful=True") }, "\(c.log)")
        }
        try feedTicks(pool.db.feedURL, count: 120, interval: 0.03) { i in
            if i == 30 { kill(pool.pids[0], SIGKILL) }
            if i == 80 { kill(pool.pids[1], SIGKILL) }
        }
        let all = try databaseIDs(pool.db.adminURL)
        for c in clients {
            #expect(c.wait(timeout: 30) { $0.ids.last == all.last }, "\(c.ids.count) of \(all.count): \(c.log)")
        }
        Thread.sleep(forTimeInterval: 0.3)
        for c in clients { #expect(c.ids == all, "\(c.ids.count) of \(all.count): \(c.log)") }
        let id = try bayeuxHandshake(pool.port)
        let connect = try bayeuxPost(pool.port, #"[{"channel":"/meta/connect","clientId":"\#(id)","connectionType":"long-polling"}]"#).body
        #expect(connect.contains(#""successful":true"#), "the new workers share sessions again: \(connect)")
    }
}
