/// A decimal number held exactly, as a whole count of 10^-scale units.
///
/// Prices are PostgreSQL `numeric` text; the change columns of the board and
/// the ticker image are computed from that text without a binary float, so
/// `189.23 - 188.1` is `1.13`, never `1.1299999999999955`. Arithmetic that
/// would overflow 64 bits gives nil, and the caller shows no change rather
/// than a wrong one.
public struct ExactDecimal: Sendable, Equatable {
    /// The value times 10^scale.
    public let units: Int64
    /// Digits after the decimal point.
    public let scale: Int

    public init(units: Int64, scale: Int) {
        self.units = units
        self.scale = scale
    }

    /// Parses plain decimal text: `-12.340`, `7`, `+0.5`, `.5`. Nil for exponents,
    /// `NaN`, empty text or more than 18 digits.
    public init?(_ text: some StringProtocol) {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var units: Int64 = 0, scale = 0, digits = 0, seenPoint = false
        for b in bytes {
            if b == UInt8(ascii: "."), !seenPoint { seenPoint = true; continue }
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9"), digits < 18 else { return nil }
            units = units * 10 + Int64(b - UInt8(ascii: "0"))
            digits += 1
            if seenPoint { scale += 1 }
        }
        guard digits > 0 else { return nil }
        self.init(units: negative ? -units : units, scale: scale)
    }

    /// -1, 0 or 1.
    public var signum: Int { units > 0 ? 1 : units < 0 ? -1 : 0 }

    /// The same value with `scale` digits after the point: exact when widening,
    /// rounded half away from zero when narrowing; nil on overflow.
    public func rescaled(to scale: Int) -> ExactDecimal? {
        if scale == self.scale { return self }
        if scale > self.scale {
            guard let f = Self.power(scale - self.scale) else { return nil }
            let (v, overflow) = units.multipliedReportingOverflow(by: f)
            return overflow ? nil : ExactDecimal(units: v, scale: scale)
        }
        guard let f = Self.power(self.scale - scale) else { return ExactDecimal(units: 0, scale: scale) }
        return ExactDecimal(units: Self.divideRounded(units, by: f), scale: scale)
    }

    /// `self - other` at the larger of the two scales; nil on overflow.
    public func minus(_ other: ExactDecimal) -> ExactDecimal? {
        let s = max(scale, other.scale)
        guard let a = rescaled(to: s), let b = other.rescaled(to: s) else { return nil }
        let (v, overflow) = a.units.subtractingReportingOverflow(b.units)
        return overflow ? nil : ExactDecimal(units: v, scale: s)
    }

    /// `self / reference × 100` with two decimals, rounded half away from zero;
    /// nil when the reference is zero or on overflow.
    public func percent(of reference: ExactDecimal) -> ExactDecimal? {
        let s = max(scale, reference.scale)
        guard let a = rescaled(to: s), let r = reference.rescaled(to: s), r.units != 0 else { return nil }
        let (scaled, overflow) = a.units.multipliedReportingOverflow(by: 10_000)
        guard !overflow else { return nil }
        return ExactDecimal(units: Self.divideRounded(scaled, by: r.units), scale: 2)
    }

    /// The text with exactly `scale` decimals; `signed` puts `+` before a positive value.
    public func text(signed: Bool = false) -> String {
        let magnitude = String(units.magnitude)
        let padded = String(repeating: "0", count: max(0, scale + 1 - magnitude.count)) + magnitude
        let whole = padded.dropLast(scale)
        let body = scale > 0 ? "\(whole).\(padded.suffix(scale))" : String(whole)
        return (units < 0 ? "-" : signed && units > 0 ? "+" : "") + body
    }

    static func power(_ n: Int) -> Int64? {
        guard n <= 18 else { return nil }
        var p: Int64 = 1
        for _ in 0..<n { p *= 10 }
        return p
    }

    /// `a / b` rounded half away from zero.
    static func divideRounded(_ a: Int64, by b: Int64) -> Int64 {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        guard r != 0, r.magnitude >= b.magnitude - r.magnitude else { return q }
        return (a < 0) != (b < 0) ? q - 1 : q + 1
    }
}
