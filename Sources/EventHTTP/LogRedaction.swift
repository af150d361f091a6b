import Foundation

/// Keeps tokens out of logs: libevent's messages may quote a request line,
/// and a token may travel as `?token=`, a `ticker_token` cookie or an
/// `Authorization: Bearer` header.
public enum LogRedaction {
    /// `text` with every token value replaced by `[redacted]`.
    public static func redact(_ text: String) -> String {
        guard text.contains("token=") || text.contains("Bearer ") || text.contains("bearer ") else { return text }
        var out = ""
        var rest = Substring(text)
        while let r = firstMarker(in: rest) {
            out += rest[..<r.upperBound]
            out += "[redacted]"
            rest = rest[r.upperBound...].drop { !" &;\"'\r\n\t".contains($0) }
        }
        return out + rest
    }

    private static func firstMarker(in s: Substring) -> Range<Substring.Index>? {
        ["token=", "Bearer ", "bearer "].compactMap { s.range(of: $0) }.min { $0.lowerBound < $1.lowerBound }
    }
}
