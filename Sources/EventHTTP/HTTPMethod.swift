import CLibEvent

/// A request's method, as the routes see it (libevent's `evhttp_cmd_type`
/// stays inside this target).
public enum HTTPMethod: String, Sendable, CaseIterable {
    case get = "GET", head = "HEAD", options = "OPTIONS", post = "POST", put = "PUT",
         delete = "DELETE", patch = "PATCH"

    init?(_ raw: evhttp_cmd_type) {
        switch raw {
        case EVHTTP_REQ_GET: self = .get
        case EVHTTP_REQ_HEAD: self = .head
        case EVHTTP_REQ_OPTIONS: self = .options
        case EVHTTP_REQ_POST: self = .post
        case EVHTTP_REQ_PUT: self = .put
        case EVHTTP_REQ_DELETE: self = .delete
        case EVHTTP_REQ_PATCH: self = .patch
        default: return nil
        }
    }

    /// The methods evhttp lets through to the routes; anything else (TRACE,
    /// CONNECT) gets evhttp's own 501. The routes answer 405 to those they do
    /// not serve, with `Allow`, in the API's one-line JSON.
    static var accepted: UInt16 {
        UInt16(EVHTTP_REQ_GET.rawValue | EVHTTP_REQ_HEAD.rawValue | EVHTTP_REQ_OPTIONS.rawValue
            | EVHTTP_REQ_POST.rawValue | EVHTTP_REQ_PUT.rawValue | EVHTTP_REQ_DELETE.rawValue | EVHTTP_REQ_PATCH.rawValue)
    }
}

/// One client connection, as a key for per-connection state (a connection
/// carries at most one long-lived response at a time). It names the
/// connection without exposing libevent's pointer.
public struct ConnectionID: Hashable, Sendable {
    let raw: UInt
    init(_ evcon: OpaquePointer) { raw = UInt(bitPattern: Int(bitPattern: evcon)) }
}

/// Reason phrases for the statuses the server sends.
public enum HTTPStatus {
    public static func reason(_ status: Int) -> String {
        switch status {
        case 101: return "Switching Protocols"
        case 200: return "OK"
        case 204: return "No Content"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 413: return "Payload Too Large"
        case 414: return "URI Too Long"
        case 426: return "Upgrade Required"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Error"
        }
    }
}
