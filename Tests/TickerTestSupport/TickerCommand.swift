import Foundation
import Postgres

/// The built `ticker` executable (beside the test bundle in `.build/debug`),
/// run as a user runs it.
public enum TickerCommand {
    public static var path: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("ticker").path
    }

    /// An environment that reaches no database by accident: an empty home
    /// folder and a URL nothing listens on, plus `extra`.
    public static func isolatedEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["TICKER_HOME"] = NSTemporaryDirectory() + "ticker-no-home-\(getpid())"
        env["DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"
        env.removeValue(forKey: "PORT")
        return env.merging(extra) { _, new in new }
    }

    /// Runs `ticker arguments...` to its end: exit status (128 + signal when
    /// killed by one) and everything it printed, stdout and stderr together.
    public static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        try Shell.runStatus([path] + arguments, environment: environment)
    }
}
