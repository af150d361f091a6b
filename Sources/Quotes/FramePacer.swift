/// When one ticker image renders and pushes a frame: a plain value, events in,
/// actions out, so the policy is tested without a socket or a clock.
///
/// - A change renders at once unless the image rendered less than
///   `1/maxFramesPerSecond` ago; then one render is due when that interval
///   ends, however many changes arrive meanwhile (conflation: viewers see the
///   latest quotes, never a backlog of frames).
/// - With nothing to render for `heartbeatSeconds`, the current frame is sent
///   again (no render), so proxies and browsers keep the stream open.
///
/// Times are monotonic milliseconds from the caller's clock.
public struct FramePacer: Sendable, Equatable {
    public struct Policy: Sendable, Equatable {
        public var maxFramesPerSecond: Int
        public var heartbeatSeconds: Int

        public init(maxFramesPerSecond: Int = 4, heartbeatSeconds: Int = 15) {
            precondition(maxFramesPerSecond > 0 && heartbeatSeconds > 0, "frame rate and heartbeat must be positive")
            self.maxFramesPerSecond = maxFramesPerSecond
            self.heartbeatSeconds = heartbeatSeconds
        }

        var minimumGap: Int64 { Int64((1000 + maxFramesPerSecond - 1) / maxFramesPerSecond) }
        var heartbeatGap: Int64 { Int64(heartbeatSeconds) * 1000 }
    }

    public enum Action: Sendable, Equatable {
        /// Render a new frame from the latest quotes now and send it to every
        /// viewer (the pacer counts it as sent); then call `due(at:)` at `deadline`.
        case render
        /// Send the current frame again to every viewer; then call `due(at:)` at `deadline`.
        case heartbeat
        /// Nothing now; call `due(at:)` at `deadline`.
        case wait
    }

    public let policy: Policy
    /// A change arrived that no frame shows yet.
    public private(set) var dirty = false
    public private(set) var lastRender: Int64?
    public private(set) var lastSend: Int64?

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// When the owner's timer should next call `due(at:)`; nil before the first frame.
    public var deadline: Int64? {
        guard let lastRender, let lastSend else { return nil }
        return dirty ? lastRender + policy.minimumGap : lastSend + policy.heartbeatGap
    }

    /// A subscribed symbol ticked.
    public mutating func changed(at now: Int64) -> Action {
        dirty = true
        return renderIfAllowed(at: now)
    }

    /// The owner's timer fired (early or late calls are harmless).
    public mutating func due(at now: Int64) -> Action {
        if dirty || lastRender == nil { return renderIfAllowed(at: now) }
        guard let lastSend, now - lastSend >= policy.heartbeatGap else { return .wait }
        self.lastSend = now
        return .heartbeat
    }

    mutating func renderIfAllowed(at now: Int64) -> Action {
        if let lastRender, now - lastRender < policy.minimumGap { return .wait }
        dirty = false
        lastRender = now
        lastSend = now
        return .render
    }
}
