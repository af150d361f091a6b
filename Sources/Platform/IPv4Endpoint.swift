import Glibc

/// An IPv4 host and port as the socket calls want them; shared by the bench,
/// the publisher of `ticker bench --against nchan` and the test clients.
public struct IPv4Endpoint: Sendable {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var address: sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        a.sin_addr.s_addr = inet_addr(host)
        return a
    }

    /// Calls `body` with the address as a `sockaddr` pointer and its length.
    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var a = address
        return withUnsafePointer(to: &a) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    /// `connect(2)` on `fd`; true when connected (or, on a non-blocking socket, in progress).
    public func connect(_ fd: Int32) -> Bool {
        withSockaddr { Glibc.connect(fd, $0, $1) == 0 || errno == EINPROGRESS }
    }
}
