/// The bench's polling subscribers: one keep-alive HTTP/1.1 connection each,
/// one request at a time, the next sent as soon as an answer is whole.
///
/// - `longpoll`: `GET /poll?symbols=..&wait=25[&since=C]`; the first answer
///   (a snapshot, at once) opens the subscriber, each later one is held until
///   ticks exist; `"cursor":N` is the next `since`, every `{"id":N` a delivery.
/// - `bayeux`: Bayeux 1.0 long-polling as a CometD client speaks it:
///   `/meta/handshake`, then `/meta/subscribe` with the first `/meta/connect`
///   in one batch (answered at once, which opens the subscriber), then one
///   `/meta/connect` after another; every `"data":{"id":N` is a delivery; advice
///   to re-handshake is followed. Its path in `open(paths:)` is written
///   `/cometd?channels=/quotes/A,/quotes/B`: the endpoint and its subscriptions.
extension BenchSubscribers {
    static let contentLength = Array("content-length:".utf8)
    static let transferEncoding = Array("transfer-encoding:".utf8)
    static let pollID = Array("{\"id\":".utf8)
    static let bayeuxID = Array("\"data\":{\"id\":".utf8)
    static let cursorField = Array("\"cursor\":".utf8)
    static let clientIDField = Array("\"clientId\":\"".utf8)
    static let rehandshake = Array("\"reconnect\":\"handshake\"".utf8)

    /// Sends the subscriber's next request.
    func sendPoll(_ c: Conn) {
        guard let client = c.client else { return }
        if transport == .longpoll {
            let since = c.next.isEmpty ? "" : "&since=\(c.next)"
            let wait = c.open ? "&wait=25" : ""
            client.write(Array("GET \(c.path)\(wait)\(since) HTTP/1.1\r\nHost: \(host)\r\n\r\n".utf8))
            return
        }
        let (endpoint, channels) = Self.bayeuxTarget(c.path)
        let body: String
        if c.next.isEmpty {
            body = #"[{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"]}]"#
        } else if !c.subscribed {
            c.subscribed = true
            let list = channels.map { "\"\($0)\"" }.joined(separator: ",")
            body = #"[{"channel":"/meta/subscribe","clientId":"\#(c.next)","subscription":[\#(list)]},"#
                + #"{"channel":"/meta/connect","clientId":"\#(c.next)","connectionType":"long-polling"}]"#
        } else {
            body = #"[{"channel":"/meta/connect","clientId":"\#(c.next)","connectionType":"long-polling"}]"#
        }
        client.write(Array(("POST \(endpoint) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)").utf8))
    }

    /// `/cometd?channels=/quotes/A,/quotes/B` → ("/cometd", ["/quotes/A", "/quotes/B"]).
    static func bayeuxTarget(_ path: String) -> (String, [String]) {
        guard let q = path.firstIndex(of: "?") else { return (path, []) }
        let channels = path[q...].dropFirst("?channels=".count).split(separator: ",").map(String.init)
        return (String(path[..<q]), channels)
    }

    /// Reads answers as they arrive: headers, then `Content-Length` bytes of
    /// body, or chunks (an answer held until ticks exist is sent chunked).
    func readAnswers(_ c: Conn, _ bytes: UnsafeRawBufferPointer, _ now: Double) {
        c.line.append(contentsOf: bytes)
        while true {
            if c.bodyLength == nil {
                guard let end = c.line.firstRange(of: [13, 10, 13, 10]) else { return }
                let head = c.line[..<end.lowerBound]
                guard c.line.starts(with: "HTTP/1.1 200".utf8), let length = Self.bodyLength(head) else {
                    c.client = nil // not an answer the bench can follow
                    ended(c)
                    return
                }
                c.line.removeSubrange(..<end.upperBound)
                c.bodyLength = length
                c.body.removeAll(keepingCapacity: true)
            }
            guard let length = c.bodyLength else { return }
            if length >= 0 {
                guard c.line.count >= length else { return }
                c.body.append(contentsOf: c.line[..<length])
                c.line.removeSubrange(..<length)
            } else {
                guard Self.takeChunks(from: &c.line, into: &c.body) else { return }
            }
            answered(c, c.body[...], now)
            c.bodyLength = nil
            sendPoll(c)
        }
    }

    /// The body's length from `Content-Length`, or -1 for `Transfer-Encoding: chunked`.
    private static func bodyLength(_ head: ArraySlice<UInt8>) -> Int? {
        for line in head.split(separator: 10) {
            let lower = Array(line.lazy.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 })
            if lower.starts(with: transferEncoding), lower.firstRange(of: Array("chunked".utf8)) != nil { return -1 }
            guard lower.starts(with: contentLength) else { continue }
            let digits = line.dropFirst(contentLength.count).filter { $0 >= 48 && $0 <= 57 }
            return Int(String(decoding: digits, as: UTF8.self))
        }
        return nil
    }

    /// Moves whole chunks from `buffer` to `body`; true once the last (empty) chunk is in.
    private static func takeChunks(from buffer: inout [UInt8], into body: inout [UInt8]) -> Bool {
        while let lineEnd = buffer.firstRange(of: [13, 10]) {
            let sizeText = String(decoding: buffer[..<lineEnd.lowerBound].prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self)
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return false }
            guard buffer.count >= lineEnd.upperBound + size + 2 else { return false }
            body.append(contentsOf: buffer[lineEnd.upperBound..<(lineEnd.upperBound + size)])
            buffer.removeSubrange(..<(lineEnd.upperBound + size + 2))
            if size == 0 { return true }
        }
        return false
    }

    private func answered(_ c: Conn, _ body: ArraySlice<UInt8>, _ now: Double) {
        let idPrefix = transport == .longpoll ? Self.pollID : Self.bayeuxID
        for id in Self.numbers(after: idPrefix, in: body) { record(Delivery(subscriber: c.index, id: id, at: now)) }
        if transport == .longpoll {
            if let cursor = Self.numbers(after: Self.cursorField, in: body).first { c.next = String(cursor) }
            markOpen(c)
        } else if body.firstRange(of: Self.rehandshake) != nil {
            c.next = ""
            c.subscribed = false
        } else if c.next.isEmpty, let r = body.firstRange(of: Self.clientIDField) {
            c.next = String(decoding: body[r.upperBound...].prefix { $0 != UInt8(ascii: "\"") }, as: UTF8.self)
        } else if c.subscribed {
            markOpen(c)
        }
    }

    /// Every decimal number that follows `prefix` in `body`.
    static func numbers(after prefix: [UInt8], in body: ArraySlice<UInt8>) -> [Int64] {
        var found: [Int64] = []
        var rest = body[...]
        while let r = rest.firstRange(of: prefix) {
            let digits = rest[r.upperBound...].prefix { $0 >= 48 && $0 <= 57 }
            if let n = Int64(String(decoding: digits, as: UTF8.self)) { found.append(n) }
            rest = rest[r.upperBound...]
        }
        return found
    }
}
