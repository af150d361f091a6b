import Testing
@testable import Comet
@testable import Quotes
import Platform

@Suite struct CursorReaderTests {
    @Test func wakeUpsDuringAFetchAreNotLost() {
        var r = CursorReader(cursor: 10)
        #expect(r.notified() == .none) // not connected yet
        #expect(r.connected() == .fetch(after: 10))
        #expect(r.notified() == .none) // remembered
        #expect(r.fetched(lastID: 15, full: false) == .fetch(after: 15))
        #expect(r.fetched(lastID: nil, full: false) == .none)
        #expect(r.state == .idle)
        #expect(r.notified() == .fetch(after: 15))
    }

    @Test func fullBatchesFetchAgainAndReconnectsCatchUp() {
        var r = CursorReader(cursor: 0)
        _ = r.connected()
        #expect(r.fetched(lastID: 5000, full: true) == .fetch(after: 5000))
        r.fetchFailed()
        #expect(r.notified() == .none)
        #expect(r.connected() == .fetch(after: 5000))
    }

    @Test func backoffDoublesToItsCapAndResets() {
        var b = Backoff(initial: 0.1, maximum: 0.5)
        #expect([b.failed(), b.failed(), b.failed(), b.failed()] == [0.1, 0.2, 0.4, 0.5])
        b.succeeded()
        #expect(b.failed() == 0.1)
    }
}

@Suite struct TickLogTests {
    func tick(_ id: Int64, _ s: String = "A") -> EncodedTick { EncodedTick(Tick(id: id, symbol: s, price: "1", ts: "t")) }

    @Test func coversOnlyWhatItHolds() {
        var log = TickLog(capacity: 3, floor: 10)
        for id in [11, 13, 14] { log.append(tick(Int64(id), id == 13 ? "B" : "A")) }
        #expect(log.covers(since: 10))
        #expect(!log.covers(since: 9))
        #expect(log.ticks(after: 10) { _ in true }.map(\.id) == [11, 13, 14])
        #expect(log.ticks(after: 11) { $0 == "A" }.map(\.id) == [14])
        log.append(tick(20))
        #expect(log.floor == 11)
        #expect(!log.covers(since: 10))
        #expect(log.ticks(after: 11) { _ in true }.map(\.id) == [13, 14, 20])
        #expect(log.ticks(after: 11, limit: 1) { _ in true }.map(\.id) == [13])
    }
}
