import EventHTTP
import Foundation
import Glibc
import Platform

/// The load side of `ticker bench`: many subscribers on one libevent loop, each
/// a plain socket reading SSE (HTTP/1.0, so no chunk framing), WebSocket frames
/// or polling answers, that record every tick id they receive with its arrival time.
///
/// Built for this job so the client is never the bottleneck: no per-event
/// allocation beyond the delivery record, one read callback per socket.
public final class BenchSubscribers: @unchecked Sendable {
    /// One tick arrival: which subscriber, which id, when (monotonic seconds).
    public struct Delivery: Sendable {
        public let subscriber: Int32
        public let id: Int64
        public let at: Double
        public init(subscriber: Int32, id: Int64, at: Double) { self.subscriber = subscriber; self.id = id; self.at = at }
    }

    private let loop = EventLoop()
    private var connections: [Conn] = []
    public private(set) var deliveries: [Delivery] = []
    public private(set) var helloCount = 0
    public private(set) var failures = 0
    private var stopEvent: WakeUp?
    private var pacer: LoopEvent?
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)

    final class Conn {
        let index: Int32
        var client: TCPClient?
        var line: [UInt8] = []
        var inBody = false
        var currentID: Int64 = 0
        var isTick = false
        var open = false
        /// Polling subscribers: the request path, the cursor or Bayeux clientId
        /// the next request carries, and the length of the answer being read.
        var path = ""
        var next = ""
        var subscribed = false
        var bodyLength: Int?
        var body: [UInt8] = []
        init(index: Int32) { self.index = index }
    }

    /// The server under test: CometTicker (`hello` opens, `id:` lines carry
    /// tick ids) or nchan (open when headers arrive, tick id read from the data).
    public enum Target: String, Sendable { case comet, nchan }
    let target: Target
    /// How the subscribers receive ticks.
    public enum Transport: String, Sendable, CaseIterable {
        /// `GET /stream` (server-sent events).
        case sse
        /// `GET /ws` (BenchSubscribers+WebSocket.swift).
        case ws
        /// `GET /poll?wait=` one held request after another (BenchSubscribers+Polling.swift).
        case longpoll
        /// Bayeux long-polling: `POST /cometd` handshake, subscribe, then `/meta/connect` after `/meta/connect`.
        case bayeux
    }
    let transport: Transport
    var websocket: Bool { transport == .ws }
    var polling: Bool { transport == .longpoll || transport == .bayeux }
    var host = ""

    public init(target: Target = .comet, transport: Transport = .sse) {
        self.target = target
        self.transport = target == .comet ? transport : (transport == .ws ? .ws : .sse)
    }

    /// Opens `paths.count` streams to `host:port` (one path each), from the
    /// given local source addresses in turn (several are needed past ~28,000
    /// connections to one port). Returns once all said hello or `timeout` passed.
    public func open(host: String, port: Int, paths: [String], sources: [String] = ["127.0.0.1"], timeout: Double) -> Double {
        open(host: host, port: port, paths: paths, firstIndex: 0, sources: sources, timeout: timeout)
    }

    /// Opens subscribers `firstIndex ..< firstIndex + paths.count` of a larger run
    /// (one bench process's share; deliveries carry those indexes).
    public func open(host: String, port: Int, paths: [String], firstIndex: Int, sources: [String], timeout: Double) -> Double {
        let started = MonotonicClock.now()
        self.host = host
        stopEvent = loop.wakeUp { [unowned self] in self.loop.stop() }
        // Connect in waves of 500 every 20 ms: a listen queue is capped by
        // net.core.somaxconn (4096 here), and real users do not all arrive in
        // the same millisecond.
        var next = 0
        pacer = loop.every(0.02) { [unowned self] in
            let end = min(next + 500, paths.count)
            while next < end {
                let c = Conn(index: Int32(firstIndex + next))
                self.connections.append(c)
                self.connect(c, host: host, port: port, source: sources[next % sources.count], path: paths[next])
                next += 1
            }
            if next == paths.count { self.pacer?.remove() }
        }
        let t = Thread { [self] in self.loop.run(); self.done.signal() }
        t.stackSize = 8 << 20
        thread = t
        t.start()
        while MonotonicClock.now() - started < timeout {
            if helloSnapshot() + failureSnapshot() >= paths.count { break }
            usleep(20_000)
        }
        return MonotonicClock.now() - started
    }

    private let countLock = NSLock()
    private func helloSnapshot() -> Int { countLock.lock(); defer { countLock.unlock() }; return helloCount }
    private func failureSnapshot() -> Int { countLock.lock(); defer { countLock.unlock() }; return failures }

    /// Stops the loop and returns every delivery recorded.
    public func stop() -> [Delivery] {
        stopEvent?.signal()
        done.wait()
        openIndexes = connections.filter(\.open).map { Int($0.index) }
        connections.removeAll() // each client closes its socket as it goes
        return deliveries
    }

    public var opened: Int { helloSnapshot() }
    /// Streams the server closed after they had opened (a healthy run has none).
    public var closed: Int { countLock.lock(); defer { countLock.unlock() }; return closedAfterOpen }
    private var closedAfterOpen = 0

    /// Deliveries so far (any thread).
    public var deliveredCount: Int { countLock.lock(); defer { countLock.unlock() }; return delivered }
    private var delivered = 0

    /// Waits until no delivery has arrived for `quiet` seconds (or `limit` passed),
    /// so late ticks count as late, not lost. Before the first delivery it waits
    /// up to `firstWait`: after a burst of many thousand ticks the first can take
    /// longer than the quiet period to arrive.
    public func settle(quiet: Double = 2, firstWait: Double = 30, limit: Double = 120) {
        let start = MonotonicClock.now()
        var last = deliveredCount, lastChange = start
        while MonotonicClock.now() - start < limit,
              MonotonicClock.now() - lastChange < (last == 0 ? firstWait : quiet) {
            usleep(100_000)
            let n = deliveredCount
            if n != last { last = n; lastChange = MonotonicClock.now() }
        }
    }

    /// Indexes of the subscribers that opened (said hello); read after `stop()`.
    public var openedIndexes: [Int] { openIndexes }
    private var openIndexes: [Int] = []
    public var failed: Int { failureSnapshot() }

    private func connect(_ c: Conn, host: String, port: Int, source: String, path: String) {
        let client = TCPClient(loop: loop, source: IPv4Endpoint(host: source, port: 0), onBytes: { [unowned self, unowned c] bytes in
            self.readable(c, bytes)
        }, onClose: { [unowned self, unowned c] in self.ended(c) })
        guard let client else { countLock.lock(); failures += 1; countLock.unlock(); return }
        c.client = client
        c.path = path
        switch transport {
        case .sse: client.write(Array("GET \(path) HTTP/1.0\r\nHost: \(host)\r\nAccept: text/event-stream\r\n\r\n".utf8))
        case .ws: client.write(Self.upgradeRequest(host: host, path: path))
        case .longpoll, .bayeux: sendPoll(c)
        }
        _ = client.connect(to: IPv4Endpoint(host: host, port: port))
    }

    /// Counts a connection that ended: a failure before it opened, a close after.
    func ended(_ c: Conn) {
        countLock.lock()
        if c.open { closedAfterOpen += 1 } else { failures += 1 }
        countLock.unlock()
    }

    func record(_ d: Delivery) {
        deliveries.append(d)
        countLock.lock(); delivered += 1; countLock.unlock()
    }

    func markOpen(_ c: Conn) {
        guard !c.open else { return }
        c.open = true
        countLock.lock(); helloCount += 1; countLock.unlock()
    }

    private func readable(_ c: Conn, _ bytes: UnsafeRawBufferPointer) {
        let now = MonotonicClock.now()
        if websocket { return readFrames(c, bytes, now) }
        if polling { return readAnswers(c, bytes, now) }
        // Whole lines are read where they lie in the read buffer; only a line
        // split across reads is copied (into `c.line`). Per byte work on the
        // connection object would cost the bench more than the server spends.
        var start = 0
        while let nl = bytes[start...].firstIndex(of: 10) {
            if c.line.isEmpty {
                handle(c, UnsafeRawBufferPointer(rebasing: bytes[start..<nl]), now)
            } else {
                c.line.append(contentsOf: bytes[start..<nl])
                c.line.withUnsafeBytes { handle(c, $0, now) }
                c.line.removeAll(keepingCapacity: true)
            }
            start = nl + 1
        }
        if start < bytes.count { c.line.append(contentsOf: bytes[start...]) }
    }

    private func handle(_ c: Conn, _ l: UnsafeRawBufferPointer, _ now: Double) {
        if !c.inBody {
            if l.isEmpty || (l.count == 1 && l[0] == 13) {
                c.inBody = true
                if target == .nchan { markOpen(c) }
            }
            return
        }
        if target == .nchan {
            // nchan frames each message as `data: <body>`; the body is the tick JSON.
            if l.starts(with: "data: {\"id\":".utf8) {
                record(Delivery(subscriber: c.index, id: Self.number(l.dropFirst(12)), at: now))
            }
            return
        }
        if l.starts(with: "id: ".utf8) {
            c.currentID = Self.number(l.dropFirst(4))
        } else if l.starts(with: "event: ".utf8) {
            c.isTick = l.elementsEqual("event: tick".utf8)
            if l.elementsEqual("event: hello".utf8) { markOpen(c) }
        } else if l.starts(with: "data: ".utf8), c.isTick {
            record(Delivery(subscriber: c.index, id: c.currentID, at: now))
            c.isTick = false
        }
    }

    /// The decimal number at the start of `digits` (0 when there is none).
    static func number(_ digits: some Sequence<UInt8>) -> Int64 {
        var n: Int64 = 0
        for d in digits {
            guard d >= 48 && d <= 57 else { break }
            n = n &* 10 &+ Int64(d - 48)
        }
        return n
    }
}
