/// The ticker images being watched: one entry per distinct symbol list, shared
/// by every viewer of that list, so 1,000 viewers of `AAPL,MSFT` cost one
/// render per (conflated) change, not 1,000.
///
/// A plain value: the owner (the image transport, on the event loop) feeds it
/// joins, leaves, ticks and timer calls, performs the returned actions (render
/// a frame and `store` it, or resend the stored frame) and counts `renders`
/// in `/metrics`. An entry goes away with its last viewer, so memory is
/// bounded by the images actually watched.
public struct FrameCache<Frame: Sendable>: Sendable {
    /// The normalised symbol list of a request, in the order drawn (see `TickerImageRequest`).
    public typealias Key = [String]

    public enum Action: Sendable, Equatable {
        /// Render this image from the latest quotes, `store` it, send it to its viewers.
        case render(Key)
        /// Send this image's stored frame again to its viewers.
        case heartbeat(Key)
    }

    struct Entry: Sendable {
        var pacer: FramePacer
        var frame: Frame?
        var viewers: Int
    }

    public let policy: FramePacer.Policy
    private var entries: [Key: Entry] = [:]
    private var keysBySymbol: [String: Set<Key>] = [:]
    /// Frames rendered since start, for `/metrics`.
    public private(set) var renders = 0

    public init(policy: FramePacer.Policy = .init()) {
        self.policy = policy
    }

    /// Images with at least one viewer.
    public var images: Int { entries.count }
    /// Viewers over all images.
    public var viewers: Int { entries.values.reduce(0) { $0 + $1.viewers } }

    /// The stored frame of `key`, if any.
    public func frame(for key: Key) -> Frame? { entries[key]?.frame }

    /// A viewer of `key` arrives. Returns the frame to send it first, or nil:
    /// then render `key` now, `store` it, and send it to its viewers.
    public mutating func join(_ key: Key, at now: Int64) -> Frame? {
        if entries[key] == nil {
            entries[key] = Entry(pacer: FramePacer(policy: policy), frame: nil, viewers: 0)
            for symbol in key { keysBySymbol[symbol, default: []].insert(key) }
        }
        entries[key]!.viewers += 1
        if let frame = entries[key]!.frame { return frame }
        _ = entries[key]!.pacer.due(at: now) // the first render is never held back
        return nil
    }

    /// A viewer of `key` leaves (closed, or cut as a slow reader).
    public mutating func leave(_ key: Key) {
        guard var entry = entries[key] else { return }
        entry.viewers -= 1
        guard entry.viewers <= 0 else { entries[key] = entry; return }
        entries[key] = nil
        for symbol in key {
            keysBySymbol[symbol]?.remove(key)
            if keysBySymbol[symbol]?.isEmpty == true { keysBySymbol[symbol] = nil }
        }
    }

    /// A frame made for `key` after `.render` or a nil `join`.
    public mutating func store(_ frame: Frame, for key: Key) {
        guard entries[key] != nil else { return }
        entries[key]!.frame = frame
        renders += 1
    }

    /// `symbol` ticked: the images that render now. Others render at `deadline`.
    public mutating func ticked(_ symbol: String, at now: Int64) -> [Action] {
        guard let keys = keysBySymbol[symbol] else { return [] }
        var actions: [Action] = []
        for key in keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) where entries[key]!.pacer.changed(at: now) == .render {
            actions.append(.render(key))
        }
        return actions
    }

    /// The image `key` changed (its hub subscriber got ticks in this wake-up):
    /// `.render(key)` now, or nil when the frame rate holds it to `deadline`.
    public mutating func changed(_ key: Key, at now: Int64) -> Action? {
        guard entries[key] != nil, entries[key]!.pacer.changed(at: now) == .render else { return nil }
        return .render(key)
    }

    /// The owner's timer fired: renders held back by the frame rate, and heartbeats.
    public mutating func due(at now: Int64) -> [Action] {
        var actions: [Action] = []
        for key in entries.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            guard let d = entries[key]!.pacer.deadline, d <= now else { continue }
            switch entries[key]!.pacer.due(at: now) {
            case .render: actions.append(.render(key))
            case .heartbeat: actions.append(.heartbeat(key))
            case .wait: break
            }
        }
        return actions
    }

    /// When the owner's timer should next call `due(at:)`; nil with no images.
    public var deadline: Int64? { entries.values.compactMap(\.pacer.deadline).min() }
}
