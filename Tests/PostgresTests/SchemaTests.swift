import Foundation
import Postgres
import Testing
import TickerTestSupport

@Suite struct SchemaTests {
    @Test func migrationsAreHarmlessTwice() throws {
        let db = try TestCluster.database()
        let c = try PGConnection(db.adminURL)
        let again = try Migrator(directory: ResourceLocator.schema()).migrate(c)
        #expect(again.isEmpty)
        #expect(try c.exec("SELECT count(*) FROM schema_migrations").int64(0, 0) == Int64(try Migrator(directory: ResourceLocator.schema()).files().count))
    }

    @Test(arguments: [
        "INSERT INTO ticks (symbol, price) VALUES ('aapl', 1)",
        "INSERT INTO ticks (symbol, price) VALUES ('<b>', 1)",
        "INSERT INTO ticks (symbol, price) VALUES ('AAPL', 0)",
        "INSERT INTO ticks (symbol, price) VALUES ('AAPL', -5)",
        "INSERT INTO ticks (symbol, price) VALUES ('AAPL', 'NaN')",
        "INSERT INTO ticks (symbol, price) VALUES ('AAPL', 1.123456789)",
        "INSERT INTO ticks (symbol, price, size) VALUES ('AAPL', 1, -1)",
        "INSERT INTO ticks (symbol, price, bid, ask) VALUES ('AAPL', 1, 2, 1)",
        "INSERT INTO ticks (id, symbol, price) VALUES (999, 'AAPL', 1)",
    ])
    func constraintsRejectBadTicksSentAsPlainSQL(sql: String) throws {
        let db = try TestCluster.database()
        let c = try PGConnection(db.feedURL)
        #expect(throws: PGError.self) { try c.exec(sql) }
        #expect(try c.exec("SELECT count(*) FROM ticks").int64(0, 0) == 0)
    }

    @Test func aThousandRowInsertSendsOneNotification() throws {
        let db = try TestCluster.database()
        let listener = try PGConnection(db.serverURL)
        try listener.exec("LISTEN ticks")
        try PGConnection(db.feedURL).exec("INSERT INTO ticks (symbol, price) SELECT 'AAPL', round(100 + g / 100.0, 2) FROM generate_series(1, 1000) g")
        var got: [PGNotification] = []
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline { got += try listener.waitForNotifications(timeout: 0.2) }
        #expect(got.count == 1)
        #expect(got.first?.channel == "ticks")
        #expect(try listener.exec("SELECT count(*) FROM ticks").int64(0, 0) == 1000)
    }

    @Test func rolesHoldOnlyWhatTheyNeed() throws {
        let db = try TestCluster.database()
        let server = try PGConnection(db.serverURL)
        #expect(throws: PGError.self) { try server.exec("INSERT INTO ticks (symbol, price) VALUES ('AAPL', 1)") }
        let feed = try PGConnection(db.feedURL)
        try feed.exec("INSERT INTO ticks (symbol, price) VALUES ('AAPL', 1)")
        #expect(throws: PGError.self) { try feed.exec("DELETE FROM ticks") }
        #expect(throws: PGError.self) { try feed.exec("UPDATE ticks SET price = 2") }
        #expect(try server.exec("SELECT count(*) FROM ticks").int64(0, 0) == 1)
        try server.exec("LISTEN ticks")
    }

    @Test func latestQuotesReadTheNewestRowPerSymbol() throws {
        let db = try TestCluster.database()
        let c = try PGConnection(db.feedURL)
        try c.exec("INSERT INTO ticks (symbol, price) VALUES ('A', 1), ('B', 2), ('A', 3.50)")
        let r = try c.exec("SELECT symbol, price::text FROM latest_quotes ORDER BY symbol")
        #expect((0..<r.rowCount).map { "\(r.string($0, 0)!)=\(r.string($0, 1)!)" } == ["A=3.50", "B=2"])
    }

    @Test func localClusterKeepsItsPortAcrossRestart() throws {
        let cluster = try TestCluster.isolated()
        let port = cluster.port
        try cluster.stop()
        #expect(!cluster.isRunning())
        #expect(try cluster.start())
        #expect(cluster.port == port)
        #expect(try cluster.start() == false) // idempotent
        let c = try PGConnection(cluster.url()!)
        #expect(try c.exec("SELECT current_setting('port')").string(0, 0) == "\(port!)")
    }
}
