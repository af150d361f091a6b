import EventHTTP
import Glibc

/// One streaming client, on any streaming transport: performs what its
/// `StreamFlow` decides, framed by its `StreamTransport`.
/// A client that takes nothing at all is closed by the write timeout and
/// resumes from its last event id.
final class StreamSubscriber: TickSubscriber {
    let request: HTTPRequest
    let format: WireFormat
    var flow: StreamFlow
    /// This format's framing (a stateless value: not stored, as every byte of
    /// a subscriber counts at 100,000 streams).
    private var transport: any StreamTransport { format.transport }

    init(request: HTTPRequest, format: WireFormat, symbols: [String], since: Int64, replaying: Bool, outputLimit: Int) {
        self.request = request
        self.format = format
        flow = StreamFlow(since: since, replaying: replaying, outputLimit: outputLimit)
        super.init(symbols: symbols)
    }

    var conflations: Int { flow.conflations }

    override func accept(_ tick: EncodedTick) { flow.accept(tick) }

    override func deliver() {
        // `frame` touches no `flow`: it runs while `flow` is being modified.
        flow.deliver(pendingOutput: request.pendingOutput) { frame($0) }
    }

    override func deliver(_ ticks: [EncodedTick]) {
        flow.deliver(ticks, pendingOutput: request.pendingOutput) { frame($0) }
    }

    /// Sends the opening bytes (preamble and first events).
    func open(_ bytes: [UInt8]) { send(bytes) }

    /// Sends a control event.
    func send(_ event: ControlEvent) {
        var bytes: [UInt8] = []
        transport.append(event, to: &bytes)
        send(bytes)
    }

    /// The periodic keep-alive (`frame` is this transport's, made once per beat).
    func heartbeat(frame: [UInt8]) {
        beat(pendingOutput: request.pendingOutput) { send(frame) }
    }

    /// Ends the stream with `bye` (shutdown).
    func close(with event: ControlEvent) {
        send(event)
        flow.close()
        request.endStream()
    }

    private func send(_ bytes: [UInt8]) {
        guard !flow.isClosed else { return } // the request may already be freed
        request.send(bytes)
    }

    func write(_ ticks: [EncodedTick]) {
        guard !ticks.isEmpty, !flow.isClosed else { return }
        frame(ticks)
    }

    /// Writes ticks: straight from their shared frames where the transport
    /// allows (one gather-write, no copy; the gather list on the stack), else
    /// framed into a buffer.
    private func frame(_ ticks: [EncodedTick]) {
        let transport = transport
        guard let kind = transport.tickFrame, let stream = request.stream else {
            var bytes: [UInt8] = []
            transport.appendTicks(ticks, to: &bytes)
            return request.send(bytes)
        }
        EncodedTick.withFrames(ticks, kind, chunked: stream.isChunked) { _ = stream.write(request, framed: $0) }
    }
}
