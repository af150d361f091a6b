import CLibEvent
import Glibc
import Logging
import Platform

/// Owner of the `evhttp` and its listener, with the hardening libevent 2.1
/// does not give by default (see LIBEVENT-LIBPQ.md):
/// a deep listen backlog, request-phase timeouts, header and method limits,
/// and an accept error callback that pauses accepting instead of spinning
/// when the process is out of file descriptors.
///
/// Loop thread only.
public final class HTTPServer {
    /// Called for every complete request.
    public var handler: ((HTTPRequest) -> Void)?
    /// Called when a connection that carried a long-lived response closes.
    public var connectionClosed: ((ConnectionID) -> Void)?

    let loop: EventLoop
    private let http: OpaquePointer
    private var listener: OpaquePointer?
    /// evhttp's handle of the listener, to close it (`evhttp_del_accept_socket`).
    private var bound: OpaquePointer?
    private var resumeTimer: LoopEvent?
    private let logger: Logger
    /// Reused for every chunk: `evhttp_send_reply_chunk` moves its contents out.
    let scratch: OpaquePointer
    public private(set) var acceptPauses = 0

    /// - Parameters:
    ///   - requestTimeout: seconds a client may take to send its request (slowloris guard).
    ///   - maxHeaderBytes: larger headers get evhttp's 400.
    ///   - maxBodyBytes: larger request bodies get evhttp's 413.
    public init(loop: EventLoop, requestTimeout: Int32, maxHeaderBytes: Int, maxBodyBytes: Int = 16 * 1024, logger: Logger) {
        self.loop = loop
        self.logger = logger
        http = evhttp_new(loop.base)
        scratch = evbuffer_new()
        evhttp_set_timeout(http, requestTimeout)
        evhttp_set_max_headers_size(http, maxHeaderBytes)
        evhttp_set_max_body_size(http, maxBodyBytes)
        evhttp_set_allowed_methods(http, HTTPMethod.accepted)
        evhttp_set_gencb(http, { req, ctx in
            guard let req, let ctx else { return }
            let server = Unmanaged<HTTPServer>.fromOpaque(ctx).takeUnretainedValue()
            server.handler?(HTTPRequest(req, server: server))
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        evhttp_free(http) // also frees the bound listener
        evbuffer_free(scratch)
    }

    /// Binds `host:port` (port 0: any free port) with a backlog of `backlog`;
    /// `reusePort` lets several worker processes share the port.
    /// - Returns: the bound port.
    public func bind(host: String, port: Int, backlog: Int32 = 8192, reusePort: Bool = false) throws(ServerError) -> Int {
        let address = host == "localhost" ? "127.0.0.1" : host
        var check = in_addr()
        guard inet_pton(AF_INET, address, &check) == 1 else {
            throw ServerError("--host '\(host)' is not an IPv4 address (use 127.0.0.1 or 0.0.0.0)")
        }
        var flags = UInt32(LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC)
        if reusePort { flags |= UInt32(LEV_OPT_REUSEABLE_PORT) }
        let l = IPv4Endpoint(host: address, port: port).withSockaddr { sa, len in
            evconnlistener_new_bind(loop.base, nil, nil, flags, backlog, sa, Int32(len))
        }
        guard let l else { throw ServerError("cannot listen on \(host):\(port): \(String(cString: strerror(errno)))") }
        listener = l
        guard let b = evhttp_bind_listener(http, l) else { throw ServerError("cannot attach the HTTP server to its listener") }
        bound = b
        installAcceptErrorHandler(l)
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(evconnlistener_get_fd(l), $0, &len) }
        }
        return Int(UInt16(bigEndian: bound.sin_port))
    }

    /// Also accepts on `host:port` (another address, e.g. a loopback port
    /// only other local processes use); requests that came that way show it
    /// in `HTTPRequest.localPort`. Closed with the main listener.
    public func bindAlso(host: String, port: Int) throws(ServerError) {
        var flags = UInt32(LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC)
        let l = IPv4Endpoint(host: host, port: port).withSockaddr { sa, len in
            evconnlistener_new_bind(loop.base, nil, nil, flags, 1024, sa, Int32(len))
        }
        guard let l else { throw ServerError("cannot listen on \(host):\(port): \(String(cString: strerror(errno)))") }
        guard let b = evhttp_bind_listener(http, l) else { throw ServerError("cannot attach the HTTP server to its listener") }
        extraListeners.append(b)
    }

    /// evhttp's handles of the listeners `bindAlso` added.
    private var extraListeners: [OpaquePointer] = []

    /// evconnlistener's error callback has no context argument of its own; it
    /// gets the listener's, which evhttp owns. So the server finds itself through
    /// a process-wide table keyed by listener.
    private func installAcceptErrorHandler(_ l: OpaquePointer) {
        ListenerRegistry.shared.set(l, self)
        evconnlistener_set_error_cb(l, { l, _ in
            guard let l, let server = ListenerRegistry.shared.get(l) else { return }
            server.acceptFailed()
        })
    }

    /// Out of file descriptors (or another accept error): stop accepting for a
    /// moment instead of retrying in a tight loop, then try again.
    private func acceptFailed() {
        guard let l = listener else { return }
        acceptPauses += 1
        logger.warning("accept failed; pausing new connections for 1 s", metadata: ["comet.errno": "\(String(cString: strerror(errno)))"])
        evconnlistener_disable(l)
        resumeTimer = loop.after(1) { [weak self] in
            guard let self, let l = self.listener else { return }
            evconnlistener_enable(l)
        }
    }

    /// Stops accepting new connections (shutdown).
    /// Closes the listening socket (shutdown): new connections are refused
    /// at once, so a balancer sends them elsewhere instead of to a process
    /// that would reset them when it exits; open connections drain.
    public func closeListener() {
        for b in extraListeners { evhttp_del_accept_socket(http, b) }
        extraListeners = []
        guard let listener, let bound else { return }
        ListenerRegistry.shared.remove(listener)
        resumeTimer = nil
        evhttp_del_accept_socket(http, bound) // frees the listener and closes its socket
        self.listener = nil
        self.bound = nil
    }

    /// Watches `connection` for closing; `connectionClosed` then names it.
    public func watchClose(_ connection: ConnectionID) {
        guard let evcon = OpaquePointer(bitPattern: connection.raw) else { return }
        evhttp_connection_set_closecb(evcon, { evcon, ctx in
            guard let evcon, let ctx else { return }
            Unmanaged<HTTPServer>.fromOpaque(ctx).takeUnretainedValue().connectionClosed?(ConnectionID(evcon))
        }, Unmanaged.passUnretained(self).toOpaque())
    }
}

/// Listener → server, for evconnlistener's error callback (see `installAcceptErrorHandler`).
final class ListenerRegistry: @unchecked Sendable {
    static let shared = ListenerRegistry()
    private var lock = pthread_mutex_t()
    private var table: [OpaquePointer: Unmanaged<HTTPServer>] = [:]

    init() { pthread_mutex_init(&lock, nil) }

    func set(_ l: OpaquePointer, _ s: HTTPServer) {
        pthread_mutex_lock(&lock); table[l] = .passUnretained(s); pthread_mutex_unlock(&lock)
    }
    func get(_ l: OpaquePointer) -> HTTPServer? {
        pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
        return table[l]?.takeUnretainedValue()
    }
    func remove(_ l: OpaquePointer) {
        pthread_mutex_lock(&lock); table[l] = nil; pthread_mutex_unlock(&lock)
    }
}

/// A server start-up or configuration problem; `description` is the line a user sees.
public struct ServerError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
