/// One message a Bayeux client sent, with every field it may carry checked
/// for its JSON type (Bayeux 1.0 §3). A field of the wrong type makes the
/// message a `Refusal` (answered with an error naming the field); unknown
/// fields are ignored, as the specification asks.
struct BayeuxMessage: Equatable {
    var channel: String
    /// The client's message id, echoed verbatim (JSON text) in the reply.
    var id: String?
    var clientId: String?
    /// `subscription`: one channel or an array of them.
    var subscriptions: [String] = []
    var connectionType: String?
    var supportedConnectionTypes: [String] = []
    var version: String?
    var data: BayeuxJSON?
    /// `advice.timeout` a client asks for on `/meta/connect` (ms); CometD's
    /// client sends 0 when it wants the connect answered at once.
    var adviceTimeout: Int64?
    /// `ext`: where extensions live. Ours is `ext.ticker` (resume, publish
    /// token); an auth extension (a token on `/meta/handshake`) would read
    /// its own key here too.
    var ext: [String: BayeuxJSON] = [:]

    /// A message that cannot be processed: the error reply still names its
    /// channel and id when they were readable.
    struct Refusal: Error, Equatable {
        var channel: String
        var id: String?
        var error: BayeuxError
    }

    /// Why a whole request was refused (not JSON, not messages): a 400.
    struct BatchError: Error, Equatable {
        let message: String
    }

    /// A request body or WebSocket frame: a JSON array of messages, or one
    /// message object.
    /// - Parameter maxMessages: the most messages one request may carry.
    static func batch(_ bytes: [UInt8], maxMessages: Int) -> Result<[Result<BayeuxMessage, Refusal>], BatchError> {
        guard let json = BayeuxJSON.parse(bytes) else {
            return .failure(BatchError(message: "the body is not JSON; send a JSON array of Bayeux messages"))
        }
        let items: [BayeuxJSON]
        switch json {
        case .array(let a): items = a
        case .object: items = [json]
        default: return .failure(BatchError(message: "send a JSON array of Bayeux messages (objects)"))
        }
        guard !items.isEmpty else { return .failure(BatchError(message: "the message array is empty")) }
        guard items.count <= maxMessages else {
            return .failure(BatchError(message: "too many messages (\(items.count)); at most \(maxMessages) per request"))
        }
        return .success(items.map(decode))
    }

    /// One message object, strictly typed.
    static func decode(_ json: BayeuxJSON) -> Result<BayeuxMessage, Refusal> {
        guard let o = json.object else { return .failure(Refusal(channel: "", id: nil, error: BayeuxError(400, "", "a message must be a JSON object"))) }
        var id: String?
        switch o["id"] {
        case nil, .null?: break
        case .string?, .integer?: id = o["id"]!.json
        default: return .failure(Refusal(channel: o["channel"]?.string ?? "", id: nil, error: BayeuxError(400, "", "'id' must be a string")))
        }
        guard let channel = o["channel"]?.string, !channel.isEmpty else {
            return .failure(Refusal(channel: "", id: id, error: BayeuxError(400, "", "'channel' is missing or not a string")))
        }
        func refuse(_ field: String, _ what: String) -> Result<BayeuxMessage, Refusal> {
            .failure(Refusal(channel: channel, id: id, error: BayeuxError(400, "", "'\(field)' must be \(what)")))
        }
        var m = BayeuxMessage(channel: channel, id: id)
        for (field, value) in o where value != .null {
            switch field {
            case "clientId":
                guard let s = value.string else { return refuse(field, "a string") }
                m.clientId = s
            case "connectionType":
                guard let s = value.string else { return refuse(field, "a string") }
                m.connectionType = s
            case "version":
                guard let s = value.string else { return refuse(field, "a string") }
                m.version = s
            case "subscription":
                switch value {
                case .string(let s): m.subscriptions = [s]
                case .array(let a):
                    let names = a.compactMap(\.string)
                    guard names.count == a.count, !a.isEmpty else { return refuse(field, "a channel name or an array of them") }
                    m.subscriptions = names
                default: return refuse(field, "a channel name or an array of them")
                }
            case "supportedConnectionTypes":
                guard case .array(let a) = value, case let names = a.compactMap(\.string), names.count == a.count else {
                    return refuse(field, "an array of strings")
                }
                m.supportedConnectionTypes = names
            case "ext":
                guard let e = value.object else { return refuse(field, "an object") }
                m.ext = e
            case "data":
                m.data = value
            case "advice":
                guard let a = value.object else { return refuse(field, "an object") }
                if let t = a["timeout"], t != .null {
                    guard let ms = t.integer, ms >= 0 else { return refuse("advice.timeout", "a whole number of milliseconds") }
                    m.adviceTimeout = ms
                }
            default:
                break // minimumVersion, ...: allowed and unused
            }
        }
        return .success(m)
    }

    /// Our extension's object, `ext.ticker`, when present and an object.
    var tickerExt: [String: BayeuxJSON]? { ext["ticker"]?.object }
}
