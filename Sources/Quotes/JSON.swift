/// Minimal JSON text helpers: the wire format is small and fixed, so the
/// encoders write it directly instead of going through `Codable` per tick.
public enum JSON {
    /// Appends `value` as a JSON string literal, escaping quotes, backslashes,
    /// control characters, and `<`, `>`, `&`, U+2028/U+2029 so that the text is
    /// also safe inside an HTML `<script>` block.
    public static func appendString(_ value: String, to out: inout String) {
        out.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append("\"")
    }

    /// `value` as a JSON string literal.
    public static func string(_ value: String) -> String {
        var out = ""
        appendString(value, to: &out)
        return out
    }

    /// A one-line error body: `{"error":"..."}`.
    public static func error(_ message: String) -> String {
        "{\"error\":\(string(message))}"
    }
}
