/// The streaming transports a client may ask for (`/stream?transport=`), each
/// backed by one `StreamTransport` file.
public enum WireFormat: String, CaseIterable, Sendable {
    /// `text/event-stream`, readable by a plain browser `EventSource`.
    case sse
    /// The same framing as `sse`, served as `text/plain` for fetch/XHR readers.
    case xhr
    /// The forever frame: `text/html` with one `<script>` per event.
    case iframe
    /// `multipart/x-mixed-replace`: one JSON part per event or batch.
    case multipart

    /// The transport that frames this format.
    var transport: any StreamTransport {
        switch self {
        case .sse: return SSETransport()
        case .xhr: return XHRStreamingTransport()
        case .iframe: return ForeverFrameTransport()
        case .multipart: return MultipartTransport()
        }
    }

    public var contentType: String { transport.contentType }
}
