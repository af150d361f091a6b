import Testing
import TickerTestSupport
@testable import EventHTTP

/// `WebSocketStream` on a real evhttp server: the takeover after the 101,
/// hostile frames over TCP, and that every connection is freed exactly once.
@Suite(.serialized) struct WebSocketStreamTests {
    /// Opens a socket, upgrades it, sends `frames`, reads until the server closes.
    func session(_ server: LiveServer, _ frames: [UInt8]) -> (head: String, frames: [Frames.Frame]) {
        let client = RawClient(port: server.port)
        client.write(RawClient.upgradeRequest())
        let head = client.readHead()
        client.write(frames)
        let parsed = Frames.server(client.readToEnd())
        #expect(parsed != nil, "server wrote a malformed frame")
        return (head, parsed ?? [])
    }

    func get(_ server: LiveServer, _ path: String) -> String {
        let client = RawClient(port: server.port)
        client.write(Array("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
        return String(decoding: client.readToEnd(), as: UTF8.self)
    }

    @Test func upgradeEchoAndClientClose() {
        let server = LiveServer()
        defer { server.stop() }
        let client = RawClient(port: server.port)
        client.write(RawClient.upgradeRequest() + Frames.client(text: "hi"))
        let head = client.readHead()
        #expect(head.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
        #expect(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="))
        #expect(client.readFrames(1).map(\.text) == ["echo:hi"])
        client.write(Frames.client(closeCode: 1000, reason: "bye"))
        let frames = Frames.server(client.readToEnd())
        #expect(frames?.map(\.opcode) == [Frames.text, Frames.close])
        #expect(frames?.last?.closeCode == 1000)
        #expect(frames?.last?.closeReason == "bye")
        #expect(server.waitClosed(1) == 1)
    }

    @Test func framesSentWithTheRequestAreRead() {
        let server = LiveServer()
        defer { server.stop() }
        let client = RawClient(port: server.port)
        client.write(RawClient.upgradeRequest() + Frames.client(text: "early"))
        _ = client.readHead()
        #expect(client.readFrames(1).map(\.text) == ["echo:early"])
    }

    @Test func hostileFramesGetTheirCodeAndOthersAreStillServed() {
        let server = LiveServer(configuration: .init(closeTimeout: 0.2))
        defer { server.stop() }
        let healthy = RawClient(port: server.port)
        healthy.write(RawClient.upgradeRequest())
        _ = healthy.readHead()
        let cases: [(UInt16, [UInt8])] = [
            (1002, Frames.client(Frames.text, Array("x".utf8), masked: false)),
            (1002, Frames.client(Frames.ping, [1], fin: false)),
            (1009, Frames.client(Frames.text, Array(repeating: 0x41, count: 5000))),
            (1007, Frames.client(Frames.text, [0xFF, 0xFE])),
            (1003, Frames.client(Frames.binary, [1])),
        ]
        for (code, wire) in cases {
            #expect(session(server, wire).frames.last?.closeCode == code)
        }
        #expect(get(server, "/other").contains("ok"))
        healthy.write(Frames.client(text: "still here"))
        #expect(healthy.readFrames(1).first?.text == "echo:still here")
        healthy.write(Frames.client(closeCode: 1000))
        _ = healthy.readToEnd()
        #expect(server.waitClosed(cases.count + 1) == cases.count + 1)
    }

    @Test func sharedFramesKeepTheirPlaceAmongOtherMessages() {
        let server = LiveServer()
        defer { server.stop() }
        let client = RawClient(port: server.port)
        client.write(RawClient.upgradeRequest() + Frames.client(text: "frames"))
        _ = client.readHead()
        let texts = client.readFrames(4).map(\.text)
        #expect(texts == ["a", "b", String(repeating: "c", count: 70_000), "d"])
    }

    @Test func rejectedHandshakeIsAPlainReply() {
        let server = LiveServer()
        defer { server.stop() }
        let client = RawClient(port: server.port)
        client.write(RawClient.upgradeRequest(["Sec-WebSocket-Version": "8"]))
        let head = client.readHead()
        #expect(head.hasPrefix("HTTP/1.1 426"))
        #expect(head.contains("Sec-WebSocket-Version: 13"))
        #expect(server.opened.withLock { $0 } == 0)
    }

    @Test func serverCloseWaitsForTheClientsAnswer() {
        let server = LiveServer()
        defer { server.stop() }
        let client = RawClient(port: server.port)
        client.write(RawClient.upgradeRequest() + Frames.client(text: "close"))
        _ = client.readHead()
        // The client has not answered yet: the server must not have dropped the socket.
        #expect(server.closed.withLock { $0 } == 0)
        client.write(Frames.client(closeCode: 1000))
        let frames = Frames.server(client.readToEnd())
        #expect(frames?.map(\.closeCode) == [1000])
        #expect(frames?.first?.closeReason == "asked")
        #expect(server.waitClosed(1) == 1)
    }

    @Test func silentClientIsClosedAfterTheIdleTimeout() {
        let server = LiveServer(configuration: .init(idleTimeout: 0.3, closeTimeout: 0.3))
        defer { server.stop() }
        let frames = session(server, []).frames
        #expect(frames.map(\.closeCode) == [1001])
        #expect(frames.first?.closeReason == "idle timeout")
        #expect(server.waitClosed(1) == 1)
    }

    @Test func shutdownFreesOpenStreams() {
        let server = LiveServer()
        let clients = (0..<3).map { _ in RawClient(port: server.port) }
        for client in clients {
            client.write(RawClient.upgradeRequest())
            _ = client.readHead()
        }
        #expect(server.opened.withLock { $0 } == 3)
        server.stop()  // evhttp_free frees the taken-over connections; each stream hears of it once
        #expect(server.closed.withLock { $0 } == 3)
        for client in clients { #expect(client.readToEnd().isEmpty) }
    }
}
