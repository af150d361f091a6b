import CLibPQ
import Glibc
import Logging

/// A notification received on a LISTEN channel.
public struct PGNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String
    public let pid: Int32
}

/// Owner of one `PGconn*`: the only place that pointer is touched; finished in `deinit`.
///
/// Blocking calls (`exec`, `copyIn`) serve the command line, migrations and the
/// ingester. The non-blocking calls (`startConnecting`, `connectPoll`,
/// `sendQuery`, `consumeInput`, `nextResult`) let the Comet core drive the
/// connection from its libevent loop without blocking it.
///
/// `@unchecked Sendable`: a connection is used by one thread at a time (it is
/// handed over, never shared); libpq itself is thread-safe across connections.
public final class PGConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private var noticeBox: Unmanaged<NoticeBox>?

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        PQfinish(handle)
        noticeBox?.release()
    }

    /// Connects and waits; throws with libpq's message when it cannot.
    public convenience init(_ conninfo: String, logger: Logger? = nil) throws(PGError) {
        guard let h = PQconnectdb(conninfo) else { throw PGError("out of memory creating a connection") }
        self.init(handle: h)
        guard PQstatus(h) == CONNECTION_OK else { throw PGError(lastError) }
        routeNotices(to: logger)
    }

    /// Starts a non-blocking connect; drive it with `connectPoll()` as the socket becomes ready.
    public static func startConnecting(_ conninfo: String, logger: Logger? = nil) throws(PGError) -> PGConnection {
        guard let h = PQconnectStart(conninfo) else { throw PGError("out of memory creating a connection") }
        let c = PGConnection(handle: h)
        guard PQstatus(h) != CONNECTION_BAD else { throw PGError(c.lastError) }
        c.routeNotices(to: logger)
        return c
    }

    /// What a non-blocking connect waits for next.
    public enum PollStatus: Equatable {
        case reading, writing, ready
        case failed(String)
    }

    /// One step of a non-blocking connect. The socket may change between steps:
    /// re-register it each time.
    public func connectPoll() -> PollStatus {
        switch PQconnectPoll(handle) {
        case PGRES_POLLING_READING: return .reading
        case PGRES_POLLING_WRITING: return .writing
        case PGRES_POLLING_OK:
            PQsetnonblocking(handle, 1)
            return .ready
        default: return .failed(lastError)
        }
    }

    public var socket: Int32 { PQsocket(handle) }
    public var isConnected: Bool { PQstatus(handle) == CONNECTION_OK }
    public var lastError: String { String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines) }
    public var serverPID: Int32 { PQbackendPID(handle) }

    // MARK: Blocking use

    /// Runs one statement with text parameters (`$1`, `$2`, ...) and waits for its result.
    @discardableResult
    public func exec(_ sql: String, _ params: [String?] = []) throws(PGError) -> PGResult {
        let result = withCStrings(params) { ptrs in
            PQexecParams(handle, sql, Int32(params.count), nil, ptrs, nil, nil, 0)
        }
        guard let result else { throw PGError(lastError, sqlState: "08000") }
        let r = PGResult(result)
        if let e = r.error { throw e }
        return r
    }

    /// Runs a script of several statements without parameters (migrations).
    public func execScript(_ sql: String) throws(PGError) {
        guard let result = PQexec(handle, sql) else { throw PGError(lastError, sqlState: "08000") }
        let r = PGResult(result)
        if let e = r.error { throw e }
    }

    /// Runs `COPY ... FROM STDIN` and streams `chunks` as its data, in one statement.
    /// Returns the number of rows stored.
    public func copyIn(_ sql: String, _ chunks: [ArraySlice<UInt8>]) throws(PGError) -> Int {
        guard let start = PQexec(handle, sql) else { throw PGError(lastError, sqlState: "08000") }
        let s = PGResult(start)
        if let e = s.error { throw e }
        guard s.isCopyIn else { throw PGError("'\(sql)' did not start a COPY FROM STDIN") }
        var sendError: String?
        for chunk in chunks where !chunk.isEmpty {
            let ok = chunk.withUnsafeBytes { raw in
                PQputCopyData(handle, raw.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(raw.count))
            }
            if ok != 1 { sendError = lastError; break }
        }
        if PQputCopyEnd(handle, sendError) != 1 { throw PGError(lastError, sqlState: "08000") }
        var rows = 0
        var failure: PGError?
        while let res = PQgetResult(handle) {
            let r = PGResult(res)
            if let e = r.error { failure = failure ?? e } else { rows += r.affectedRows }
        }
        if let failure { throw failure }
        if let sendError { throw PGError(sendError, sqlState: "08000") }
        return rows
    }

    /// Waits up to `timeout` seconds for notifications on LISTENed channels.
    public func waitForNotifications(timeout: Double) throws(PGError) -> [PGNotification] {
        var found = try drainNotifications()
        if !found.isEmpty { return found }
        var fds = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let deadline = Double(timeout * 1000)
        if poll(&fds, 1, Int32(deadline)) > 0 {
            try consumeInput()
            found = try drainNotifications()
        }
        return found
    }

    // MARK: Non-blocking use

    /// Sends a query without waiting; collect it with `consumeInput` and `nextResult`.
    public func sendQuery(_ sql: String, _ params: [String?] = []) throws(PGError) {
        let ok = withCStrings(params) { ptrs in
            PQsendQueryParams(handle, sql, Int32(params.count), nil, ptrs, nil, nil, 0)
        }
        guard ok == 1 else { throw PGError(lastError, sqlState: "08000") }
    }

    /// Sends buffered output; returns true when all of it is out (false: wait for writability).
    public func flush() throws(PGError) -> Bool {
        switch PQflush(handle) {
        case 0: return true
        case 1: return false
        default: throw PGError(lastError, sqlState: "08000")
        }
    }

    /// Reads what the socket has; call when it is readable.
    public func consumeInput() throws(PGError) {
        guard PQconsumeInput(handle) == 1 else { throw PGError(lastError, sqlState: "08000") }
    }

    /// True while a result is still arriving (then `nextResult` would block).
    public var isBusy: Bool { PQisBusy(handle) == 1 }

    /// The next result of the query in flight, or nil when it is complete.
    /// Call only when `isBusy` is false.
    public func nextResult() -> PGResult? {
        PQgetResult(handle).map(PGResult.init)
    }

    /// Notifications received so far.
    public func drainNotifications() throws(PGError) -> [PGNotification] {
        var out: [PGNotification] = []
        while let n = PQnotifies(handle) {
            out.append(PGNotification(channel: String(cString: n.pointee.relname),
                                      payload: String(cString: n.pointee.extra),
                                      pid: n.pointee.be_pid))
            PQfreemem(n)
        }
        return out
    }

    /// `name` quoted as an SQL identifier.
    public func escapeIdentifier(_ name: String) -> String {
        guard let p = PQescapeIdentifier(handle, name, name.utf8.count) else { return "\"\"" }
        defer { PQfreemem(p) }
        return String(cString: p)
    }

    // MARK: Notices

    /// Routes server notices (`NOTICE: role exists, skipping`) to the log instead of stderr.
    private func routeNotices(to logger: Logger?) {
        let box = Unmanaged.passRetained(NoticeBox(logger: logger))
        noticeBox = box
        PQsetNoticeProcessor(handle, { ctx, message in
            guard let ctx, let message else { return }
            let box = Unmanaged<NoticeBox>.fromOpaque(ctx).takeUnretainedValue()
            box.logger?.debug("\(String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines))")
        }, box.toOpaque())
    }

    private final class NoticeBox {
        let logger: Logger?
        init(logger: Logger?) { self.logger = logger }
    }
}

/// Calls `body` with the C strings of `values` (nil stays NULL), valid for the call only.
func withCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let owned: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0) } }
    defer { for p in owned { free(p) } }
    return body(owned.map { $0.map { UnsafePointer($0) } })
}

import Foundation
