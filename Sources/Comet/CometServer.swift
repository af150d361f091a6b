import EventHTTP
import Foundation
import Glibc
import Logging
import Platform

/// The Comet server's lifecycle: start (initial load, bind, loop thread),
/// run, drain on shutdown, stop. What exists only while running lives in the
/// `ServerContext` that the running state carries.
///
/// The whole server runs on one event-loop thread; `start()` binds and starts
/// it, `shutdown()` (from any thread) asks it to stop, `wait()` returns when it
/// has. `@unchecked Sendable`: after `start()` every mutable field is touched
/// only on the loop thread; other threads only call `shutdown()`/`wait()`,
/// which go through a pre-made libevent event and a semaphore.
public final class CometServer: @unchecked Sendable {
    /// The lifecycle, logged at each change (as Hummingbird's `Server` does).
    enum State {
        case initial
        case running(ServerContext, Router)
        /// Draining: the context lives on until the loop ends, for the last
        /// writes and close callbacks.
        case shuttingDown(ServerContext)
        case shutdown

        var name: String {
            switch self {
            case .initial: return "initial"
            case .running: return "running"
            case .shuttingDown: return "shuttingDown"
            case .shutdown: return "shutdown"
            }
        }
    }

    let config: CometConfiguration
    let logger: Logger
    private let loop = EventLoop()
    private let http: HTTPServer
    private var state = State.initial
    private var stopEvent: WakeUp?
    private var signalEvents: [LoopEvent] = []
    private var drainTimer: LoopEvent?
    private let finished = DispatchSemaphore(value: 0)
    /// The bound port (after `start()`).
    public private(set) var port = 0

    public init(configuration: CometConfiguration, logger: Logger) {
        config = configuration
        self.logger = logger
        EventLog.route(to: logger)
        http = HTTPServer(loop: loop, requestTimeout: configuration.requestTimeoutSeconds,
                          maxHeaderBytes: configuration.maxHeaderBytes, logger: logger)
    }

    private func set(_ s: State) {
        state = s
        logger.info("server \(s.name)", metadata: ["comet.port": "\(port)"])
    }

    /// Loads the cursor and the latest quotes, binds the port and starts the
    /// loop thread. Throws with one clear line when the database or port is unusable.
    @discardableResult
    public func start() throws -> Int {
        signal(SIGPIPE, SIG_IGN) // libevent writes without MSG_NOSIGNAL
        // The key first: a wrong key file is the operator's mistake, said in one line before anything starts.
        var verifier: TokenVerifier?
        if let file = config.authKeyFile {
            do { verifier = TokenVerifier(key: try TokenKey(contentsOf: file), leeway: config.tokenLeewaySeconds) } catch {
                throw ServerError("\(error)")
            }
        }
        let initial = try CursorPump.loadInitialState(databaseURL: config.databaseURL, logger: logger)
        port = try http.bind(host: config.host, port: config.port, reusePort: config.reusePort)
        if case .owner(let home) = config.bayeux.home { try http.bindAlso(host: BayeuxHome.host, port: home) }
        var delayed: DelayedFeed.InitialState?
        if config.authKeyFile != nil {
            delayed = try DelayedFeed.loadInitialState(databaseURL: config.databaseURL, delaySeconds: config.delaySeconds,
                                                       liveCursor: initial.cursor, logger: logger)
        }
        let context = ServerContext(config: config, logger: logger, loop: loop, http: http,
                                    cursor: initial.cursor, latest: initial.latest, verifier: verifier, delayed: delayed)
        let router = Router(context: context)
        StreamRoute(context: context).register(on: router)
        WebSocketRoute(context: context).register(on: router)
        PollRoute(context: context).register(on: router)
        BayeuxRoute(context: context).register(on: router)
        QuoteRoutes(context: context).register(on: router)
        StatusRoutes(context: context).register(on: router)
        NoScriptRoutes(context: context).register(on: router)
        http.handler = { [unowned self] req in
            if case .shuttingDown(let context) = self.state, req.path == "/health" {
                return StatusRoutes.health(req, context, draining: true) // an in-flight check
            }
            guard case .running(_, let router) = self.state else {
                return req.respond(503, contentType: "application/json",
                                   text: "{\"error\":\"the server is shutting down; retry shortly\"}\n")
            }
            router.route(req)
        }
        context.start()

        stopEvent = loop.wakeUp { [unowned self] in self.beginShutdown() }
        if config.handleSignals {
            signalEvents = [SIGTERM, SIGINT].map { loop.onSignal($0) { [unowned self] in self.beginShutdown() } }
        }
        let t = Thread { [self] in
            self.loop.run()
            self.finished.signal()
        }
        t.name = "comet-loop"
        t.stackSize = 4 << 20
        set(.running(context, router))
        t.start()
        return port
    }

    /// Asks the server to stop: stop accepting, end streams with a retry hint,
    /// answer parked polls, close the database, leave the loop. Any thread.
    public func shutdown() { stopEvent?.signal() }

    /// Blocks until the loop has ended.
    public func wait() {
        finished.wait()
        finished.signal()
    }

    private func beginShutdown() {
        guard case .running(let context, _) = state else { return }
        set(.shuttingDown(context))
        http.closeListener()
        context.drain()
        // Let the last writes leave, then end the loop. Connections still open
        // are closed when the HTTP server is freed: nobody is listening then.
        drainTimer = loop.after(0.2) { [unowned self] in
            self.http.connectionClosed = nil
            self.set(.shutdown)
            self.loop.stop()
        }
    }
}
