import Quotes

/// The messages the server sends, as JSON text. Replies echo the request's
/// `id` (clients match replies by channel and id); deliveries carry no `id`
/// at all: in Bayeux a delivery's `id` is its publisher's message id, which
/// must never reach another client, and a tick has no publisher. The tick's
/// own id travels in `data.id` and in `ext.ticker.id`.
enum BayeuxReply {
    static let connectionTypes = ["long-polling", "callback-polling", "websocket"]

    /// `advice`: how a client reconnects. `interval` is 0 because some
    /// clients (aiocometd-ng) read it as seconds, others (CometD) as
    /// milliseconds; 0 means the same to both.
    struct Advice: Equatable {
        var reconnect = "retry"
        var interval = 0
        var timeout: Int?
        var multipleClients = false

        static let handshake = Advice(reconnect: "handshake")
        static let none = Advice(reconnect: "none")

        var json: String {
            var w = JSONWriter()
            w.field("reconnect", reconnect)
            w.field("interval", interval)
            if let timeout { w.field("timeout", timeout) }
            if multipleClients { w.field("multiple-clients", true) }
            return w.json
        }
    }

    /// A reply to `request` on its channel; `fields` adds what the channel needs.
    static func reply(to request: (channel: String, id: String?), clientId: String?, successful: Bool,
                      error: BayeuxError? = nil, advice: Advice? = nil, _ fields: (inout JSONWriter) -> Void = { _ in }) -> String {
        var w = JSONWriter()
        w.field("channel", request.channel)
        w.field("successful", successful)
        if let clientId { w.field("clientId", clientId) }
        if let id = request.id { w.field("id", raw: id) }
        if let error { w.field("error", error.text) }
        if let advice { w.field("advice", raw: advice.json) }
        fields(&w)
        return w.json
    }

    static func reply(to m: BayeuxMessage, clientId: String?, successful: Bool = true, error: BayeuxError? = nil,
                      advice: Advice? = nil, _ fields: (inout JSONWriter) -> Void = { _ in }) -> String {
        reply(to: (m.channel, m.id), clientId: clientId, successful: successful, error: error, advice: advice, fields)
    }

    /// An error reply; an unknown client is told to handshake again.
    static func failure(_ m: (channel: String, id: String?), _ error: BayeuxError, clientId: String? = nil,
                        advice: Advice? = nil, _ fields: (inout JSONWriter) -> Void = { _ in }) -> String {
        reply(to: m, clientId: clientId, successful: false, error: error, advice: advice, fields)
    }

    /// `supportedConnectionTypes` of handshake replies.
    static func supported(_ w: inout JSONWriter) { w.field("supportedConnectionTypes", strings: connectionTypes) }

    /// The `subscription` field of a subscribe reply: as the client sent it
    /// (a string stays a string; aiocometd-ng keys its subscriptions by it).
    static func subscription(_ names: [String], _ w: inout JSONWriter) {
        if names.count == 1 { w.field("subscription", names[0]) } else { w.field("subscription", strings: names) }
    }

    /// A tick's delivery: `{"channel":"/quotes/AAPL","data":{tick},"ext":{"ticker":{"id":N}}}`.
    static func delivery(_ tick: EncodedTick) -> String {
        var w = JSONWriter()
        w.field("channel", BayeuxChannel.name(of: tick.tick.symbol))
        w.field("data", raw: String(decoding: tick.json, as: UTF8.self))
        w.field("ext", raw: "{\"ticker\":{\"id\":\(tick.id)}}")
        return w.json
    }

    /// One response body or frame: a JSON array of messages (JSONP with `callback`).
    static func body(_ messages: [String], callback: String?) -> String {
        let array = "[" + messages.joined(separator: ",") + "]"
        if let callback { return "/**/\(callback)(\(array));" }
        return array
    }
}
