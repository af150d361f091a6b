/// The text of one WebSocket message: the protocol's events as JSON objects
/// shaped like the multipart parts, `{"event":NAME,"data":JSON,"id":N}` (`id`
/// only where the event carries a cursor). A client parses every message the
/// same way; docs/PROTOCOL.md ("WebSocket") lists them.
enum WebSocketMessage {
    /// The UTF-8 bytes of one event message (`json` is the event's data).
    static func event(_ name: String, json: String, id: StreamCursor?) -> [UInt8] {
        event(name, jsonBytes: json.utf8, id: id)
    }

    /// The same from JSON bytes (a tick's shared rendering).
    static func event(_ name: String, jsonBytes json: some Collection<UInt8>, id: StreamCursor?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count + 40)
        out.append(contentsOf: "{\"event\":\"\(name)\",\"data\":".utf8)
        out.append(contentsOf: json)
        if let id { out.append(contentsOf: ",\"id\":\(id.json)".utf8) }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// One control event as the text of a message.
    static func text(_ event: ControlEvent) -> String {
        String(decoding: Self.event(event.name, json: event.json, id: event.id), as: UTF8.self)
    }
}
