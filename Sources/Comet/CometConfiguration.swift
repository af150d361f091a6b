import Foundation

/// Settings of one server process; defaults suit a laptop demo and a test.
public struct CometConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (tests).
    public var port = 8080
    /// libpq URL of the read-only `ticker_server` role (or any role that may read ticks and LISTEN).
    public var databaseURL: String
    /// Folder of the dashboard's static files; nil serves none.
    public var publicDirectory: URL?
    /// Seconds between heartbeats on every stream.
    public var heartbeatSeconds = 15.0
    /// SSE `retry:` hint, milliseconds.
    public var retryMilliseconds = 2000
    /// Seconds a client may take to send its request (slowloris guard).
    public var requestTimeoutSeconds: Int32 = 10
    /// Seconds a stream may make no write progress before it is closed (resumable).
    public var writeTimeoutSeconds = 30.0
    /// Unsent bytes per stream beyond which it is conflated.
    public var streamOutputLimit = 256 * 1024
    public var maxHeaderBytes = 8 * 1024
    public var maxSymbolsPerRequest = 50
    /// Streams and parked polls at most (503 beyond); keep it under the open-file limit.
    public var maxConnections = 19_000
    /// Streams and parked polls per client address at most (0: no limit).
    /// Leave it off behind a proxy, where every client has the proxy's address.
    public var maxConnectionsPerAddress = 0
    /// Ticks kept in memory for resumes and polls.
    public var tickLogCapacity = 65_536
    /// Largest gap replayed on resume; beyond it the client gets `reset` and a fresh snapshot.
    public var maxReplay = 10_000
    /// Longest long-poll wait, seconds.
    public var maxPollWait = 30
    /// Origins allowed to call the API from other sites; `*` allows any.
    public var corsOrigins: [String] = ["*"]
    /// Share the port with other processes (`--workers`).
    public var reusePort = false
    /// Bayeux (`/cometd`): the settings of docs/BAYEUX.md.
    public var bayeux = BayeuxConfiguration()
    /// Stop on SIGTERM/SIGINT (the command line sets it; tests do not).
    public var handleSignals = false
    /// `--auth-key-file`: tokens are required on every data route (see `TokenKey`); nil: open.
    public var authKeyFile: URL?
    /// `--delay`: seconds a delayed symbol lags its live ticks.
    public var delaySeconds = 900.0
    /// Seconds of clock difference forgiven on a token's `exp` and `nbf`.
    public var tokenLeewaySeconds = 30.0

    public init(databaseURL: String) { self.databaseURL = databaseURL }
}
