import CLibEvent
import Glibc
import Platform

/// Owner of one outgoing TCP connection on a loop (a libevent `bufferevent`),
/// for load generators and test clients that must not be the bottleneck:
/// bytes arrive in a callback, straight from libevent's buffer. Freed (and the
/// socket closed) in `deinit`. Loop thread only.
public final class TCPClient {
    private var bev: OpaquePointer?
    private let onBytes: (UnsafeRawBufferPointer) -> Void
    private let onClose: () -> Void
    private static let scratchSize = 65536

    /// A non-blocking socket, bound to `source` when given (several source
    /// addresses are needed past ~28,000 connections to one port).
    /// - Parameters:
    ///   - onBytes: each read, in order.
    ///   - onClose: once, when the connection fails, ends or errs.
    public init?(loop: EventLoop, source: IPv4Endpoint? = nil,
                 onBytes: @escaping (UnsafeRawBufferPointer) -> Void, onClose: @escaping () -> Void) {
        self.onBytes = onBytes
        self.onClose = onClose
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        if let source { _ = source.withSockaddr { Glibc.bind(fd, $0, $1) } }
        guard let b = bufferevent_socket_new(loop.base, fd, Int32(BEV_OPT_CLOSE_ON_FREE.rawValue)) else {
            Glibc.close(fd)
            return nil
        }
        bev = b
        bufferevent_setcb(b, { bev, ctx in
            Unmanaged<TCPClient>.fromOpaque(ctx!).takeUnretainedValue().readable()
        }, nil, { _, what, ctx in
            guard what & Int16(BEV_EVENT_CONNECTED) == 0 else { return }
            Unmanaged<TCPClient>.fromOpaque(ctx!).takeUnretainedValue().closed()
        }, Unmanaged.passUnretained(self).toOpaque())
        bufferevent_enable(b, Int16(EV_READ))
    }

    deinit { if let bev { bufferevent_free(bev) } }

    /// Starts connecting; bytes written before it completes are sent after.
    public func connect(to endpoint: IPv4Endpoint) -> Bool {
        guard let bev else { return false }
        return endpoint.withSockaddr { bufferevent_socket_connect(bev, $0, Int32($1)) } == 0
    }

    public func write(_ bytes: [UInt8]) {
        guard let bev else { return }
        _ = bytes.withUnsafeBytes { bufferevent_write(bev, $0.baseAddress, $0.count) }
    }

    private func readable() {
        guard let bev, let input = bufferevent_get_input(bev) else { return }
        withUnsafeTemporaryAllocation(byteCount: Self.scratchSize, alignment: 1) { scratch in
            while true {
                let n = evbuffer_remove(input, scratch.baseAddress, scratch.count)
                if n <= 0 { return }
                onBytes(UnsafeRawBufferPointer(rebasing: scratch[..<Int(n)]))
            }
        }
    }

    private func closed() {
        if let bev { bufferevent_disable(bev, Int16(EV_READ | EV_WRITE)) }
        onClose()
    }
}
