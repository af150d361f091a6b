import Testing
@testable import EventHTTP

@Suite struct WebSocketHandshakeTests {
    /// RFC 6455 §1.3's example request, with Chromium's deflate offer added.
    static let request: [(name: String, value: String)] = [
        ("Host", "server.example.com"),
        ("Upgrade", "websocket"),
        ("Connection", "keep-alive, Upgrade"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Origin", "http://example.com"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"),
    ]

    func validate(_ headers: [(name: String, value: String)] = request, method: String = "GET",
                  origins: [String] = ["*"]) -> Result<WebSocketHandshake, WebSocketHandshake.Rejection> {
        WebSocketHandshake.validate(method: method, headers: headers, allowedOrigins: origins)
    }

    func replacing(_ name: String, with value: String?) -> [(name: String, value: String)] {
        Self.request.filter { $0.name != name } + (value.map { [(name, $0)] } ?? [])
    }

    func rejection(_ result: Result<WebSocketHandshake, WebSocketHandshake.Rejection>) -> WebSocketHandshake.Rejection? {
        if case .failure(let r) = result { return r }
        return nil
    }

    @Test func rfcExampleKeyGivesTheRfcAccept() {
        #expect(WebSocketHandshake.accept(key: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func acceptedRequestAnswers101AndDeclinesDeflate() throws {
        let handshake = try validate().get()
        #expect(handshake.origin == "http://example.com")
        let response = String(decoding: handshake.responseBytes, as: UTF8.self)
        #expect(response == "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
        #expect(!response.contains("Extensions"))
    }

    @Test func headerNamesAndTokensAreCaseInsensitive() throws {
        let headers = Self.request.map { (name: $0.name.uppercased(), value: $0.value) }
            .filter { $0.name != "UPGRADE" && $0.name != "CONNECTION" }
            + [("upgrade", "WebSocket"), ("connection", "keep-alive"), ("Connection", " UPGRADE ")]
        #expect(throws: Never.self) { try validate(headers).get() }
    }

    @Test func wrongMethodIs405() {
        #expect(rejection(validate(method: "POST"))?.status == 405)
    }

    @Test func strippedUpgradeIs426SoTheLadderStepsDown() {
        let r = rejection(validate(replacing("Upgrade", with: nil)))
        #expect(r?.status == 426)
        #expect(r?.headers.contains(.init(name: "Upgrade", value: "websocket")) == true)
        #expect(rejection(validate(replacing("Upgrade", with: "h2c")))?.status == 426)
    }

    @Test func connectionWithoutUpgradeTokenIs400() {
        #expect(rejection(validate(replacing("Connection", with: "keep-alive")))?.status == 400)
        // "upgrade" must be a whole token, not a substring.
        #expect(rejection(validate(replacing("Connection", with: "no-upgrade")))?.status == 400)
    }

    @Test func otherVersionsAre426NamingVersion13() {
        for version in ["8", "14", nil] {
            let r = rejection(validate(replacing("Sec-WebSocket-Version", with: version)))
            #expect(r?.status == 426)
            #expect(r?.headers == [.init(name: "Sec-WebSocket-Version", value: "13")])
        }
    }

    @Test func keyMustBeBase64Of16Bytes() {
        for key in [nil, "", "not base64!", "dGhlIHNhbXBsZQ==", "dGhlIHNhbXBsZSBub25jZSBsb25nZXI="] {
            let r = rejection(validate(replacing("Sec-WebSocket-Key", with: key)))
            #expect(r?.status == 400, "key \(key ?? "nil")")
            #expect(r?.reason == "Sec-WebSocket-Key must be base64 of 16 bytes")
        }
    }

    @Test func originFollowsTheCorsAllowList() {
        #expect(throws: Never.self) { try validate(origins: ["http://example.com"]).get() }
        let r = rejection(validate(origins: ["https://dash.example.org"]))
        #expect(r?.status == 403)
        #expect(r?.description == "403: origin 'http://example.com' is not allowed")
        // No Origin: not a browser, nothing for CORS to protect.
        #expect(throws: Never.self) { try validate(replacing("Origin", with: nil), origins: ["https://x"]).get() }
        // The dashboard served by this server is always allowed.
        #expect(throws: Never.self) {
            try validate(replacing("Origin", with: "http://server.example.com"), origins: ["https://x"]).get()
        }
    }
}
