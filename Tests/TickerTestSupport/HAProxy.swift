import Foundation
import Postgres

/// A real HAProxy in front of several server nodes, configured like
/// deploy/haproxy.cfg (round robin, `/health` checks, no buffering), with
/// checks fast enough for a test. Runs in the foreground as a child process.
public final class HAProxy: @unchecked Sendable {
    public let port: Int
    private let process: ChildProcess
    private let folder: String

    /// `nodes`: the nodes' addresses, `host:port`.
    public init(nodes: [String]) throws {
        port = try LocalCluster.freePort()
        folder = NSTemporaryDirectory() + "haproxy-\(port)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let servers = nodes.enumerated().map { "    server node\($0.offset + 1) \($0.element)" }.joined(separator: "\n")
        let conf = """
            global
                maxconn 4000
            defaults
                mode http
                option http-server-close
                option http-no-delay
                option redispatch 1
                retries 3
                timeout connect 250ms
                timeout client 65s
                timeout server 65s
                timeout tunnel 1h
                timeout http-request 10s
            frontend ticker
                bind 127.0.0.1:\(port)
                default_backend nodes
            backend nodes
                balance roundrobin
                option httpchk GET /health
                http-check expect status 200
                default-server check inter 300ms fall 2 rise 2
            \(servers)

            """
        try conf.write(toFile: folder + "/haproxy.cfg", atomically: true, encoding: .utf8)
        process = try ChildProcess(["haproxy", "-f", folder + "/haproxy.cfg", "-db"], log: folder + "/haproxy.log")
        try waitForPort(port)
    }

    deinit {
        process.terminate(grace: 2)
        try? FileManager.default.removeItem(atPath: folder)
    }
}
