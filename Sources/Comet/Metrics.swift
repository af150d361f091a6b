import Quotes

/// Counters for `/metrics`, in Prometheus text format.
struct Metrics {
    var streamsOpened: [WireFormat: Int] = [:]
    var streamsOpen: [WireFormat: Int] = [:]
    var pollsParked = 0
    var websocketsOpened = 0
    var websocketsOpen = 0
    /// Sockets we closed because the client broke the protocol or our rules, by close code.
    var websocketCloses: [UInt16: Int] = [:]
    var pollsAnswered = 0
    var conflatedTicks = 0
    var rejectedRequests = 0
    var replaysFromDatabase = 0
    var lastFetchSeconds = 0.0

    func render(hub: TickHub, databaseReconnects: Int, databaseUp: Bool, acceptPauses: Int) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ lines: [(String, String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in lines { out += "\(name)\(labels) \(value)\n" }
        }
        metric("ticker_connections", "gauge", "Open streams and WebSockets by transport, and parked long polls.",
               WireFormat.allCases.map { ("{transport=\"\($0.rawValue)\"}", "\(streamsOpen[$0] ?? 0)") }
               + [("{transport=\"longpoll\"}", "\(pollsParked)"), ("{transport=\"websocket\"}", "\(websocketsOpen)")])
        metric("ticker_streams_opened_total", "counter", "Streams and WebSockets opened by transport.",
               WireFormat.allCases.map { ("{transport=\"\($0.rawValue)\"}", "\(streamsOpened[$0] ?? 0)") }
               + [("{transport=\"websocket\"}", "\(websocketsOpened)")])
        metric("ticker_websocket_closes_total", "counter", "WebSockets closed for breaking the protocol or our rules, by close code.",
               websocketCloses.keys.sorted().map { ("{code=\"\($0)\"}", "\(websocketCloses[$0]!)") })
        metric("ticker_deliveries_total", "counter", "Ticks handed to subscribers.", [("", "\(hub.deliveries)")])
        metric("ticker_polls_answered_total", "counter", "Poll and long-poll responses.", [("", "\(pollsAnswered)")])
        metric("ticker_conflated_ticks_total", "counter", "Ticks replaced by a newer one for slow readers.", [("", "\(conflatedTicks)")])
        metric("ticker_rejected_requests_total", "counter", "Requests answered 4xx/5xx by the server.", [("", "\(rejectedRequests)")])
        metric("ticker_replays_from_database_total", "counter", "Resumes older than the in-memory log.", [("", "\(replaysFromDatabase)")])
        metric("ticker_database_reconnects_total", "counter", "Database reconnect attempts.", [("", "\(databaseReconnects)")])
        metric("ticker_database_up", "gauge", "1 when the LISTEN connection is up.", [("", databaseUp ? "1" : "0")])
        metric("ticker_cursor", "gauge", "Id of the newest tick routed.", [("", "\(hub.cursor)")])
        metric("ticker_cursor_lag_seconds", "gauge", "Time from the last wake-up to its ticks being routed.", [("", "\(lastFetchSeconds)")])
        metric("ticker_accept_pauses_total", "counter", "Times accepting paused on an accept error (e.g. out of files).", [("", "\(acceptPauses)")])
        return out
    }
}
