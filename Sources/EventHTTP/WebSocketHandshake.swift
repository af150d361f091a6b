import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An accepted RFC 6455 opening handshake, as a plain value.
///
/// `validate` reads the request line's method and headers (however the HTTP
/// layer stores them) and either accepts, giving the `101 Switching
/// Protocols` bytes to write before framing starts, or rejects with the HTTP
/// status, a one-line reason and any headers the client needs to retry.
///
/// We write the handshake ourselves (it is a SHA-1 and a base64) so that the
/// Origin check is the same allow-list as CORS, and so that extensions such
/// as permessage-deflate are declined simply by not echoing them: a deflate
/// context costs ~300 KB per connection and ticks are tiny.
public struct WebSocketHandshake: Sendable, Equatable {
    /// The client's `Sec-WebSocket-Key` (base64 of 16 bytes).
    public let key: String
    /// The `Origin` header, if the client sent one (browsers always do).
    public let origin: String?

    /// The `Sec-WebSocket-Accept` value for this key.
    public var accept: String { Self.accept(key: key) }

    /// The complete `101` response, ready to write to the socket.
    public var responseBytes: [UInt8] {
        Array(("HTTP/1.1 101 Switching Protocols\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(accept)\r\n\r\n").utf8)
    }

    /// RFC 6455 §4.2.2: base64(SHA-1(key + the protocol's GUID)).
    public static func accept(key: String) -> String {
        let digest = Insecure.SHA1.hash(data: Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        return Data(digest).base64EncodedString()
    }

    /// Checks an Upgrade request.
    /// - Parameters:
    ///   - method: the request method, e.g. `GET`.
    ///   - headers: the request headers in arrival order (names in any case;
    ///     repeated headers are joined as a list, as HTTP allows).
    ///   - allowedOrigins: the CORS allow-list (`--cors-origin`); `*` allows
    ///     any. A request without `Origin` is not from a browser and passes;
    ///     a same-origin page (`Origin` naming the `Host`) always passes.
    public static func validate(
        method: String, headers: [(name: String, value: String)], allowedOrigins: [String]
    ) -> Result<WebSocketHandshake, Rejection> {
        let fields = HeaderFields(headers)
        guard method == "GET" else {
            return .failure(Rejection(status: 405, reason: "WebSocket handshake must use GET, not \(method)", headers: [("Allow", "GET")]))
        }
        guard let upgrade = fields["upgrade"], fields.tokens(upgrade).contains("websocket") else {
            return .failure(Rejection(status: 426, reason: "missing 'Upgrade: websocket' (is a proxy stripping it?)",
                                      headers: [("Upgrade", "websocket"), ("Connection", "Upgrade")]))
        }
        guard let connection = fields["connection"], fields.tokens(connection).contains("upgrade") else {
            return .failure(Rejection(status: 400, reason: "'Connection' header must contain 'Upgrade'"))
        }
        guard fields["sec-websocket-version"]?.trimmingSpaces == "13" else {
            return .failure(Rejection(status: 426, reason: "unsupported WebSocket version; only 13 is spoken",
                                      headers: [("Sec-WebSocket-Version", "13")]))
        }
        guard let key = fields["sec-websocket-key"]?.trimmingSpaces,
              let nonce = Data(base64Encoded: key), nonce.count == 16 else {
            return .failure(Rejection(status: 400, reason: "Sec-WebSocket-Key must be base64 of 16 bytes"))
        }
        let origin = fields["origin"]?.trimmingSpaces
        if let origin, !allowedOrigins.contains("*"), !allowedOrigins.contains(origin),
           !isSameOrigin(origin, host: fields["host"]) {
            return .failure(Rejection(status: 403, reason: "origin '\(origin.prefix(100))' is not allowed"))
        }
        return .success(WebSocketHandshake(key: key, origin: origin))
    }

    /// `http://HOST` or `https://HOST` where HOST is the request's `Host` header.
    static func isSameOrigin(_ origin: String, host: String?) -> Bool {
        guard let host = host?.trimmingSpaces.lowercased(), !host.isEmpty else { return false }
        let origin = origin.lowercased()
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    /// Why a handshake was refused: the HTTP status, one line for the body
    /// and the log, and headers that tell the client what would work.
    public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        public let status: Int
        public let reason: String
        public let headers: [Header]

        public struct Header: Sendable, Equatable {
            public let name: String
            public let value: String
        }

        init(status: Int, reason: String, headers: [(String, String)] = []) {
            self.status = status
            self.reason = reason
            self.headers = headers.map { Header(name: $0.0, value: $0.1) }
        }

        public var description: String { "\(status): \(reason)" }
    }
}

/// Case-insensitive header lookup; repeated headers joined with ", " (RFC 9110 §5.3).
struct HeaderFields {
    private var values: [String: String] = [:]

    init(_ headers: [(name: String, value: String)]) {
        for (name, value) in headers {
            let key = name.lowercased()
            values[key] = values[key].map { "\($0), \(value)" } ?? value
        }
    }

    subscript(name: String) -> String? { values[name] }

    /// A comma-separated token list, lower-cased and trimmed.
    func tokens(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingSpaces.lowercased() }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP's OWS).
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return String(self[start...end])
    }
}
