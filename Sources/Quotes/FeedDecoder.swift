/// Turns one line of a feed file into a `FeedRow`, or says why it cannot.
public protocol FeedDecoder {
    /// Decodes one line (without its line break).
    mutating func decode(_ line: ArraySlice<UInt8>) -> Result<FeedRow, FeedDecodeError>
}

/// Why a line is not a row; `message` is the reason a user sees after `line N:`.
public struct FeedDecodeError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
