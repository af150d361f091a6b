import Foundation

/// The dashboard's files from `Public/`, read once when the server starts:
/// reading them on the loop thread per request would block every stream
/// behind the disk. (Edit a file, restart the server.) Only regular files
/// whose path has no hidden segment are served.
struct StaticFiles {
    private var files: [String: (body: [UInt8], type: String)] = [:]

    static let types: [String: String] = [
        "html": "text/html; charset=utf-8", "js": "application/javascript; charset=utf-8",
        "css": "text/css; charset=utf-8", "svg": "image/svg+xml", "png": "image/png",
        "json": "application/json", "ico": "image/x-icon", "txt": "text/plain; charset=utf-8",
    ]

    init(root: URL) {
        let fm = FileManager.default
        guard let walker = fm.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                         options: [.skipsHiddenFiles]) else { return }
        let rootPath = root.standardizedFileURL.path
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                  let data = fm.contents(atPath: url.path) else { continue }
            let rel = String(url.standardizedFileURL.path.dropFirst(rootPath.count))
            files[rel] = ([UInt8](data), Self.types[url.pathExtension.lowercased()] ?? "application/octet-stream")
        }
        joinClientLibrary()
    }

    /// `/ticker.js`, the client library in one file: its parts, joined in
    /// this order (each needs the ones before it). One script tag for users,
    /// one request for the page, and still no build step.
    static let clientLibrary = ["ladder", "cursor", "token", "wire", "connection", "streams", "socket", "polls", "auth", "share", "api"]
        .map { "/ticker/\($0).js" }

    private mutating func joinClientLibrary() {
        var joined: [UInt8] = []
        for path in Self.clientLibrary {
            guard let part = files[path] else { return } // an incomplete library is not served
            joined += part.body
            joined.append(UInt8(ascii: "\n"))
        }
        files["/ticker.js"] = (joined, Self.types["js"] ?? "application/javascript")
    }

    /// The file for a URL path (`/` and folders mean their `index.html`), or nil.
    func file(for path: String) -> (body: [UInt8], type: String)? {
        var rel = path.removingPercentEncoding ?? path
        if rel.hasSuffix("/") { rel += "index.html" }
        return files[rel]
    }
}
