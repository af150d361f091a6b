import Foundation

/// The dashboard's files from `Public/`, read on request (small, and edits show
/// without a restart). Paths with `..` or hidden segments are refused.
struct StaticFiles {
    let root: URL

    static let types: [String: String] = [
        "html": "text/html; charset=utf-8", "js": "application/javascript; charset=utf-8",
        "css": "text/css; charset=utf-8", "svg": "image/svg+xml", "png": "image/png",
        "json": "application/json", "ico": "image/x-icon", "txt": "text/plain; charset=utf-8",
    ]

    /// The file for a URL path, with its content type; nil when there is none.
    func file(for path: String) -> (body: [UInt8], type: String)? {
        var rel = path.removingPercentEncoding ?? path
        if rel.hasSuffix("/") { rel += "index.html" }
        let parts = rel.split(separator: "/")
        guard !parts.isEmpty, !parts.contains(where: { $0.hasPrefix(".") || $0.contains("\0") }) else { return nil }
        let url = parts.reduce(root) { $0.appendingPathComponent(String($1)) }
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return ([UInt8](data), Self.types[url.pathExtension.lowercased()] ?? "application/octet-stream")
    }
}
