import Quotes
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Any JSON value a Bayeux client sends, kept exactly as typed so that the
/// message decoder can be strict (a `clientId` that is a number, or a
/// `subscription` that is an object, is refused, never coerced).
indirect enum BayeuxJSON: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    /// A whole number that fits in 64 bits (ids, cursors, sizes).
    case integer(Int64)
    /// Any other number, with its value only (prices travel as text: see `text`).
    case number(Double)
    case string(String)
    case array([BayeuxJSON])
    case object([String: BayeuxJSON])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        // Order matters: Foundation decodes `true` as no number and `1` as no
        // Bool, so each case only takes its own JSON type.
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int64.self) { self = .integer(i); return }
        if let d = try? c.decode(Double.self) { self = .number(d); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([BayeuxJSON].self) { self = .array(a); return }
        self = .object(try c.decode([String: BayeuxJSON].self))
    }

    /// Parses a whole request body or frame; nil when it is not JSON.
    static func parse(_ bytes: [UInt8]) -> BayeuxJSON? {
        try? JSONDecoder().decode(BayeuxJSON.self, from: Data(bytes))
    }

    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var integer: Int64? { if case .integer(let i) = self { return i } else { return nil } }
    var object: [String: BayeuxJSON]? { if case .object(let o) = self { return o } else { return nil } }

    /// A scalar's text for the feed's validation (`"189.23"` or `189.23`
    /// become the same price text); nil for anything else.
    var text: String? {
        switch self {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .number(let d): return String(d)
        default: return nil
        }
    }

    /// The value as JSON text again (for echoing a client's `id`).
    var json: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .number(let d): return String(d)
        case .string(let s): return JSON.string(s)
        case .array(let a): return "[" + a.map(\.json).joined(separator: ",") + "]"
        case .object(let o):
            return "{" + o.keys.sorted().map { JSON.string($0) + ":" + o[$0]!.json }.joined(separator: ",") + "}"
        }
    }
}
