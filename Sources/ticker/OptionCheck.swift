import ArgumentParser

/// Range checks for every numeric option, with one message shape, run in
/// `validate()` so a bad value stops the command before it touches anything:
/// a port past 65535 once reached `UInt16(_:)` and crashed `ticker up`.
enum OptionCheck {
    /// `--port` and friends: a whole number in `range`.
    static func whole(_ value: Int, _ name: String, _ range: ClosedRange<Int>, _ unit: String = "") throws {
        guard range.contains(value) else {
            throw ValidationError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)\(unit.isEmpty ? "" : " " + unit), not \(value)")
        }
    }

    /// `--rate` and friends: a finite number in `range` (NaN and infinity are not).
    static func number(_ value: Double, _ name: String, _ range: ClosedRange<Double>, _ unit: String) throws {
        guard range.contains(value) else {
            throw ValidationError("\(name) must be a number from \(show(range.lowerBound)) to \(show(range.upperBound)) \(unit), not \(show(value))")
        }
    }

    static func show(_ v: Double) -> String {
        v.isFinite && v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }

    static let port = 0...65_535
    static let ticksPerSecond = 0.01...1_000_000.0
    /// A year: longer runs are better stopped with Ctrl-C.
    static let seconds = 0.01...31_536_000.0
}
