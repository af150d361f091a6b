/// An error from libpq or PostgreSQL, carrying the server's own message and,
/// when the server gave one, its SQLSTATE code (e.g. `23514` for a CHECK).
public struct PGError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public let sqlState: String?

    public init(_ message: String, sqlState: String? = nil) {
        self.message = message.trimmingCharacters(in: .whitespacesAndNewlines)
        self.sqlState = sqlState
    }

    public var description: String { message }

    /// True for errors that mean the connection itself is gone.
    public var isConnectionLoss: Bool {
        guard let s = sqlState else { return true }
        return s.hasPrefix("08") || s == "57P01" || s == "57P02" || s == "57P03"
    }
}

import Foundation
