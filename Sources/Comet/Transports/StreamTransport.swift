/// One streaming transport's whole wire behaviour: its content type, what
/// opens the stream, how an event and a batch of ticks are framed, and its
/// keep-alive. Peers behind this one interface (as nchan's subscriber files
/// are), so a new transport is one new file and a `WireFormat` case.
///
/// Transports only frame bytes; when to send what is the subscriber's job
/// (`StreamSubscriber`, `StreamFlow`).
protocol StreamTransport: Sendable {
    var contentType: String { get }
    /// The per-tick frame this transport writes for a batch of ticks, when a
    /// batch is just its ticks' frames in order (then they are written from
    /// the shared renderings); nil when it frames each batch itself.
    var tickFrame: EncodedTick.FrameKind? { get }
    /// What opens the stream: padding past buffering proxies' flush thresholds,
    /// and any reconnect hint.
    func preamble(retryMilliseconds: Int) -> [UInt8]
    /// Appends one named event whose data is the JSON text `json`; `id` is
    /// the cursor a reconnect resumes from.
    func appendEvent(_ name: String, json: String, id: StreamCursor?, to out: inout [UInt8])
    /// Appends a batch of ticks from their renderings made once per tick.
    func appendTicks(_ ticks: some Sequence<EncodedTick>, to out: inout [UInt8])
    /// A keep-alive that also carries the cursor, so a reconnect resumes from
    /// the newest position even when none of the client's symbols moved.
    func heartbeat(cursor: StreamCursor) -> [UInt8]
    /// Appends ticks each with its own event id: a stream mixing live and
    /// delayed symbols, whose ids are pairs `L:D`, frames them itself (the
    /// tick's JSON is still the shared rendering).
    func appendTicks(_ ticks: [EncodedTick], ids: [StreamCursor], to out: inout [UInt8])
}

extension StreamTransport {
    /// Appends a control event of the protocol.
    func append(_ event: ControlEvent, to out: inout [UInt8]) {
        appendEvent(event.name, json: event.json, id: event.id, to: &out)
    }

    /// The headers of every stream: no caching or transforming proxies.
    var headers: [(String, String)] {
        [("Content-Type", contentType), ("Cache-Control", "no-cache, no-transform"),
         ("X-Accel-Buffering", "no"), ("X-Content-Type-Options", "nosniff")]
    }
}

/// Bytes of padding sent first, past the flush threshold of buffering proxies.
let streamPaddingBytes = 2048
