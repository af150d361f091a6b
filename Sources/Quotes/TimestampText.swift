/// Timestamps in the forms real files carry, turned into the one form the
/// database is given: ISO 8601 with an explicit offset.
///
/// - A date alone (`2026-11-25`, as in daily exports) means midnight UTC of
///   that day: `2026-11-25T00:00:00Z`, whatever the database session's zone.
/// - Epoch seconds (`1764028800`, `1764028800.25`) and milliseconds
///   (`1764028800250`), chosen with `--ts-format`, are UTC by definition.
public enum TimestampText {
    /// The formats `--ts-format` names.
    public enum Format: String, Sendable, CaseIterable {
        case iso
        case epochSeconds = "epoch-s"
        case epochMilliseconds = "epoch-ms"
    }

    /// `YYYY-MM-DD` becomes `YYYY-MM-DDT00:00:00Z`; anything else is returned as is.
    public static func expandingDate(_ b: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard b.count == 10, b[b.startIndex + 4] == UInt8(ascii: "-"), b[b.startIndex + 7] == UInt8(ascii: "-") else { return b }
        return (Array(b) + Array("T00:00:00Z".utf8))[...]
    }

    /// Epoch text in `format` as ISO 8601 UTC text, or a reason it is not one.
    public static func fromEpoch(_ b: ArraySlice<UInt8>, _ format: Format) -> Result<ArraySlice<UInt8>, FeedDecodeError> {
        let unit = format == .epochMilliseconds ? "milliseconds" : "seconds"
        let bad = FeedDecodeError("ts '\(FeedRow.show(b))' is not a whole number of \(unit) since 1970 (--ts-format \(format.rawValue))")
        var whole: Int64 = 0, fraction: [UInt8] = [], seenDot = false, digits = 0
        for c in b {
            if c == UInt8(ascii: ".") && !seenDot { seenDot = true; continue }
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return .failure(bad) }
            if seenDot { fraction.append(c) } else {
                digits += 1
                guard digits <= 16 else { return .failure(bad) }
                whole = whole * 10 + Int64(c - UInt8(ascii: "0"))
            }
        }
        guard digits > 0, !(seenDot && fraction.isEmpty) else { return .failure(bad) }
        // Microseconds since 1970.
        let scale: Int64 = format == .epochMilliseconds ? 1_000 : 1_000_000
        let fractionDigits = format == .epochMilliseconds ? 3 : 6
        guard fraction.count <= fractionDigits else {
            return .failure(FeedDecodeError("ts '\(FeedRow.show(b))' has more than \(fractionDigits) decimal places"))
        }
        var micros = whole * scale
        var f: Int64 = 0
        for k in 0..<fractionDigits { f = f * 10 + (k < fraction.count ? Int64(fraction[k] - UInt8(ascii: "0")) : 0) }
        micros += f
        guard micros < 253_402_300_800_000_000 else { return .failure(FeedDecodeError("ts '\(FeedRow.show(b))' is out of range")) }
        return .success(Array(iso(micros: micros).utf8)[...])
    }

    /// Microseconds since 1970 as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`.
    public static func iso(micros: Int64) -> String {
        let seconds = micros / 1_000_000, us = Int(micros % 1_000_000)
        let (y, m, d) = civil(days: Int(seconds / 86_400))
        let s = Int(seconds % 86_400)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var text = "\(y)-\(two(m))-\(two(d))T\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60))"
        if us > 0 { text += "." + String(String(us + 1_000_000).dropFirst()) }
        return text + "Z"
    }

    /// Microseconds since 1970 of a text `FieldSyntax.timestampProblem` accepts, or nil.
    public static func micros(_ s: ArraySlice<UInt8>) -> Int64? {
        guard FieldSyntax.timestampProblem(s) == nil else { return nil }
        let b = Array(expandingDate(s))
        func num(_ at: Int, _ n: Int) -> Int { b[at..<(at + n)].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } }
        let days = Int64(daysFromCivil(num(0, 4), num(5, 2), num(8, 2)))
        var micros = (days * 86_400 + Int64(num(11, 2) * 3600 + num(14, 2) * 60 + num(17, 2))) * 1_000_000
        var i = 19
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var f = 0, n = 0
            while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { f = f * 10 + Int(b[i] - 48); n += 1; i += 1 }
            for _ in n..<6 { f *= 10 }
            micros += Int64(f)
        }
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
            var offset = Int64(num(i + 1, 2)) * 3600
            var j = i + 3
            if j < b.count, b[j] == UInt8(ascii: ":") { j += 1 }
            if j + 2 <= b.count { offset += Int64(num(j, 2)) * 60 }
            micros -= sign * offset * 1_000_000
        }
        return micros
    }

    /// Days since 1970-01-01 as (year, month, day) (Howard Hinnant's algorithm).
    static func civil(days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
