import EventHTTP
import Platform

/// Which process of `ticker serve --workers N` keeps the Bayeux sessions.
/// A session (clientId, channels, queued ticks) lives in one process, but a
/// client's connections land on any worker (SO_REUSEPORT), so worker 0 owns
/// them all: it also listens on a loopback port, and the other workers relay
/// every `/cometd` connection there whole (`ConnectionRelay`), naming the
/// client's address in `relayedForHeader`. docs/BAYEUX.md "Several workers".
public enum BayeuxHome: Sendable, Equatable {
    /// One process: sessions are here (`--workers 1`, tests).
    case here
    /// Worker 0: sessions are here, and relayed connections arrive on
    /// `127.0.0.1:port`, the only place `relayedForHeader` is believed.
    case owner(port: Int)
    /// Another worker: `/cometd` connections go to worker 0 at `127.0.0.1:port`.
    case relay(port: Int)

    /// The client's address, added by the relaying worker.
    public static let relayedForHeader = "X-Ticker-Relayed-For"
    public static let host = "127.0.0.1"
}

extension ServerContext {
    /// The client's address for limits and logs: on the owner's loopback
    /// port, what the relaying worker named in the connection's first request
    /// (later requests on it are the client's raw bytes, so their header is
    /// not believed); the socket's peer everywhere else.
    func clientAddress(_ req: HTTPRequest) -> String {
        guard case .owner(let port) = config.bayeux.home, req.localPort == port, let connection = req.connection else { return req.peer }
        if let known = relayedPeers[connection] { return known }
        guard let relayed = req.header(BayeuxHome.relayedForHeader), !relayed.isEmpty else { return req.peer }
        relayedPeers[connection] = relayed
        http.watchClose(connection)  // connectionClosed forgets it
        return relayed
    }

    /// A relayed connection became a WebSocket: it reports its close to the
    /// stream now, not to `connectionClosed`, and carries no more requests.
    func forgetRelayedPeer(_ connection: ConnectionID?) {
        if let connection { relayedPeers[connection] = nil }
    }

    /// Worker i > 0: hands the whole connection to worker 0. True when it did;
    /// false when the request is to be answered here (single process, worker
    /// 0, or no socket: then a 503).
    func relayBayeux(_ req: HTTPRequest) -> Bool {
        guard case .relay(let port) = config.bayeux.home else { return false }
        let header = BayeuxHome.relayedForHeader
        if ConnectionRelay.start(req, to: IPv4Endpoint(host: BayeuxHome.host, port: port),
                                 addHeaders: [(header, req.peer)], dropHeaders: [header.lowercased()]) {
            return true
        }
        fail(req, 503, "cannot reach the Bayeux worker; retry")
        return true
    }
}
