import Foundation
import Glibc
import Postgres
import Testing
import TickerTestSupport

/// Three `ticker serve` nodes behind a real HAProxy on one box (127.0.0.2-4,
/// all loopback on Linux), subscribers on every transport (WebSocket too) through the
/// balancer, a feed running, and nodes killed, drained and restarted under
/// it: every subscriber ends with exactly the database's ticks of its
/// symbols. Timings are printed, never asserted.
@Suite(.serialized) struct ClusterTests {
    /// The nodes, one process each, on the same port of different loopback addresses.
    final class Nodes: @unchecked Sendable {
        let hosts = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
        let port: Int
        let db: DatabaseTarget
        var processes: [ChildProcess] = []

        init(_ db: DatabaseTarget) throws {
            self.db = db
            port = try LocalCluster.freePort()
            processes = try hosts.indices.map { try start($0) }
        }

        var addresses: [String] { hosts.map { "\($0):\(port)" } }

        func start(_ i: Int) throws -> ChildProcess {
            let p = try ChildProcess([tickerExecutable, "serve", "--workers", "1", "--host", hosts[i], "--port", "\(port)",
                                      "--heartbeat", "1", "--database-url", db.serverURL, "--log-level", "error"],
                                     log: NSTemporaryDirectory() + "node-\(hosts[i])-\(port).log")
            try waitForPort(port, host: hosts[i])
            return p
        }

        /// SIGKILL (or SIGTERM, waiting for the drain) node `i`; returns when the signal was sent.
        func stop(_ i: Int, kill hard: Bool) -> Date {
            let sent = Date()
            if hard { processes[i].stop() } else { processes[i].terminate(grace: 10) }
            return sent
        }

        func restart(_ i: Int) throws { processes[i] = try start(i) }

        deinit { for p in processes { p.terminate(grace: 5) } }
    }

    /// Subscribers of every kind, each on its own thread until it has the last tick.
    final class Subscribers: @unchecked Sendable {
        let clients: [BalancedClient]
        /// WebSocket subscribers (a third-party client, Python `websockets`)
        /// through the balancer's tunnel; they reconnect with their cursor.
        let sockets: [(client: PythonWebSocketClient, symbols: [String])]
        private let lock = NSLock()
        private var lastIDs: [String: Int64]?
        private var maxID: Int64 = 0
        private let group = DispatchGroup()

        init(port: Int) {
            let a = ["A"], b = ["B"], ab = ["A", "B"]
            clients = [
                BalancedClient(.stream(transport: "sse"), symbols: a, port: port),
                BalancedClient(.stream(transport: "sse"), symbols: ab, port: port),
                BalancedClient(.stream(transport: "sse"), symbols: b, port: port),
                BalancedClient(.stream(transport: "xhr"), symbols: ab, port: port),
                BalancedClient(.stream(transport: "xhr"), symbols: a, port: port),
                BalancedClient(.stream(transport: "iframe"), symbols: ab, port: port),
                BalancedClient(.stream(transport: "iframe"), symbols: b, port: port),
                BalancedClient(.stream(transport: "multipart"), symbols: a, port: port),
                BalancedClient(.stream(transport: "multipart"), symbols: ab, port: port),
                BalancedClient(.longPoll, symbols: ab, port: port),
                BalancedClient(.longPoll, symbols: a, port: port),
                BalancedClient(.longPoll, symbols: b, port: port),
                BalancedClient(.poll, symbols: ab, port: port),
                BalancedClient(.poll, symbols: b, port: port),
            ]
            sockets = [["A", "B"], ["B"]].map { symbols in
                // try!: a test that cannot start its client has nothing to check.
                (try! PythonWebSocketClient(port: port, symbols: symbols.joined(separator: ",")), symbols)
            }
            for (socket, _) in sockets { socket.wait(timeout: 20) { $0.helloCursor != nil } } // connected before the feed
            for c in clients {
                group.enter()
                Thread.detachNewThread { [self] in
                    c.follow(timeout: 120) { lastID, cursor in
                        self.lock.lock(); defer { self.lock.unlock() }
                        guard let last = self.lastIDs else { return false }
                        if case .stream = c.kind { return lastID == last[c.symbols.joined(separator: ",")] }
                        return cursor >= self.maxID
                    }
                    self.group.leave()
                }
            }
        }

