/// The client-pull board (`GET /board`): a complete HTML page with no script
/// that reloads itself, Netscape 1.1 style, for browsers with JavaScript off,
/// kiosks and mail-like embeds.
///
/// It reloads by both the `Refresh` header and `<meta http-equiv="refresh">`
/// (some proxies drop unknown headers; some viewers ignore meta tags). Every
/// value is HTML-escaped, and the page's Content-Security-Policy forbids
/// scripts, so even a value that slipped past escaping could not run.
public struct BoardPage: Sendable {
    public var rows: [QuoteRow]
    /// Seconds between reloads.
    public var refresh: Int

    /// Symbols served late (#16), marked "delayed 15 min" like the dashboard's rows.
    public var delayed: Set<String> = []
    /// The server's delay, in seconds.
    public var delaySeconds: Int = 0
    /// The `?token=` the board was opened with: its "Live dashboard" link carries it.
    public var token: String?

    public init(rows: [QuoteRow], refresh: Int, delayed: Set<String> = [], delaySeconds: Int = 0, token: String? = nil) {
        self.rows = rows
        self.refresh = refresh
        self.delayed = delayed
        self.delaySeconds = delaySeconds
        self.token = token
    }

    /// The response headers besides the status line and Content-Length.
    public var headers: [(name: String, value: String)] {
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Refresh", String(refresh)),
            ("Cache-Control", "no-cache, no-store"),
            ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'"),
        ]
    }

    /// The whole page.
    public var html: String {
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="refresh" content="\(refresh)">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>CometTicker board</title>
        <style>\(Self.style)</style>
        </head>
        <body>
        <h1>CometTicker board</h1>
        <table>
        <thead><tr><th>Symbol</th><th>Last</th><th>Chg</th><th>%</th><th>Size</th><th>Time (UTC)</th></tr></thead>
        <tbody>\n
        """
        for row in rows { appendRow(row, to: &out) }
        var link = "/?symbols=" + rows.map { Self.escape($0.symbol) }.joined(separator: ",")
        if let token { link += "&amp;token=" + Self.escape(Self.percentEncoded(token)) }
        out += """
        </tbody>
        </table>
        <p>Reloads every \(refresh) s without JavaScript. <a href="\(link)">Live dashboard</a></p>
        </body>
        </html>\n
        """
        return out
    }

    func appendRow(_ row: QuoteRow, to out: inout String) {
        let dash = "–"
        out += "<tr data-symbol=\"\(Self.escape(row.symbol))\" class=\"\(row.direction.rawValue)\">"
        let late = delayed.contains(row.symbol) ? " <small class=\"delayed\">\(Self.delayText(delaySeconds))</small>" : ""
        out += "<td class=\"sym\">\(Self.escape(row.symbol))\(late)</td>"
        out += "<td data-field=\"price\">\(Self.escape(row.last ?? dash))</td>"
        out += "<td data-field=\"change\">\(Self.escape(row.change ?? dash))</td>"
        out += "<td data-field=\"pct\">\(Self.escape(row.changePercent ?? dash))</td>"
        out += "<td data-field=\"size\">\(row.size.map(String.init) ?? dash)</td>"
        out += "<td data-field=\"time\">\(Self.escape(row.time ?? dash))</td></tr>\n"
    }

    /// "delayed 15 min", "delayed 2 s", "delayed 2 h": as the dashboard says it (Public/board/format.js).
    public static func delayText(_ seconds: Int) -> String {
        let s = max(0, seconds)
        if s < 60 || s % 60 != 0 { return "delayed \(s) s" }
        if s < 7200 || s % 3600 != 0 { return "delayed \(s / 60) min" }
        return "delayed \(s / 3600) h"
    }

    /// A query value with everything but unreserved characters percent-encoded.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self)
            }
        }
        return out
    }

    /// Text safe inside HTML element content and double- or single-quoted attributes.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static let style = "body{font:15px system-ui,sans-serif;background:#0d1117;color:#e6edf3;margin:1.5em}"
        + "table{border-collapse:collapse}th,td{padding:.35em .9em;text-align:right}th{color:#8b949e;font-weight:500}"
        + "td.sym{text-align:left;font-weight:600}.delayed{color:#d29922;font-weight:400}tr.up td[data-field=change],tr.up td[data-field=pct]{color:#2ea043}"
        + "tr.down td[data-field=change],tr.down td[data-field=pct]{color:#f85149}a{color:#58a6ff}"
}
