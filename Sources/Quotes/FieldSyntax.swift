/// Byte-level checks of the feed's field syntax. They run once per field on the
/// ingest hot path, so they scan bytes instead of building strings.
public enum FieldSyntax {
    /// Largest number of digits before the decimal point a price may have.
    public static let maxIntegerDigits = 12
    /// Largest number of digits after the decimal point (the schema's `scale(price) <= 8`).
    public static let maxFractionDigits = 8

    /// Why a positive decimal is not acceptable, or nil when it is.
    public static func positiveDecimalProblem(_ b: ArraySlice<UInt8>) -> String? {
        if b.isEmpty { return "is empty" }
        var intDigits = 0, fracDigits = 0, seenDot = false, nonZero = false
        for c in b {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if c != UInt8(ascii: "0") { nonZero = true }
                if seenDot { fracDigits += 1 } else { intDigits += 1 }
            case UInt8(ascii: "."):
                if seenDot { return "is not a decimal number" }
                seenDot = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                return "uses an exponent; write it as a plain decimal"
            case UInt8(ascii: "-"):
                return "must be greater than zero"
            default:
                return "is not a decimal number"
            }
        }
        if intDigits == 0 && fracDigits == 0 { return "is not a decimal number" }
        if seenDot && fracDigits == 0 { return "is not a decimal number" }
        if intDigits > maxIntegerDigits { return "is too large (at most \(maxIntegerDigits) digits before the point)" }
        if fracDigits > maxFractionDigits { return "has more than \(maxFractionDigits) decimal places" }
        if !nonZero { return "must be greater than zero" }
        return nil
    }

    /// Why a non-negative integer (a size) is not acceptable, or nil.
    public static func sizeProblem(_ b: ArraySlice<UInt8>) -> String? {
        if b.isEmpty { return "is empty" }
        if b.count > 15 { return "is too large" }
        for c in b {
            if c == UInt8(ascii: "-") { return "must not be negative" }
            if c < UInt8(ascii: "0") || c > UInt8(ascii: "9") { return "is not a whole number" }
        }
        return nil
    }

    /// Why a text is not an ISO 8601 timestamp, or nil. Accepts
    /// `YYYY-MM-DD[T ]HH:MM:SS[.ffffff][Z|±HH:MM|±HHMM|±HH]`; with no offset the
    /// time is read as UTC (the ingest session runs with `TimeZone=UTC`).
    /// A date alone (`YYYY-MM-DD`) is midnight UTC (`TimestampText.expandingDate`).
    public static func timestampProblem(_ s: ArraySlice<UInt8>) -> String? {
        let b = Array(TimestampText.expandingDate(s))
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for i in at..<(at + n) {
                let c = b[i]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                v = v * 10 + Int(c - UInt8(ascii: "0"))
            }
            return v
        }
        let bad = "is not an ISO 8601 time like 2026-11-24T12:00:00.123Z"
        guard b.count >= 19,
              let year = digits(0, 4), b[4] == UInt8(ascii: "-"),
              let month = digits(5, 2), b[7] == UInt8(ascii: "-"),
              let day = digits(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " ") || b[10] == UInt8(ascii: "t"),
              let hour = digits(11, 2), b[13] == UInt8(ascii: ":"),
              let minute = digits(14, 2), b[16] == UInt8(ascii: ":"),
              let second = digits(17, 2) else { return bad }
        guard year >= 1970, year <= 9999, (1...12).contains(month), hour < 24, minute < 60, second < 60 else {
            return "is out of range"
        }
        let monthDays = [31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day >= 1, day <= monthDays[month - 1] else { return "is out of range" }
        var i = 19
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { i += 1 }
            if i == start || i - start > 6 { return "has a bad fraction of a second (1 to 6 digits)" }
        }
        if i == b.count { return nil }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") { return i + 1 == b.count ? nil : bad }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return bad }
        i += 1
        guard let oh = digits(i, 2), oh <= 15 else { return bad }
        i += 2
        if i == b.count { return nil }
        if b[i] == UInt8(ascii: ":") { i += 1 }
        guard let om = digits(i, 2), om < 60, i + 2 == b.count else { return bad }
        return nil
    }

    /// Compares two valid positive decimals numerically, without floats.
    public static func compareDecimals(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
        func split(_ x: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>) {
            var x = x
            while x.count > 1, x.first == UInt8(ascii: "0"), x.dropFirst().first != UInt8(ascii: ".") { x = x.dropFirst() }
            if let dot = x.firstIndex(of: UInt8(ascii: ".")) { return (x[x.startIndex..<dot], x[(dot + 1)...]) }
            return (x, [])
        }
        let (ai, af) = split(a), (bi, bf) = split(b)
        if ai.count != bi.count { return ai.count < bi.count ? -1 : 1 }
        for (x, y) in zip(ai, bi) where x != y { return x < y ? -1 : 1 }
        let n = max(af.count, bf.count)
        for k in 0..<n {
            let x = k < af.count ? af[af.startIndex + k] : UInt8(ascii: "0")
            let y = k < bf.count ? bf[bf.startIndex + k] : UInt8(ascii: "0")
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }
}
