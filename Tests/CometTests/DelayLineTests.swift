import Testing
@testable import Comet
import Quotes

/// The delay line, the wire cursor, its framing and `--delay` as plain values.
@Suite struct DelayLineTests {
    static func tick(_ id: Int64, _ symbol: String = "MSFT", at second: Int) -> Tick {
        Tick(id: id, symbol: symbol, price: "1", ts: TimestampText.iso(micros: Int64(second) * 1_000_000))
    }

    @Test func ticksLeaveAtTsPlusDelayInIdOrderOnce() {
        var line = DelayLine(delaySeconds: 2, after: 10)
        line.enter([Self.tick(10, at: 0), Self.tick(11, at: 100), Self.tick(12, at: 99), Self.tick(13, at: 101)], arrivalMicros: 101_000_000)
        #expect(line.count == 3) // 10 was released already
        #expect(line.release(nowMicros: 101_999_999).isEmpty)
        // 12 is older than 11 but waits behind it.
        #expect(line.release(nowMicros: 102_000_000).map(\.id) == [11, 12])
        #expect(line.nextDue == 103_000_000)
        line.enter([Self.tick(13, at: 0)], arrivalMicros: 150_000_000) // already in: ignored
        #expect(line.release(nowMicros: 200_000_000).map(\.id) == [13])
        #expect(line.release(nowMicros: 300_000_000).isEmpty)
        #expect(line.count == 0 && line.nextDue == nil)
    }

    @Test func aFutureTsLeavesADelayAfterItArrivedAndHoldsNothingBack() {
        var line = DelayLine(delaySeconds: 2, after: 0)
        // Tick 1 says 2030; it arrived at 100 s, like tick 2 at 101 s.
        line.enter([Self.tick(1, at: 1_893_456_000)], arrivalMicros: 100_000_000)
        line.enter([Self.tick(2, at: 101)], arrivalMicros: 101_000_000)
        #expect(line.nextDue == 102_000_000)
        #expect(line.release(nowMicros: 102_000_000).map(\.id) == [1])
        #expect(line.release(nowMicros: 103_000_000).map(\.id) == [2])
        #expect(line.count == 0)
    }

    @Test func aRestartTakesAFutureTickToHaveArrivedWithTheNextOne() {
        // Held at a restart at 200 s: 1 (2030) came before 2 (stamped 150 s), 3 (2031) is the newest.
        var line = DelayLine(delaySeconds: 60, after: 0)
        line.enterHeld([Self.tick(1, at: 1_893_456_000), Self.tick(2, at: 150), Self.tick(3, at: 1_924_992_000)],
                       nowMicros: 200_000_000)
        #expect(line.release(nowMicros: 209_999_999).isEmpty)
        #expect(line.release(nowMicros: 210_000_000).map(\.id) == [1, 2])
        #expect(line.nextDue == 260_000_000) // 3: a delay after the restart
        #expect(line.release(nowMicros: 260_000_000).map(\.id) == [3])
    }

    @Test func cursorsArePlainOrPairs() throws {
        #expect(try StreamCursor.parse("125", name: "since") == 125)
        #expect(try StreamCursor.parse("125:98", name: "since") == StreamCursor(125, delayed: 98))
        #expect(StreamCursor(125, delayed: 98).json == "\"125:98\"")
        #expect(StreamCursor(125).json == "125")
        #expect(StreamCursor(7).parts == (7, 7))
        for bad in ["x", "1:", ":1", "1:2:3", "-1", "1:-2"] {
            #expect(throws: QueryError.self) { try StreamCursor.parse(bad, name: "since") }
        }
    }

    @Test func delaysReadLikePeopleWriteThem() {
        #expect(DelayDuration.seconds("2s") == 2)
        #expect(DelayDuration.seconds("15m") == 900)
        #expect(DelayDuration.seconds("1h") == 3600)
        #expect(DelayDuration.seconds("90") == 90)
        #expect(DelayDuration.seconds("m") == nil)
        #expect(DelayDuration.seconds("-1s") == nil)
        #expect(DelayDuration.seconds("1d") == nil)
    }

    @Test func delayedTicksSayTheyAre() {
        let t = DelayedFeed.marked(Self.tick(1, at: 0))
        #expect(t.json.hasSuffix(",\"delayed\":true}"))
    }

    @Test func pairIdsFrameTheSharedTickLikeAnyEvent() {
        let t = EncodedTick(DelayedFeed.marked(Self.tick(7, at: 1)))
        let id = StreamCursor(9, delayed: 7)
        let json = String(decoding: t.json, as: UTF8.self)
        for transport in [SSETransport(), XHRStreamingTransport(), ForeverFrameTransport()] as [any StreamTransport] {
            var mixed: [UInt8] = [], generic: [UInt8] = []
            transport.appendTicks([t], ids: [id], to: &mixed)
            transport.appendEvent("tick", json: json, id: id, to: &generic)
            #expect(mixed == generic, "\(String(decoding: mixed, as: UTF8.self))")
        }
        let m = SocketOutput.message(t, id: id)
        #expect(m.head + Array(m.shared) + m.tail == WebSocketMessage.event("tick", jsonBytes: t.json, id: id))
        #expect(String(decoding: WebSocketMessage.event("tick", jsonBytes: t.json, id: id), as: UTF8.self).hasSuffix(",\"id\":\"9:7\"}"))
    }
}
