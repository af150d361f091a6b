import ArgumentParser
import Foundation
import Logging

/// `ticker`: the one executable of CometTicker.
@main
struct Ticker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "CometTicker: live stock quotes pushed from PostgreSQL to browsers.",
        discussion: """
            With no DATABASE_URL, commands use a private PostgreSQL cluster kept under \
            TICKER_HOME (default .ticker/ in the current folder).
            """,
        subcommands: [Up.self, Serve.self, Feed.self, DB.self, Bench.self, Token.self])

    /// As ArgumentParser's, except that a usage error is one line
    /// (`ticker: --port must be ... (see 'ticker up --help')`, exit 64)
    /// rather than the message followed by the whole usage text.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
            let known: Set = ["up", "serve", "feed", "db", "bench", "token", "start", "stop", "url", "migrate", "psql", "status"]
            let path = (["ticker"] + CommandLine.arguments.dropFirst().prefix { known.contains($0) }).joined(separator: " ")
            FileHandle.standardError.write(Data("ticker: \(message) (see '\(path) --help')\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
    }
}

/// Options every command that talks to PostgreSQL shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "libpq URL of the database (default: $DATABASE_URL, else the local cluster).")
    var databaseURL: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info"

    func logger(_ label: String) throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
            throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}

/// Prints one line to stderr and exits with `code`: how every command reports a failure.
func die(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("ticker: \(message)\n".utf8))
    exit(code)
}

/// Prints a line at once (unbuffered), so it interleaves in order with the log
/// even when standard output is a pipe.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func parseSymbols(_ raw: String?) throws -> [String] {
    guard let raw else { return [] }
    return try raw.split(separator: ",").map { part in
        let s = part.trimmingCharacters(in: .whitespaces).uppercased()
        guard !s.isEmpty, s.count <= 20, s.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || ".-=^/_".utf8.contains($0) }) else {
            throw ValidationError("--symbols: '\(part)' is not a ticker symbol (A-Z, 0-9, . - = ^ / _)")
        }
        return s
    }
}
