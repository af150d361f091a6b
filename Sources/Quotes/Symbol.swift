/// Ticker symbols: what the feed, the database CHECK and the HTTP routes accept.
///
/// Upper-case letters and digits, optionally with `.` `-` `=` `^` `/` `_`
/// (`BRK.B`, `BTC-USD`, `EURUSD=X`, `^GSPC`), at most 20 characters. The same
/// rule is written as a CHECK constraint in `Schema/001_ticks.sql`.
public enum Symbol {
    public static let maxLength = 20

    /// Returns the normalised (upper-cased) symbol, or a reason it is not one.
    public static func normalise(_ raw: some StringProtocol) -> Result<String, SymbolError> {
        let upper = raw.uppercased()
        guard !upper.isEmpty else { return .failure(.empty) }
        guard upper.utf8.count <= maxLength else { return .failure(.tooLong(String(raw.prefix(40)))) }
        var first = true
        for byte in upper.utf8 {
            if !isAllowed(byte, first: first) { return .failure(.badCharacter(String(raw.prefix(40)))) }
            first = false
        }
        return .success(upper)
    }

    /// Byte-level check used by the fast feed path (input must already be upper case).
    @inline(__always)
    public static func isAllowed(_ byte: UInt8, first: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "^"):
            return true
        case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "="), UInt8(ascii: "/"), UInt8(ascii: "_"):
            return !first
        default:
            return false
        }
    }

    /// Why a text is not a symbol; `description` is the one line a user sees.
    public enum SymbolError: Error, Equatable, CustomStringConvertible {
        case empty
        case tooLong(String)
        case badCharacter(String)

        public var description: String {
            switch self {
            case .empty: return "empty symbol"
            case .tooLong(let s): return "symbol '\(s)' is longer than \(Symbol.maxLength) characters"
            case .badCharacter(let s):
                return "symbol '\(s)' may only contain A-Z, 0-9 and . - = ^ / _ (and must start with a letter, digit or ^)"
            }
        }
    }
}
