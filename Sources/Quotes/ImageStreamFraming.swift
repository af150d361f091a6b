/// The byte framing of `GET /ticker.png`: Netscape server push of PNG frames
/// (`multipart/x-mixed-replace`) that a plain `<img>` shows live, also on a
/// page from another origin. Measured with Chromium 156:
///
/// - Cross-origin, Chromium's opaque-response blocking holds the body until it
///   sniffs it: image magic at byte 0 passes at once, other bytes only after
///   1 KiB. So the body opens with a whole PNG frame before the first boundary
///   (Chromium's image parser treats those bytes as a part it never shows; the
///   same frame follows as the first real part). The PNG signature alone, with
///   no image after it, crashed the tab.
/// - Chromium shows a part only once it has read the next part's headers. So
///   each frame is followed at once by the boundary and the next part's
///   headers; the part therefore carries no Content-Length (the next frame's
///   length is not known yet), and readers split on the delimiter.
/// - `Cross-Origin-Resource-Policy: cross-origin` lets pages that require CORP
///   (`Cross-Origin-Embedder-Policy: require-corp`) embed the image.
public enum ImageStreamFraming {
    /// Long and unusual, so compressed PNG data does not contain it by chance.
    public static let boundary = "tickerframe-5d1c8a3e"
    /// What separates parts: CRLF, two dashes, the boundary.
    public static let delimiter = Array("\r\n--\(boundary)".utf8)
    static let nextPartHeaders = Array("\r\n--\(boundary)\r\nContent-Type: image/png\r\n\r\n".utf8)

    /// Response headers of the stream, besides the status line.
    public static let streamHeaders: [(name: String, value: String)] = [
        ("Content-Type", "multipart/x-mixed-replace; boundary=\(boundary)"),
        ("Cache-Control", "no-cache, no-store, no-transform"),
        ("X-Accel-Buffering", "no"),
        ("Cross-Origin-Resource-Policy", "cross-origin"),
    ]

    /// Response headers of a single frame (`once=1`), besides Content-Length.
    public static let onceHeaders: [(name: String, value: String)] = [
        ("Content-Type", "image/png"),
        ("Cache-Control", "no-cache, no-store"),
        ("Cross-Origin-Resource-Policy", "cross-origin"),
    ]

    /// The first bytes a new viewer gets: `png` as a bare image (for the
    /// sniffer), then `png` again as the first part, ready for the next part.
    /// Nil if `png` contains the delimiter (see `part(_:)`).
    public static func opening(_ png: [UInt8]) -> [UInt8]? {
        guard let part = part(png) else { return nil }
        var out = png
        out.reserveCapacity(png.count * 2 + 2 * nextPartHeaders.count)
        out += nextPartHeaders
        out += part
        return out
    }

    /// One frame for viewers already reading: the PNG, then the next part's
    /// boundary and headers. Made once per render and shared by every viewer.
    /// Nil if the PNG contains the delimiter, which would cut the frame short:
    /// the caller drops that frame (the next change renders another).
    public static func part(_ png: [UInt8]) -> [UInt8]? {
        guard !png.isEmpty, firstIndex(of: delimiter, in: png[...]) == nil else { return nil }
        return png + nextPartHeaders
    }

    /// Where `needle` starts in `haystack`, or nil.
    static func firstIndex(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var i = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while i <= last {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
