import EventHTTP
import Glibc
import Quotes

/// A tick with its renderings, made once when the tick enters the core and
/// shared by every subscriber (Pushpin's "one rendering per format").
///
/// The stream frames sit in one `SharedBytes` block at a fixed address, each
/// with its chunked-encoding head and tail around it, so a delivery is a
/// gather-write of these bytes: the same block serves HTTP/1.1 (whole chunk)
/// and HTTP/1.0 (just the frame) clients, with no copy per subscriber.
///
/// A class: a subscriber's pending ticks, the log and the hub's per-symbol
/// lists then hold one reference each (one retain), not a copy of some two
/// hundred bytes with five references inside.
final class EncodedTick: Sendable {
    /// Which stream frame of a tick a transport sends.
    enum FrameKind: Sendable { case sse, script, websocket }

    let tick: Tick
    let json: [UInt8]
    private let frames: SharedBytes
    /// Ranges in `frames`: the whole chunk, and the frame inside it.
    private let sseChunk: Range<Int>, sseFrame: Range<Int>
    private let scriptChunk: Range<Int>, scriptFrame: Range<Int>
    /// The WebSocket text frame `{"event":"tick",...}` (no chunking on a socket).
    private let websocketFrame: Range<Int>
    /// The tick's JSON inside that frame (for messages with an id of their own).
    private let websocketJSON: Range<Int>

    var id: Int64 { tick.id }

    init(_ tick: Tick) {
        self.tick = tick
        let json = tick.json
        self.json = Array(json.utf8)
        var sse: [UInt8] = []
        SSETransport().appendEvent("tick", json: json, id: StreamCursor(tick.id), to: &sse)
        var script: [UInt8] = []
        ForeverFrameTransport().appendEvent("tick", json: json, id: StreamCursor(tick.id), to: &script)
        var block: [UInt8] = []
        func chunk(_ frame: [UInt8]) -> (Range<Int>, Range<Int>) {
            let start = block.count
            block += ChunkHeader(length: frame.count).array
            let inner = block.count..<(block.count + frame.count)
            block += frame
            block += [13, 10]
            return (start..<block.count, inner)
        }
        (sseChunk, sseFrame) = chunk(sse)
        (scriptChunk, scriptFrame) = chunk(script)
        let message = WebSocketMessage.event("tick", json: json, id: StreamCursor(tick.id))
        let ws = WebSocketFrame.text(message)
        websocketFrame = block.count..<(block.count + ws.count)
        let jsonStart = websocketFrame.lowerBound + (ws.count - message.count) + Self.websocketHead.count
        websocketJSON = jsonStart..<(jsonStart + self.json.count)
        block += ws
        frames = SharedBytes(block)
    }

    /// The frame of `kind`, as a whole chunk when `chunked`; valid while this tick lives.
    func frame(_ kind: FrameKind, chunked: Bool) -> UnsafeRawBufferPointer {
        switch kind {
        case .sse: return frames.slice(chunked ? sseChunk : sseFrame)
        case .script: return frames.slice(chunked ? scriptChunk : scriptFrame)
        case .websocket: return frames.slice(websocketFrame)
        }
    }

    /// What comes before the JSON in a tick's WebSocket message.
    /// Runs `body` with `ticks`' `kind` frames as one gather list on the
    /// stack (no copy of the frames, no per-subscriber storage), for one write.
    static func withFrames<R>(_ ticks: [EncodedTick], _ kind: FrameKind, chunked: Bool,
                              _ body: (UnsafeMutableBufferPointer<iovec>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: iovec.self, capacity: ticks.count) { parts in
            for (i, t) in ticks.enumerated() {
                let f = t.frame(kind, chunked: chunked)
                parts.initializeElement(at: i, to: iovec(iov_base: UnsafeMutableRawPointer(mutating: f.baseAddress), iov_len: f.count))
            }
            return body(parts)
        }
    }

    static let websocketHead = Array("{\"event\":\"tick\",\"data\":".utf8)

    /// The tick's JSON in the shared block (valid while this tick lives): a
    /// WebSocket whose ids are pairs sends it between its own head and id.
    var sharedJSON: UnsafeRawBufferPointer { frames.slice(websocketJSON) }

    /// The SSE frame after its `id:` line (`event: tick`, `data:`): a stream
    /// whose ids are pairs writes its own `id:` line before it, since SSE
    /// fields may come in any order within an event.
    var sseWithoutID: UnsafeRawBufferPointer {
        let f = frame(.sse, chunked: false)
        let afterID = (f.firstIndex(of: 10) ?? -1) + 1
        return UnsafeRawBufferPointer(rebasing: f[afterID...])
    }

    /// `id:`/`event: tick`/`data:` frame, for `sse` and `xhr`.
    var sse: [UInt8] { Array(frame(.sse, chunked: false)) }
    /// `<script>` chunk, for `iframe`.
    var script: [UInt8] { Array(frame(.script, chunked: false)) }
}
