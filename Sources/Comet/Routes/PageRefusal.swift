import EventHTTP
import Quotes

extension ServerContext {
    /// `refuse` for HTML routes (`/board`): the same status, counters and
    /// `WWW-Authenticate`, with the one line as a short page instead of JSON.
    func refusePage(_ req: HTTPRequest, _ refusal: TokenRefusal) {
        access.counted(refusal)
        metrics.rejectedRequests += 1
        if refusal.status == 401 {
            req.setHeader("WWW-Authenticate", refusal.reason == .missing ? "Bearer" : "Bearer error=\"invalid_token\"")
        }
        for (name, value) in RefusalPage.headers { req.setHeader(name, value) }
        req.respond(refusal.status, contentType: "text/html; charset=utf-8", text: RefusalPage.html(status: refusal.status, message: refusal.message))
    }
}
