import Testing
import TickerTestSupport
@testable import EventHTTP

/// Frames in as bytes, frames out as bytes: what a client on the wire would see.
@Suite struct WebSocketConnectionTests {
    /// Feeds `bytes`, returns the events and the frames written back.
    func exchange(_ ws: WebSocketConnection, _ bytes: [UInt8]) -> ([WebSocketConnection.Event], [Frames.Frame]) {
        let events = ws.receive(bytes)
        let frames = Frames.server(ws.takeOutput())
        #expect(frames != nil, "server wrote a malformed frame")
        return (events, frames ?? [])
    }

    @Test func maskedTextRoundTrip() {
        let ws = WebSocketConnection()
        let (events, frames) = exchange(ws, Frames.client(text: #"{"subscribe":["NVDA"]}"#))
        #expect(events == [.text(#"{"subscribe":["NVDA"]}"#)])
        #expect(frames.isEmpty)
        #expect(ws.sendText(#"{"tick":{"id":7}}"#))
        #expect(Frames.server(ws.takeOutput()) == [Frames.Frame(opcode: Frames.text, payload: Array(#"{"tick":{"id":7}}"#.utf8))])
        #expect(ws.wantsRead && !ws.wantsWrite)
    }

    @Test func messageSplitAcrossReadsAndFragments() {
        let ws = WebSocketConnection()
        let wire = Frames.client(Frames.text, Array("héllo ".utf8), fin: false)
            + Frames.client(Frames.ping, [1, 2])
            + Frames.client(Frames.continuation, Array("wörld".utf8))
        var events: [WebSocketConnection.Event] = []
        for byte in wire { events += ws.receive([byte]) }
        #expect(events == [.text("héllo wörld")])
        #expect(Frames.server(ws.takeOutput()) == [Frames.Frame(opcode: Frames.pong, payload: [1, 2])])
    }

    @Test func unmaskedClientFrameIsAProtocolError() {
        let ws = WebSocketConnection()
        let (events, frames) = exchange(ws, Frames.client(Frames.text, Array("hi".utf8), masked: false))
        #expect(frames.map(\.closeCode) == [1002])
        #expect(events.count == 1 && events.first.map { if case .failed(1002, _) = $0 { true } else { false } } == true)
        #expect(!ws.wantsRead && ws.isFinished)
    }

    @Test func oversizedMessageIsClosedWith1009BeforeItIsBuffered() {
        let ws = WebSocketConnection(configuration: .init(maxMessageBytes: 16))
        let (events, frames) = exchange(ws, Frames.client(Frames.text, Array(repeating: 0x41, count: 17)))
        #expect(frames.map(\.closeCode) == [1009])
        #expect(events == [.failed(code: 1009, reason: "message larger than 16 bytes")])
        // A frame announcing 2^40 bytes must not make us allocate or wait for
        // them: wslay decides at the first payload byte.
        let huge = WebSocketConnection(configuration: .init(maxMessageBytes: 16))
        let header: [UInt8] = [0x81, 0xFF, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0x41]
        #expect(exchange(huge, header).1.map(\.closeCode) == [1009])
    }

    @Test func oversizedAcrossFragmentsIsClosedWith1009() {
        let ws = WebSocketConnection(configuration: .init(maxMessageBytes: 16))
        let wire = Frames.client(Frames.text, Array(repeating: 0x41, count: 10), fin: false)
            + Frames.client(Frames.continuation, Array(repeating: 0x41, count: 10))
        #expect(exchange(ws, wire).1.map(\.closeCode) == [1009])
    }

    @Test func fragmentedOrLongControlFramesAreProtocolErrors() {
        for wire in [Frames.client(Frames.ping, [1], fin: false),
                     Frames.client(Frames.ping, Array(repeating: 0, count: 126))] {
            let ws = WebSocketConnection()
            let (events, frames) = exchange(ws, Frames.client(text: "before") + wire + Frames.client(text: "after"))
            #expect(frames.map(\.closeCode) == [1002])
            #expect(frames.first?.closeReason == "invalid frame header")
            #expect(events.first == .text("before"))
            #expect(events.dropFirst() == [.failed(code: 1002, reason: "invalid frame header")])
            #expect(ws.isFinished)
            #expect(ws.receive(Frames.client(text: "later")).isEmpty && ws.takeOutput().isEmpty)
        }
    }

    @Test func invalidUTF8IsClosedWith1007() {
        let ws = WebSocketConnection()
        let (events, frames) = exchange(ws, Frames.client(Frames.text, [0x61, 0xC3, 0x28]))
        #expect(frames.map(\.closeCode) == [1007])
        #expect(events == [.failed(code: 1007, reason: "text message is not valid UTF-8")])
    }

    @Test func binaryIsClosedWith1003AndAReason() {
        let ws = WebSocketConnection()
        let (events, frames) = exchange(ws, Frames.client(Frames.binary, [1, 2, 3]))
        #expect(frames.map(\.closeCode) == [1003])
        #expect(frames.first?.closeReason == "binary messages are not supported")
        #expect(events == [.failed(code: 1003, reason: "binary messages are not supported")])
    }

    @Test func compressedFramesAreRefusedSinceDeflateWasDeclined() {
        let ws = WebSocketConnection()
        #expect(exchange(ws, Frames.client(Frames.text, [1], rsv: 0b100)).1.map(\.closeCode) == [1002])
    }

    @Test func clientStartsTheCloseHandshake() {
        let ws = WebSocketConnection()
        let (events, frames) = exchange(ws, Frames.client(closeCode: 1000, reason: "bye"))
        #expect(events == [.closeReceived(code: 1000, reason: "bye")])
        #expect(frames.map(\.closeCode) == [1000])
        #expect(ws.isFinished)
        #expect(!ws.sendText("too late"))
        #expect(ws.takeOutput().isEmpty)
    }

    @Test func serverStartsTheCloseHandshake() {
        let ws = WebSocketConnection()
        ws.close(code: 1001, reason: "server shutting down")
        let frames = Frames.server(ws.takeOutput())
        #expect(frames?.map(\.closeCode) == [1001])
        #expect(frames?.first?.closeReason == "server shutting down")
        #expect(ws.wantsRead && !ws.isFinished)
        #expect(!ws.sendText("after close"))
        let (events, echoed) = exchange(ws, Frames.client(text: "in flight") + Frames.client(closeCode: 1001))
        #expect(events == [.closeReceived(code: 1001, reason: "")])
        #expect(echoed.isEmpty)
        #expect(ws.isFinished)
    }

    @Test func closeReasonIsCutAtA123ByteCharacterBoundary() {
        let ws = WebSocketConnection()
        ws.close(code: 1008, reason: String(repeating: "é", count: 100))
        let reason = Frames.server(ws.takeOutput())?.first?.closeReason
        #expect(reason == String(repeating: "é", count: 61))
    }

    @Test func pingsAndPongs() {
        let ws = WebSocketConnection()
        #expect(ws.sendPing([9]))
        #expect(Frames.server(ws.takeOutput()) == [Frames.Frame(opcode: Frames.ping, payload: [9])])
        #expect(ws.receive(Frames.client(Frames.pong, [9])) == [.pong])
    }

    @Test func sharedFrameHeadersUseTheShortestLengthForm() {
        for length in [0, 125, 126, 65535, 65536] {
            let payload = [UInt8](repeating: 0x61, count: length)
            let frame = WebSocketFrame.text(payload)
            #expect(frame.count - length == (length < 126 ? 2 : length <= 65535 ? 4 : 10))
            #expect(Frames.server(frame) == [Frames.Frame(opcode: Frames.text, payload: payload)])
        }
    }

    @Test func randomBytesNeverCrashAndEndInOneClose() {
        var rng = XorShift(state: 0x2545_F491_4F6C_DD1D)
        for _ in 0..<300 {
            let ws = WebSocketConnection(configuration: .init(maxMessageBytes: 64))
            var written: [UInt8] = []
            for _ in 0..<4 {
                let chunk = (0..<Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                _ = ws.receive(chunk)
                written += ws.takeOutput()
            }
            let frames = Frames.server(written)
            #expect(frames != nil)
            #expect((frames ?? []).filter { $0.opcode == Frames.close }.count <= 1)
        }
    }
}

/// Marsaglia's xorshift64: deterministic, so the random test repeats exactly.
struct XorShift {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
