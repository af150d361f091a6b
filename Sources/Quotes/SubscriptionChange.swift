#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A client's message on an open WebSocket: change the symbols it follows.
///
/// The only messages a client may send are `{"subscribe":["NVDA"]}` and
/// `{"unsubscribe":["NVDA"]}`. Parsing is strict (one known key, an array of
/// valid symbols, nothing else) because anything else is a client bug the
/// developer should see at once, as a close frame with a reason, rather than a
/// subscription that silently did nothing.
public enum SubscriptionChange: Equatable, Sendable {
    case subscribe([String])
    case unsubscribe([String])

    /// The normalised (upper-cased, de-duplicated) symbols.
    public var symbols: [String] {
        switch self {
        case .subscribe(let s), .unsubscribe(let s): return s
        }
    }

    /// Parses one text message.
    /// - Parameter maxSymbols: the most symbols one message may name (the
    ///   server's per-request limit).
    public static func parse(_ text: String, maxSymbols: Int = 50) -> Result<SubscriptionChange, Rejection> {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(text.utf8))
        } catch let rejection as Rejection {
            return .failure(rejection)
        } catch DecodingError.typeMismatch {
            return .failure(Rejection(Self.shape))
        } catch {
            return .failure(Rejection("message is not valid JSON; expected \(Self.shape)"))
        }
        guard envelope.entries.count == 1, let (key, raw) = envelope.entries.first else {
            return .failure(Rejection("send exactly one of 'subscribe' or 'unsubscribe' per message"))
        }
        guard !raw.isEmpty else { return .failure(Rejection("'\(key)' needs at least one symbol")) }
        guard raw.count <= maxSymbols else {
            return .failure(Rejection("too many symbols (\(raw.count)); at most \(maxSymbols) per message"))
        }
        var symbols: [String] = []
        for item in raw {
            switch Symbol.normalise(item) {
            case .success(let symbol): if !symbols.contains(symbol) { symbols.append(symbol) }
            case .failure(let error): return .failure(Rejection(error.description))
            }
        }
        return .success(key == "subscribe" ? .subscribe(symbols) : .unsubscribe(symbols))
    }

    static let shape = #"message must be {"subscribe":["SYMBOL",...]} or {"unsubscribe":["SYMBOL",...]}"#

    /// Why a client message was refused: the WebSocket close code (1008,
    /// policy violation) and the one-line reason sent in the close frame.
    public struct Rejection: Error, Equatable, Sendable, CustomStringConvertible {
        public let code: UInt16
        public let reason: String

        init(_ reason: String) {
            self.code = 1008
            self.reason = reason
        }

        public var description: String { "\(code): \(reason)" }
    }

    /// The top-level object with only the known keys, each an array of strings.
    private struct Envelope: Decodable {
        var entries: [(String, [String])] = []

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            for key in container.allKeys {
                guard key.stringValue == "subscribe" || key.stringValue == "unsubscribe" else {
                    throw Rejection("unknown key '\(key.stringValue.prefix(40))'; expected 'subscribe' or 'unsubscribe'")
                }
                do {
                    entries.append((key.stringValue, try container.decode([String].self, forKey: key)))
                } catch {
                    throw Rejection("'\(key.stringValue)' must be an array of symbol strings")
                }
            }
        }
    }

    private struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
}
