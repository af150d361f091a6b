import EventHTTP

/// Plain polling and the immediate answers of long polls: one JSON body
/// (`PollBody`), or JSONP when the client names a `callback` (script-tag
/// polling for browsers and proxies where nothing else works).
struct PollTransport {
    let callback: String?

    var contentType: String { callback == nil ? "application/json" : "application/javascript; charset=utf-8" }

    /// Headers of every poll response, answered now or parked.
    func prepare(_ req: HTTPRequest) {
        req.setHeader("X-Content-Type-Options", "nosniff")
        req.setHeader("Cache-Control", "no-cache, no-store")
        req.setHeader("Content-Type", contentType)
    }

    func answer(_ req: HTTPRequest, _ body: PollBody) {
        req.respond(200, contentType: contentType, text: body.render(callback: callback))
    }
}
