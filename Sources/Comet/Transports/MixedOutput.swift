import EventHTTP

/// Where a `MixedStream` writes: a stream response in one of the streaming
/// framings, or a WebSocket. Its ids are pairs `L:D`, so its ticks are
/// framed here per subscriber around their shared JSON.
protocol MixedOutput: AnyObject {
    /// Bytes written but not yet taken by the client (conflation decides on it).
    var pendingOutput: Int { get }
    func send(_ event: ControlEvent)
    func write(_ ticks: [EncodedTick], ids: [StreamCursor])
    /// The keep-alive carrying both hubs' cursors.
    func keepAlive(_ cursor: StreamCursor)
    /// Sends `event` (`bye`, `token-expired`) and ends the response or socket.
    func end(with event: ControlEvent)
}

/// A stream response (`/stream`) in its transport's framing.
final class StreamOutput: MixedOutput {
    let request: HTTPRequest
    let format: WireFormat
    private let transport: any StreamTransport
    private var buffer: [UInt8] = []

    init(request: HTTPRequest, format: WireFormat) {
        self.request = request
        self.format = format
        transport = format.transport
    }

    var pendingOutput: Int { request.pendingOutput }

    func open(_ bytes: [UInt8]) { request.send(bytes) }

    func send(_ event: ControlEvent) {
        buffer.removeAll(keepingCapacity: true)
        transport.append(event, to: &buffer)
        request.send(buffer)
    }

    func write(_ ticks: [EncodedTick], ids: [StreamCursor]) {
        buffer.removeAll(keepingCapacity: true)
        transport.appendTicks(ticks, ids: ids, to: &buffer)
        request.send(buffer)
    }

    func keepAlive(_ cursor: StreamCursor) { request.send(transport.heartbeat(cursor: cursor)) }

    func end(with event: ControlEvent) {
        send(event)
        request.endStream()
    }
}

/// A WebSocket (`/ws`): one text message per event and per tick.
final class SocketOutput: MixedOutput {
    let stream: WebSocketStream

    init(stream: WebSocketStream) { self.stream = stream }

    var pendingOutput: Int { stream.pendingOutput }

    func send(_ event: ControlEvent) { stream.sendText(WebSocketMessage.text(event)) }

    /// All the ticks' messages in one write, each the tick's shared JSON
    /// between the message head and this socket's pair id.
    func write(_ ticks: [EncodedTick], ids: [StreamCursor]) {
        stream.sendTexts(zip(ticks, ids).map(Self.message))
    }

    /// `{"event":"tick","data":JSON,"id":"L:D"}` with the tick's JSON shared.
    static func message(_ t: EncodedTick, id: StreamCursor) -> WebSocketStream.SharedText {
        WebSocketStream.SharedText(head: EncodedTick.websocketHead, shared: t.sharedJSON, tail: Array(",\"id\":\(id.json)}".utf8))
    }

    func keepAlive(_ cursor: StreamCursor) {
        stream.sendPing()
        send(.heartbeat(cursor: cursor))
    }

    func end(with event: ControlEvent) {
        send(event)
        if case .tokenExpired = event { stream.close(code: 1008, reason: "token expired") } else {
            stream.close(code: 1001, reason: "server shutting down")
        }
    }
}
