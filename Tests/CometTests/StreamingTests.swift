import Foundation
import Postgres
import Testing
import TickerTestSupport

@Suite struct StreamingTests {
    @Test func everyTransportDeliversToTheRightSubscribersOnly() throws {
        let s = try TestServer(target: TestCluster.database())
        let sse = try openStream(s, "symbols=AAPL")
        let xhr = try openStream(s, "symbols=AAPL,MSFT&transport=xhr")
        let iframe = try openStream(s, "symbols=aapl&transport=iframe")
        let multipart = try openStream(s, "symbols=AAPL&transport=multipart")
        let other = try openStream(s, "symbols=MSFT")
        try s.insert("INSERT INTO ticks (symbol, price, size, bid, ask) VALUES ('AAPL', 189.2300, 100, 189.22, 189.24), ('GOOGL', 1, 1, NULL, NULL)")
        let exact = #""symbol":"AAPL","price":"189.2300","size":100,"bid":"189.22","ask":"189.24""#
        for c in [sse, xhr, iframe, multipart] {
            #expect(c.readUntil(timeout: 5) { $0.contains(exact) }, "\(c.text.suffix(400))")
        }
        #expect(tickIDs(in: sse.text) == [1])
        #expect(tickIDs(in: xhr.text) == [1])
        #expect(iframe.text.contains("<script>p(\"tick\",{\"id\":1,"))
        #expect(multipart.text.contains("{\"event\":\"ticks\",\"data\":[{\"id\":1,"))
        #expect(!other.readUntil(timeout: 0.5) { $0.contains("event: tick") })
        for c in [sse, xhr, iframe, multipart, other] { #expect(!c.text.contains("GOOGL")) }
    }

    @Test func streamsCarryPaddingHeadersHelloAndSnapshot() throws {
        let s = try TestServer(target: TestCluster.database())
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('AAPL', 10), ('AAPL', 11), ('MSFT', 20)")
        Thread.sleep(forTimeInterval: 0.3)
        for (transport, type) in [("sse", "text/event-stream"), ("xhr", "text/plain"), ("iframe", "text/html"), ("multipart", "multipart/x-mixed-replace")] {
            let c = try openStream(s, "symbols=AAPL,MSFT&transport=\(transport)")
            #expect(c.readUntil(timeout: 3) { $0.contains("snapshot") })
            #expect(c.headers["content-type"]?.hasPrefix(type) == true)
            #expect(c.headers["cache-control"] == "no-cache, no-transform")
            #expect(c.headers["x-accel-buffering"] == "no")
            if transport != "multipart" { #expect(c.body.count >= 2048) }
        }
        let sse = try openStream(s, "symbols=AAPL,MSFT")
        _ = sse.readUntil(timeout: 3) { $0.contains("snapshot") }
        let events = parseSSE(sse.text)
        #expect(events.map(\.event).prefix(2) == ["hello", "snapshot"])
        #expect(events[0].data.contains("\"cursor\":3"))
        #expect(allTickIDs(events[1].data) == [2, 3])
    }

    @Test func resumeByLastEventIDAndBySinceGivesExactlyTheMissedTicks() throws {
        let s = try TestServer(target: TestCluster.database())
        try s.insert("INSERT INTO ticks (symbol, price) SELECT (ARRAY['A','B'])[1 + g % 2], g FROM generate_series(1, 10) g")
        Thread.sleep(forTimeInterval: 0.3)
        let byHeader = try openStream(s, "symbols=A", headers: ["Last-Event-ID": "4"])
        let bySince = try openStream(s, "symbols=A,B&since=7&transport=xhr")
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 11), ('B', 12)")
        #expect(byHeader.readUntil(timeout: 5) { tickIDs(in: $0).last == 11 })
        #expect(bySince.readUntil(timeout: 5) { tickIDs(in: $0).last == 12 })
        #expect(tickIDs(in: byHeader.text) == [6, 8, 10, 11])
        #expect(tickIDs(in: bySince.text) == [8, 9, 10, 11, 12])
        #expect(!byHeader.text.contains("event: snapshot"))
    }

    @Test func resumeOlderThanMemoryReplaysFromPostgreSQL() throws {
        let s = try TestServer(target: TestCluster.database()) { $0.tickLogCapacity = 4; $0.maxReplay = 50 }
        try s.insert("INSERT INTO ticks (symbol, price) SELECT 'A', g FROM generate_series(1, 20) g")
        Thread.sleep(forTimeInterval: 0.3)
        let c = try openStream(s, "symbols=A&since=3")
        #expect(c.readUntil(timeout: 5) { tickIDs(in: $0).last == 20 })
        #expect(tickIDs(in: c.text) == Array(4...20))
        try s.insert("INSERT INTO ticks (symbol, price) SELECT 'A', g FROM generate_series(1, 60) g")
        Thread.sleep(forTimeInterval: 0.3)
        let far = try openStream(s, "symbols=A&since=1")
        #expect(far.readUntil(timeout: 5) { $0.contains("event: reset") && $0.contains("event: snapshot") })
        #expect(tickIDs(in: far.text).isEmpty)
    }

    @Test func writersCommittingOutOfIdOrderAreBothDeliveredOnceInOrder() throws {
        let s = try TestServer(target: TestCluster.database())
        let c = try openStream(s, "symbols=A")
        let first = try PGConnection(s.target.feedURL)
        try first.execScript("BEGIN")
        try first.exec("INSERT INTO ticks (symbol, price) VALUES ('A', 1)") // draws the lower id
        let second = try PGConnection(s.target.feedURL)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var secondError: Error?
        Thread.detachNewThread {
            do { try second.exec("INSERT INTO ticks (symbol, price) VALUES ('A', 2)") } catch { secondError = error }
            done.signal()
        }
        // The second writer is held until the first commits, so it can never
        // commit a higher id before a lower one becomes visible.
        #expect(done.wait(timeout: .now() + 0.5) == .timedOut)
        try first.execScript("COMMIT")
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(secondError == nil)
        #expect(c.readUntil(timeout: 5) { tickIDs(in: $0).count == 2 })
        #expect(tickIDs(in: c.text) == [1, 2])
    }

    @Test func eightConcurrentWritersMatchWhatASubscriberReceived() throws {
        let s = try TestServer(target: TestCluster.database())
        let sse = try openStream(s, "symbols=A,B,C,D")
        let multipart = try openStream(s, "symbols=A,B,C,D&transport=multipart")
        let group = DispatchGroup()
        for w in 0..<8 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                guard let c = try? PGConnection(s.target.feedURL) else { return }
                for i in 0..<40 {
                    let sym = ["A", "B", "C", "D"][(w + i) % 4]
                    if i % 3 == 0 {
                        _ = try? c.execScript("BEGIN; INSERT INTO ticks (symbol, price) VALUES ('\(sym)', \(i + 1)); SELECT pg_sleep(0.002); INSERT INTO ticks (symbol, price) VALUES ('\(sym)', \(i + 2)); COMMIT")
                    } else {
                        _ = try? c.exec("INSERT INTO ticks (symbol, price) SELECT $1, g FROM generate_series(1, $2::int) g", [sym, String(1 + i % 5)])
                    }
                }
            }
        }
        group.wait()
        let expected = try databaseIDs(s.target.adminURL)
        #expect(expected.count > 300)
        #expect(sse.readUntil(timeout: 10) { tickIDs(in: $0).last == expected.last })
        #expect(multipart.readUntil(timeout: 10) { allTickIDs($0).last == expected.last })
        #expect(tickIDs(in: sse.text) == expected)
        #expect(allTickIDs(multipart.text) == expected)
    }

    @Test func aPostgreSQLRestartMidFeedLosesAndRepeatsNothing() throws {
        let cluster = try TestCluster.isolated()
        let s = try TestServer(target: TestCluster.database(in: cluster))
        let c = try openStream(s, "symbols=A,B")
        let others = try ["xhr", "iframe", "multipart"].map { try openStream(s, "symbols=A,B&transport=\($0)") }
        try feedThroughRestarts(cluster, feedURL: s.target.feedURL)
        let expected = try databaseIDs(s.target.adminURL)
        #expect(expected.count > 100)
        #expect(c.readUntil(timeout: 10) { tickIDs(in: $0).last == expected.last }, "last received \(tickIDs(in: c.text).last ?? -1), expected \(expected.last ?? -1)")
        #expect(tickIDs(in: c.text) == expected)
        for o in others {
            #expect(o.readUntil(timeout: 10) { allTickIDs($0).last == expected.last })
            #expect(allTickIDs(o.text) == expected, "transport \(o.headers["content-type"] ?? "")")
        }
        let health = try HTTPTestClient.get(port: s.port, "/health")
        #expect(health.body.contains("\"database\":true"))
    }

    @Test func aStalledReaderIsConflatedWhileAHealthyOneKeepsUp() throws {
        // The write timeout (a reader that takes nothing for that long is
        // closed) is raised: on a loaded machine the feed below can outlast
        // the default 30 s, and this test is about conflation, not timeouts.
        let s = try TestServer(target: TestCluster.database()) { $0.heartbeatSeconds = 1; $0.writeTimeoutSeconds = 300 }
        let stalled = try HTTPTestClient(port: s.port, path: "/stream?symbols=A,B", receiveBuffer: 4096)
        Thread.sleep(forTimeInterval: 0.2)
        nonisolated(unsafe) let healthy = try openStream(s, "symbols=A,B")
        let total = 40 * 2500
        let reading = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var keptUp = false
        Thread.detachNewThread {
            // A healthy reader reads while the feed runs (the ids are 1...total).
            keptUp = healthy.readUntil(timeout: 60, contains: "id: \(total)\nevent: tick")
            reading.signal()
        }
        for _ in 0..<40 {
            try s.insert("INSERT INTO ticks (symbol, price, size) SELECT (ARRAY['A','B'])[1 + g % 2], g, g FROM generate_series(1, 2500) g")
        }
        let expected = try databaseIDs(s.target.adminURL)
        #expect(expected.count == total)
        reading.wait()
        #expect(keptUp)
        #expect(tickIDs(in: healthy.text) == expected)
        let metrics = try HTTPTestClient.get(port: s.port, "/metrics").body
        let conflated = metrics.split(separator: "\n").first { $0.hasPrefix("ticker_conflated_ticks_total ") }
        #expect(Int(conflated?.split(separator: " ").last ?? "0") ?? 0 > 1000, "\(conflated ?? "none")")
        // Once it reads again, it is told what it missed and gets the latest ticks.
        #expect(stalled.readUntil(timeout: 20, contains: "event: conflated"))
        #expect(stalled.readUntil(timeout: 10, contains: "id: \(expected.last!)\nevent: tick"))
        let got = tickIDs(in: stalled.text)
        #expect(got.count < expected.count)
        #expect(got == got.sorted())
    }
}
