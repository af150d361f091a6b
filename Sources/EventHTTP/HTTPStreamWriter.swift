import CLibEvent
import Glibc

/// Writes a started streaming response straight to its socket, bypassing
/// evhttp's chunk path: a write is attempted at once (one `sendmsg`, gathering
/// shared frames), and only what the socket does not take is copied into the
/// connection's output buffer, which arms write interest (and the write
/// timeout) until it drains. As nginx does: one system call per delivery, not
/// a `writev` plus two `epoll_ctl` on the next loop turn.
///
/// Order is kept: while anything is queued, new bytes queue behind it.
/// Chunked encoding (HTTP/1.1) is framed here by `write(_:_:)`; callers whose
/// frames already carry their chunk head and tail use `write(_:framed:)`.
/// The loop itself is `gatherWrite`, shared with WebSocket streams.
/// Loop thread only.
public struct HTTPStreamWriter {
    /// True when the response uses chunked transfer encoding (HTTP/1.1).
    public let isChunked: Bool
    /// False for HEAD: headers only.
    let needsBody: Bool
    /// The connection's output buffer and socket, fixed for the request's
    /// life: looked up once here rather than through request, connection and
    /// bufferevent (three cold structures per subscriber) on every delivery.
    private let output: OpaquePointer?
    private let fd: Int32
    private static let crlf = SharedBytes(Array("\r\n".utf8))

    init(chunked: Bool, needsBody: Bool, connection bev: OpaquePointer?) {
        isChunked = chunked
        self.needsBody = needsBody
        output = bev.flatMap { bufferevent_get_output($0) }
        fd = bev.map { bufferevent_getfd($0) } ?? -1
    }

    /// Bytes written but not yet taken by the client (0 once it is gone).
    func pendingOutput(_ request: HTTPRequest) -> Int {
        guard let output, evhttp_request_get_connection(request.raw) != nil else { return 0 }
        return evbuffer_get_length(output)
    }

    /// Gathers parts and writes them: `parts` are already framed for the
    /// transfer encoding (each a whole chunk when chunked).
    /// - Returns: false when the connection is gone.
    @discardableResult
    public func write(_ request: HTTPRequest, framed parts: UnsafeMutableBufferPointer<iovec>) -> Bool {
        guard needsBody else { return true }
        // The connection is gone once evhttp has detached the request from it.
        guard let output, evhttp_request_get_connection(request.raw) != nil else { return false }
        gatherWrite(to: fd, queueingIn: output, parts)
        return true
    }

    /// Writes `bytes` as one piece of the body (one chunk when chunked).
    @discardableResult
    public func write(_ request: HTTPRequest, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count > 0 else { return true }
        guard isChunked else {
            var one = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
            return withUnsafeMutablePointer(to: &one) { write(request, framed: UnsafeMutableBufferPointer(start: $0, count: 1)) }
        }
        var header = ChunkHeader(length: bytes.count)
        return header.withBytes { h in
            var parts = (iovec(iov_base: UnsafeMutableRawPointer(mutating: h.baseAddress), iov_len: h.count),
                         iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count),
                         iovec(iov_base: UnsafeMutableRawPointer(mutating: Self.crlf.base), iov_len: 2))
            return withUnsafeMutableBytes(of: &parts) { raw in
                write(request, framed: raw.bindMemory(to: iovec.self))
            }
        }
    }
}

/// `<hex length>\r\n`, the head of one chunk of a chunked body.
public struct ChunkHeader {
    private var bytes: (UInt64, UInt64, UInt64) = (0, 0, 0)
    private var count = 0

    public init(length: Int) {
        var digits: [UInt8] = []
        var n = length
        repeat {
            let d = UInt8(n & 15)
            digits.append(d < 10 ? 48 + d : 87 + d)
            n >>= 4
        } while n > 0
        withUnsafeMutableBytes(of: &bytes) { p in
            for (i, d) in digits.reversed().enumerated() { p[i] = d }
            p[digits.count] = 13
            p[digits.count + 1] = 10
        }
        count = digits.count + 2
    }

    public mutating func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        let n = count
        return withUnsafeBytes(of: &bytes) { body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }

    /// The header as bytes.
    public var array: [UInt8] {
        var copy = self
        return copy.withBytes { Array($0) }
    }
}
