/// A long-lived subscriber that can be resumed from PostgreSQL (a stream or a
/// WebSocket): `StreamRoute.replay` hands it the missed ticks, or tells it to
/// start afresh.
protocol ReplayTarget: AnyObject {
    var isClosed: Bool { get }
    func finishReplay(_ replayed: [EncodedTick])
    func abandonReplay(reason: String, snapshot: [EncodedTick], cursor: Int64)
}

extension StreamSubscriber: ReplayTarget {}
extension WebSocketSubscriber: ReplayTarget {}
