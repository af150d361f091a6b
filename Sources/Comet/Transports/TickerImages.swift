import EventHTTP
import Imaging
import Platform
import Quotes

/// The server-push ticker image: renders each image once per (conflated)
/// change with the one `TickerStripRenderer`, shares the frame with all its
/// viewers, and sends heartbeats. Loop thread only.
final class TickerImages {
    typealias Key = FrameCache<ImageFrame>.Key

    private unowned let context: ServerContext
    private var cache: FrameCache<ImageFrame>
    private var channels: [Key: ImageChannel] = [:]
    private let renderer = TickerStripRenderer()
    private var timer: LoopEvent?
    private var timerDeadline: Int64?
    private(set) var skippedFrames = 0
    /// The price each symbol's change is measured from: the dashboard's.
    var reference: (String) -> String? = { _ in nil }

    init(context: ServerContext, policy: FramePacer.Policy) {
        self.context = context
        cache = FrameCache(policy: policy)
    }

    var renders: Int { cache.renders }
    var viewers: Int { cache.viewers }
    var images: Int { cache.images }

    /// Its lines of `/metrics` (Prometheus text format).
    var metricsText: String {
        [("ticker_image_renders_total", "counter", "Ticker image frames rendered (once per change per image, shared by its viewers).", renders),
         ("ticker_images", "gauge", "Ticker images with viewers (distinct symbol lists).", images),
         ("ticker_image_viewers", "gauge", "Open /ticker.png streams.", viewers),
         ("ticker_image_frames_skipped_total", "counter", "Frames not sent to viewers that were behind (they get a newer one).", skippedFrames)]
            .map { "# HELP \($0.0) \($0.2)\n# TYPE \($0.0) \($0.1)\n\($0.0) \($0.3)\n" }.joined()
    }

    /// Marks a delayed symbol in an image's key, so the delayed view of a
    /// symbol list is its own image (never a symbol: symbols have no `@`).
    static let delayedMark = "@delayed"
    static func isDelayed(_ keyed: String) -> Bool { keyed.hasSuffix(delayedMark) }
    static func symbol(_ keyed: String) -> String { isDelayed(keyed) ? String(keyed.dropLast(delayedMark.count)) : keyed }

    /// The image key of `symbols`, the delayed ones marked.
    static func key(_ symbols: [String], delayed: [String]) -> Key {
        symbols.map { delayed.contains($0) ? $0 + delayedMark : $0 }
    }

    // MARK: Requests

    /// `once=1`: the shared frame if the image is live, else one rendered now.
    func once(_ req: HTTPRequest, symbols: Key) {
        guard let png = cache.frame(for: symbols)?.png ?? (try? renderer.png(for: rows(symbols))) else {
            return context.fail(req, 503, "the image could not be drawn; retry shortly")
        }
        for (name, value) in ImageStreamFraming.onceHeaders where name != "Content-Type" { req.setHeader(name, value) }
        req.respond(200, contentType: "image/png", body: png)
    }

    /// Opens a stream for `viewer`: its first bytes are the current frame.
    func open(_ viewer: ImageViewer) {
        let key = viewer.key
        let now = Self.now()
        let existing = cache.join(key, at: now)
        let channel = channels[key] ?? {
            let c = ImageChannel(images: self, key: key)
            channels[key] = c
            context.hub.add(c)
            let delayed = key.filter(Self.isDelayed).map(Self.symbol)
            if !delayed.isEmpty, let hub = context.delayed?.hub {
                let leg = ForwardingSubscriber(symbols: delayed, to: c)
                hub.add(leg)
                c.delayedLeg = leg
            }
            return c
        }()
        channel.viewers[ObjectIdentifier(viewer)] = viewer
        guard let frame = existing ?? render(key) else { return }
        if let opening = ImageStreamFraming.opening(frame.png) { _ = viewer.send(opening, limit: .max) }
        armTimer()
    }

    /// The viewer's connection closed (or the server drained it).
    func closed(_ viewer: ImageViewer) {
        viewer.markClosed()
        guard let channel = channels[viewer.key], channel.viewers.removeValue(forKey: ObjectIdentifier(viewer)) != nil else { return }
        cache.leave(viewer.key)
        if channel.viewers.isEmpty {
            channels[viewer.key] = nil
            remove(channel)
        }
    }

    /// Shutdown: every image stream ends (multipart needs no goodbye).
    func drain() {
        timer = nil
        for channel in channels.values {
            for v in channel.viewers.values where !v.isClosed { v.markClosed(); v.request.endStream() }
            remove(channel)
        }
        channels.removeAll()
    }

    private func remove(_ channel: ImageChannel) {
        context.hub.remove(channel)
        if let leg = channel.delayedLeg { context.delayed?.hub.remove(leg) }
    }

    // MARK: Frames

    func changed(_ channel: ImageChannel) {
        if case .render(let key)? = cache.changed(channel.key, at: Self.now()) { push(key) }
        armTimer()
    }

    private func due() {
        timerDeadline = nil
        for action in cache.due(at: Self.now()) {
            switch action {
            case .render(let key): push(key)
            case .heartbeat(let key): if let frame = cache.frame(for: key) { send(frame, to: key) }
            }
        }
        armTimer()
    }

    /// Renders `key` and sends the frame to its viewers.
    private func push(_ key: Key) {
        guard let frame = render(key) else { return }
        send(frame, to: key)
    }

    private func render(_ key: Key) -> ImageFrame? {
        guard let png = try? renderer.png(for: rows(key)), let part = ImageStreamFraming.part(png) else {
            context.logger.warning("ticker image not drawn", metadata: ["comet.image.symbols": "\(key.joined(separator: ","))"])
            return nil
        }
        let frame = ImageFrame(png: png, part: part)
        cache.store(frame, for: key)
        return frame
    }

    private func send(_ frame: ImageFrame, to key: Key) {
        guard let channel = channels[key] else { return }
        let limit = context.config.streamOutputLimit
        for v in channel.viewers.values where !v.send(frame.part, limit: limit) { skippedFrames += 1 }
    }

    private func rows(_ key: Key) -> [QuoteRow] {
        key.map { keyed in
            let symbol = Self.symbol(keyed)
            let hub = Self.isDelayed(keyed) ? context.hub(delayed: true) : context.hub
            return QuoteRow(symbol: symbol, latest: hub.latest[symbol]?.tick, reference: reference(symbol))
        }
    }

    /// One one-shot timer at the cache's next deadline.
    private func armTimer() {
        guard let deadline = cache.deadline else { timer = nil; timerDeadline = nil; return }
        if let armed = timerDeadline, armed <= deadline { return }
        timerDeadline = deadline
        timer = context.loop.after(max(0, Double(deadline - Self.now()) / 1000)) { [unowned self] in self.due() }
    }

    static func now() -> Int64 { Int64(MonotonicClock.now() * 1000) }
}
