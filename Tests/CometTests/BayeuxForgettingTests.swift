import Foundation
import Testing
import TickerTestSupport

/// Clients that stop connecting, or stop reading, are forgotten (memory stays
/// bounded) and told to handshake again when they come back.
@Suite struct BayeuxForgettingTests {
    func connect(_ id: String) -> String {
        #"[{"channel":"/meta/connect","clientId":"\#(id)","connectionType":"long-polling"}]"#
    }

    @Test func idleAndOverflowingClientsAreForgottenAndToldToHandshake() throws {
        let s = try TestServer(target: TestCluster.database()) {
            $0.bayeux.maxIdleSeconds = 1
            $0.bayeux.queueLimit = 5
        }
        // Never connects: forgotten after the idle time.
        let idle = try bayeuxHandshake(s.port)
        // Subscribes, then lets ticks pile up past the queue limit without connecting.
        let greedy = try bayeuxHandshake(s.port)
        _ = try bayeuxPost(s.port, #"[{"channel":"/meta/subscribe","clientId":"\#(greedy)","subscription":"/quotes/A"}]"#)
        for i in 1...8 { try s.insert("INSERT INTO ticks (symbol, price) VALUES ('A', $1)", [String(i)]) }
        Thread.sleep(forTimeInterval: 0.5)
        let overflowed = try bayeuxPost(s.port, connect(greedy), timeout: 3)
        #expect(overflowed.body.contains("402:") && overflowed.body.contains(#""reconnect":"handshake""#), "\(overflowed.body)")
        Thread.sleep(forTimeInterval: 2.5)
        let gone = try bayeuxPost(s.port, connect(idle), timeout: 3)
        #expect(gone.body.contains("unknown client") && gone.body.contains(#""reconnect":"handshake""#), "\(gone.body)")
        let metrics = try HTTPTestClient.get(port: s.port, "/metrics").body
        #expect(metrics.contains("ticker_bayeux_clients 0") && metrics.contains("ticker_bayeux_expired_total 2"), "\(metrics)")
    }
}
