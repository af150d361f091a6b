import Foundation
import Postgres
import Testing
import TickerTestSupport

/// What a trader's screen relies on besides the ticks themselves: which quote
/// is the latest, the day's figures, and being told when the database is away.
@Suite struct QuoteStateTests {
    @Test func aBackfilledTickIsDeliveredOnceButIsNotTheLatestQuote() throws {
        let s = try TestServer(target: TestCluster.database())
        let stream = try openStream(s, "symbols=A")
        try s.insert("INSERT INTO ticks (symbol, price, ts) VALUES ('A', 101, now())")
        try s.insert("INSERT INTO ticks (symbol, price, ts) VALUES ('A', 99, now() - interval '1 day')")
        #expect(stream.readUntil(timeout: 5) { tickIDs(in: $0) == [1, 2] })
        #expect(stream.text.contains("\"price\":\"99\""))
        #expect(stream.text.contains(",\"late\":true}"))
        let quotes = try HTTPTestClient.get(port: s.port, "/quotes?symbols=A").body
        #expect(quotes.contains("\"id\":1,\"symbol\":\"A\",\"price\":\"101\""), "\(quotes)")
        #expect(!quotes.contains("\"price\":\"99\""))
        // A new stream's snapshot holds the newest by event time, not by id.
        let fresh = try openStream(s, "symbols=A")
        #expect(fresh.readUntil(timeout: 5) { $0.contains("event: snapshot") })
        #expect(allTickIDs(parseSSE(fresh.text).first { $0.event == "snapshot" }?.data ?? "") == [1])
    }

    @Test func quotesCarryTheDayFiguresOfSQL() throws {
        let s = try TestServer(target: TestCluster.database())
        try s.insert("INSERT INTO reference_prices (symbol, session, price) VALUES ('B', (market_session_at()).day, 50)")
        try s.insert("INSERT INTO ticks (symbol, price, size) VALUES ('B', 52, 10), ('B', 49, 5), ('B', 51, 1)")
        Thread.sleep(forTimeInterval: 0.3)
        let body = try HTTPTestClient.get(port: s.port, "/quotes?symbols=B,NONE").body
        #expect(body.contains("\"session\":{\"start\":\""), "\(body)")
        #expect(body.contains("\"day\":{\"B\":{\"reference\":\"50\","), "\(body)")
        #expect(body.contains("\"open\":\"52\",\"high\":\"52\",\"low\":\"49\",\"volume\":16}"), "\(body)")
        #expect(!body.contains("\"NONE\""))
    }

    @Test func streamsAndPollsAreToldWhenTheDatabaseGoesAndComesBack() throws {
        let cluster = try TestCluster.isolated()
        let s = try TestServer(target: TestCluster.database(in: cluster))
        let stream = try openStream(s, "symbols=A")
        #expect(stream.text.contains("\"database\":\"up\""))
        try cluster.stop(mode: "fast")
        #expect(stream.readUntil(timeout: 5, contains: "event: status\ndata: {\"database\":\"down\"}"))
        let poll = try HTTPTestClient.get(port: s.port, "/poll?symbols=A&since=0")
        #expect(poll.body.contains("\"database\":\"down\""), "\(poll.body)")
        let late = try HTTPTestClient(port: s.port, path: "/stream?symbols=A")
        #expect(late.readUntil(timeout: 5) { $0.contains("\"database\":\"down\"") })
        // A balancer's check takes the node out while its database is gone.
        let down = try HTTPTestClient.get(port: s.port, "/health")
        #expect(down.status == 503 && down.body.contains("\"status\":\"degraded\",\"database\":false"), "\(down.body)")
        try cluster.start()
        #expect(stream.readUntil(timeout: 15, contains: "event: status\ndata: {\"database\":\"up\"}"))
        let up = try HTTPTestClient.get(port: s.port, "/health")
        #expect(up.status == 200 && up.body.contains("\"status\":\"ok\",\"database\":true"), "\(up.body)")
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 1)")
        #expect(stream.readUntil(timeout: 5) { tickIDs(in: $0) == [1] })
    }
}

/// A server behind a client's cursor (a balancer sent the client to a node a
/// few milliseconds behind the one it came from) reads first, then serves:
/// the client never sees `reset` for a cursor the database has.
@Suite struct NodeBehindClientTests {
    @Test func aCursorTheServerHasNotReadYetIsCaughtUpNotReset() throws {
        let s = try TestServer(target: TestCluster.database())
        try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', 1)")
        Thread.sleep(forTimeInterval: 0.3)
        // Commits this server is not woken for: it stays behind the database.
        let admin = try PGConnection(s.target.adminURL)
        try admin.execScript("ALTER TABLE ticks DISABLE TRIGGER ticks_notify")
        try admin.exec("INSERT INTO ticks (symbol, price) VALUES ('B', 2), ('A', 3)")
        try admin.execScript("ALTER TABLE ticks ENABLE TRIGGER ticks_notify")
        // A client that already has tick 3 (from a node that read it).
        let poll = try HTTPTestClient.get(port: s.port, "/poll?symbols=A&since=3")
        #expect(poll.body == "{\"cursor\":3,\"ticks\":[]}", "\(poll.body)")
        let stream = try openStream(s, "symbols=A&since=2")
        #expect(stream.readUntil(timeout: 5) { tickIDs(in: $0) == [3] })
        #expect(!stream.text.contains("event: reset") && !stream.text.contains("event: snapshot"))
        // Only a cursor beyond the database's newest is unknown.
        let future = try HTTPTestClient.get(port: s.port, "/poll?symbols=A&since=99")
        #expect(future.body == "{\"cursor\":3,\"reset\":true,\"ticks\":[]}", "\(future.body)")
    }
}
