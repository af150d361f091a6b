import Glibc

/// A TCP port on 127.0.0.1 that is free now (bound to port 0 and released):
/// for a server's private ports, such as the loopback port where worker 0 of
/// `ticker serve --workers N` takes relayed Bayeux connections.
public enum FreePort {
    public static func loopback() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = IPv4Endpoint(host: "127.0.0.1", port: 0).address
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        return ok ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
