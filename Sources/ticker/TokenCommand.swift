import ArgumentParser
import Comet
import Foundation

/// `ticker token`: mints an HS256 token for trying out (or scripting)
/// a server run with `--auth-key-file`.
struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print an HS256 token for a server run with --auth-key-file (the same secret file).",
        discussion: """
            Symbol patterns are exact (AAPL) or end in * (NV*, *). A symbol in --realtime is served \
            live; one only in --delayed is served --delay late; any other is refused. RS256/ES256 \
            tokens are signed with a private key by your own JWT library.
            """)

    @Option(name: .customLong("key-file"), help: "The secret file given to ticker serve --auth-key-file.") var keyFile: String
    @Option(help: "Symbol patterns served live, comma-separated.") var realtime = ""
    @Option(help: "Symbol patterns served delayed, comma-separated.") var delayed = ""
    @Option(help: "Lifetime: 30s, 15m, 1h, plain seconds; 0 for a token without exp (never expires).") var expires = "1h"

    func validate() throws {
        guard let lifetime = DelayDuration.seconds(expires), lifetime <= 366 * 86_400 else {
            throw ValidationError("--expires '\(expires)' is not a lifetime like 30s, 15m, 1h or seconds (at most a year)")
        }
        guard !(patterns(realtime) + patterns(delayed)).isEmpty else {
            throw ValidationError("--realtime or --delayed must grant at least one symbol pattern, e.g. --realtime AAPL --delayed '*'")
        }
        for p in patterns(realtime) + patterns(delayed) where !Self.isPattern(p) {
            throw ValidationError("'\(p)' is not a symbol pattern (A-Z, 0-9, . - = ^ / _, optionally ending in *)")
        }
    }

    func run() throws {
        let lifetime = DelayDuration.seconds(expires).flatMap { $0 > 0 ? $0 : nil }
        do {
            say(try TokenIssuer.hs256(keyFile: keyFile, realtime: patterns(realtime), delayed: patterns(delayed), lifetime: lifetime))
        } catch { die(error.description) }
    }

    private func patterns(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }
    }

    static func isPattern(_ p: String) -> Bool {
        let body = p.hasSuffix("*") ? p.dropLast() : Substring(p)
        return body.count <= 20 && body.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || ".-=^/_".utf8.contains($0) }
    }
}
