/// XHR/fetch streaming: the SSE framing served as `text/plain`, for readers
/// that parse the growing response text themselves (environments without
/// `EventSource`). Everything but the content type is SSE's.
struct XHRStreamingTransport: StreamTransport {
    private let sse = SSETransport()

    var contentType: String { "text/plain; charset=utf-8" }
    var tickFrame: EncodedTick.FrameKind? { sse.tickFrame }

    func preamble(retryMilliseconds: Int) -> [UInt8] { sse.preamble(retryMilliseconds: retryMilliseconds) }

    func appendEvent(_ name: String, json: String, id: StreamCursor?, to out: inout [UInt8]) {
        sse.appendEvent(name, json: json, id: id, to: &out)
    }

    func appendTicks(_ ticks: some Sequence<EncodedTick>, to out: inout [UInt8]) { sse.appendTicks(ticks, to: &out) }

    func appendTicks(_ ticks: [EncodedTick], ids: [StreamCursor], to out: inout [UInt8]) {
        sse.appendTicks(ticks, ids: ids, to: &out)
    }

    func heartbeat(cursor: StreamCursor) -> [UInt8] { sse.heartbeat(cursor: cursor) }
}
