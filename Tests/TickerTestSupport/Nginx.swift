import Foundation
import Postgres

/// A real nginx in front of the server, configured as a hostile proxy.
public final class Nginx: @unchecked Sendable {
    public enum Behaviour: Sendable {
        /// Holds streamed bytes back and ignores `X-Accel-Buffering`, as
        /// compressing or scanning proxies do. nginx's own proxy buffering
        /// still forwards whatever it reads, so the holding is done the way
        /// such proxies do it: compression that only sends full buffers.
        case buffering
        /// Buffers too, and cuts any request held longer than `seconds`.
        case cutsHeldRequests(seconds: Int)
        /// A plain reverse proxy (no buffering) that passes WebSocket
        /// upgrades (the README's example) or, like many older ones, strips them.
        case plain(passesUpgrade: Bool)
    }

    public let port: Int
    private let process: ChildProcess
    private let folder: String

    public init(upstreamPort: Int, behaviour: Behaviour) throws {
        port = try LocalCluster.freePort()
        folder = NSTemporaryDirectory() + "nginx-\(port)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var readTimeout = "60s"
        if case .cutsHeldRequests(let s) = behaviour { readTimeout = "\(s)s" }
        var location = """
                        proxy_set_header Connection "";
                        proxy_buffering on;
                        proxy_ignore_headers X-Accel-Buffering;
                        proxy_buffer_size 256k;
                        proxy_buffers 16 256k;
                        proxy_busy_buffers_size 512k;
                        proxy_max_temp_file_size 0;
                        proxy_read_timeout \(readTimeout);
                        gzip on;
                        gzip_min_length 0;
                        gzip_proxied any;
                        gzip_buffers 16 64k;
                        gzip_types text/event-stream text/plain text/html application/json application/javascript multipart/x-mixed-replace;
            """
        if case .plain(let upgrade) = behaviour {
            location = upgrade
                ? "proxy_set_header Upgrade $http_upgrade;\nproxy_set_header Connection \"upgrade\";\nproxy_set_header Host $http_host;\n"
                : "proxy_set_header Connection \"\";\nproxy_set_header Host $http_host;\n"
            location += "proxy_buffering off;\nproxy_read_timeout 1h;\n"
        }
        let conf = """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(folder)/nginx.pid;
            error_log \(folder)/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log \(folder)/access.log;
                client_body_temp_path \(folder)/body;
                proxy_temp_path \(folder)/proxy;
                fastcgi_temp_path \(folder)/fastcgi;
                uwsgi_temp_path \(folder)/uwsgi;
                scgi_temp_path \(folder)/scgi;
                server {
                    listen 127.0.0.1:\(port);
                    location / {
                        proxy_pass http://127.0.0.1:\(upstreamPort);
                        proxy_http_version 1.1;
            \(location)
                    }
                }
            }
            """
        try conf.write(toFile: folder + "/nginx.conf", atomically: true, encoding: .utf8)
        process = try ChildProcess(["nginx", "-p", folder, "-c", folder + "/nginx.conf"], log: folder + "/stderr.log")
        try waitForPort(port)
    }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(atPath: folder)
    }
}