        /// Tells every client the database's last ids and waits until each has them.
        func finish(_ db: DatabaseTarget) throws {
            var last: [String: Int64] = [:]
            for s in [["A"], ["B"], ["A", "B"]] { last[s.joined(separator: ",")] = try databaseIDs(db.adminURL, symbols: s).last }
            lock.lock(); lastIDs = last; maxID = try databaseIDs(db.adminURL).last ?? 0; lock.unlock()
            group.wait()
            for (socket, symbols) in sockets {
                let want = last[symbols.joined(separator: ",")]
                socket.wait(timeout: 60) { $0.lastID == want }
                socket.stop()
            }
        }

        /// Every client has exactly the database's ticks of its symbols.
        func expectExact(_ db: DatabaseTarget) throws {
            for c in clients {
                let expected = try databaseIDs(db.adminURL, symbols: c.symbols)
                #expect(c.ids == expected, "\(c.label): \(c.ids.count) ticks of \(expected.count), \(c.outages.count) outages")
                #expect(c.resets == 0, "\(c.label) was reset")
            }
            for (socket, symbols) in sockets {
                let expected = try databaseIDs(db.adminURL, symbols: symbols)
                #expect(socket.ids == expected, "websocket \(symbols): \(socket.ids.count) ticks of \(expected.count)\n\(socket.log.suffix(600))")
            }
        }

        /// Prints, for a node's death at `at`, how long its clients took to be served again.
        func reportResumption(_ what: String, at: Date) {
            let waits = clients.compactMap { c in
                c.outages.first { $0.lost >= at && $0.lost < at.addingTimeInterval(1) } // its own clients notice at once
                    .map { (c.label, Int($0.back.timeIntervalSince(at) * 1000), Int($0.lost.timeIntervalSince(at) * 1000)) }
            }.sorted { $0.1 < $1.1 }
            guard let worst = waits.last else { return print("\(what): none of its clients noticed (it had none)") }
            print("\(what): \(waits.count) clients resumed on other nodes, median \(waits[waits.count / 2].1) ms, worst \(worst.1) ms (\(worst.0), "
                  + "which noticed after \(worst.2) ms) after the signal")
        }
    }

    /// Inserts `count` ticks alternating A and B, one statement each, calling `fault(i)` after tick i.
    func feed(_ db: DatabaseTarget, count: Int, interval: Double, fault: (Int) throws -> Void) throws {
        let feed = try PGConnection(db.feedURL)
        for i in 0..<count {
            try feed.exec("INSERT INTO ticks (symbol, price) VALUES ($1, $2)", [i % 2 == 0 ? "A" : "B", String(i + 1)])
            try fault(i)
            Thread.sleep(forTimeInterval: interval)
        }
    }

    @Test func aNodeKilledAndAnotherDrainedLoseAndRepeatNothing() throws {
        let db = try TestCluster.database()
        let nodes = try Nodes(db)
        let balancer = try HAProxy(nodes: nodes.addresses)
        Thread.sleep(forTimeInterval: 1) // the first health checks
        let subscribers = Subscribers(port: balancer.port)
        Thread.sleep(forTimeInterval: 1)
        var killed = Date(), drained = Date()
        try feed(db, count: 400, interval: 0.02) { i in
            if i == 100 { killed = nodes.stop(0, kill: true); try nodes.restart(0) }
            if i == 250 { drained = nodes.stop(1, kill: false); try nodes.restart(1) }
        }
        try subscribers.finish(db)
        subscribers.reportResumption("node 1 killed with SIGKILL", at: killed)
        subscribers.reportResumption("node 2 drained with SIGTERM", at: drained)
        try subscribers.expectExact(db)
        #expect(subscribers.clients.contains { !$0.outages.isEmpty }, "some clients were on the stopped nodes")
    }

    @Test func aRollingRestartOfEveryNodeLosesAndRepeatsNothing() throws {
        let db = try TestCluster.database()
        let nodes = try Nodes(db)
        let balancer = try HAProxy(nodes: nodes.addresses)
        Thread.sleep(forTimeInterval: 1)
        let subscribers = Subscribers(port: balancer.port)
        Thread.sleep(forTimeInterval: 1)
        try feed(db, count: 450, interval: 0.02) { i in
            // One node every 150 ticks, each back before the next goes.
            if i % 150 == 50 { let n = i / 150; _ = nodes.stop(n, kill: false); try nodes.restart(n) }
        }
        try subscribers.finish(db)
        try subscribers.expectExact(db)
        #expect(subscribers.clients.filter { !$0.outages.isEmpty }.count >= subscribers.clients.count / 3)
    }
}
