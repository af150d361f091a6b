/// Writes one JSON object field by field: the one encoder of the protocol's
/// control events and response bodies. Hand-rolled rather than `Codable`
/// because bodies embed tick JSON that is already rendered once per tick.
public struct JSONWriter {
    private var text = "{"
    private var empty = true

    public init() {}

    private mutating func key(_ k: String) {
        if !empty { text += "," }
        empty = false
        JSON.appendString(k, to: &text)
        text += ":"
    }

    public mutating func field(_ k: String, _ value: Int64) { key(k); text += String(value) }
    public mutating func field(_ k: String, _ value: Int) { key(k); text += String(value) }
    public mutating func field(_ k: String, _ value: Bool) { key(k); text += value ? "true" : "false" }
    public mutating func field(_ k: String, _ value: String) { key(k); JSON.appendString(value, to: &text) }

    public mutating func field(_ k: String, strings: [String]) {
        key(k)
        text += "["
        for (i, s) in strings.enumerated() {
            if i > 0 { text += "," }
            JSON.appendString(s, to: &text)
        }
        text += "]"
    }

    /// An array of values that are JSON text already (rendered ticks).
    public mutating func field(_ k: String, rawArray: some Sequence<[UInt8]>) {
        key(k)
        text += "["
        var first = true
        for r in rawArray {
            if !first { text += "," }
            first = false
            text += String(decoding: r, as: UTF8.self)
        }
        text += "]"
    }

    /// A value that is JSON text already.
    public mutating func field(_ k: String, raw: String) { key(k); text += raw }

    /// The object's text.
    public var json: String { text + "}" }
}
