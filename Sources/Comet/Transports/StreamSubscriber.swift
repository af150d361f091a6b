import EventHTTP
import Glibc

/// One streaming client, on any streaming transport: performs what its
/// `StreamFlow` decides, framed by its `StreamTransport`.
/// A client that takes nothing at all is closed by the write timeout and
/// resumes from its last event id.
final class StreamSubscriber: TickSubscriber {
    let request: HTTPRequest
    let format: WireFormat
    private let transport: any StreamTransport
    private let tickFrame: EncodedTick.FrameKind?
    var flow: StreamFlow
    private var buffer: [UInt8] = []
    /// Reused gather list: one entry per tick frame of a write.
    private var parts: [iovec] = []

    init(request: HTTPRequest, format: WireFormat, symbols: [String], since: Int64, replaying: Bool, outputLimit: Int) {
        self.request = request
        self.format = format
        transport = format.transport
        tickFrame = transport.tickFrame
        flow = StreamFlow(since: since, replaying: replaying, outputLimit: outputLimit)
        super.init(symbols: symbols)
    }

    var conflations: Int { flow.conflations }

    override func accept(_ tick: EncodedTick) { flow.accept(tick) }

    override func deliver() {
        // `frame` touches no `flow`: it runs while `flow` is being modified.
        flow.deliver(pendingOutput: request.pendingOutput) { frame($0) }
    }

    /// Sends the opening bytes (preamble and first events).
    func open(_ bytes: [UInt8]) { send(bytes) }

    /// Sends a control event.
    func send(_ event: ControlEvent) {
        buffer.removeAll(keepingCapacity: true)
        transport.append(event, to: &buffer)
        send(buffer)
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
    /// allows (one gather-write, no copy), else framed into the buffer.
    private func frame(_ ticks: [EncodedTick]) {
        guard let kind = tickFrame, let stream = request.stream else {
            buffer.removeAll(keepingCapacity: true)
            transport.appendTicks(ticks, to: &buffer)
            return request.send(buffer)
        }
        parts.removeAll(keepingCapacity: true)
        for t in ticks {
            let f = t.frame(kind, chunked: stream.isChunked)
            parts.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: f.baseAddress), iov_len: f.count))
        }
        parts.withUnsafeMutableBufferPointer { _ = stream.write(request, framed: $0) }
    }
}
