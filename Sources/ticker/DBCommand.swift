import ArgumentParser
import Foundation
import Postgres

/// `ticker db ...`: the local PostgreSQL cluster.
struct DB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Manage the local PostgreSQL cluster under TICKER_HOME.",
        subcommands: [Start.self, Stop.self, URLCommand.self, Migrate.self, PSQL.self, Status.self])

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create (first time), start and migrate the local database.")
        func run() throws {
            let cluster = LocalCluster.fromEnvironment()
            do {
                let started = try cluster.start()
                let applied = try Migrator(directory: ResourceLocator.schema()).migrate(PGConnection(cluster.url()!))
                print(started ? "started PostgreSQL on 127.0.0.1:\(cluster.port!) (data in \(cluster.dataDirectory.path))"
                              : "PostgreSQL already running on 127.0.0.1:\(cluster.port!)")
                if !applied.isEmpty { print("applied migrations: \(applied.joined(separator: ", "))") }
            } catch { die("\(error)") }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the local database.")
        @Flag(help: "Stop at once, as a crash would (for fault tests).") var immediate = false
        func run() throws {
            do { try LocalCluster.fromEnvironment().stop(mode: immediate ? "immediate" : "fast") } catch { die("\(error)") }
        }
    }

    struct URLCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "url", abstract: "Print a libpq URL of the local database: psql \"$(ticker db url)\".")
        @Option(help: "Role: postgres (owner), ticker_feed (insert) or ticker_server (read, LISTEN).") var role = "postgres"
        func run() throws {
            guard ["postgres", "ticker_feed", "ticker_server"].contains(role) else {
                die("--role must be postgres, ticker_feed or ticker_server")
            }
            guard let url = LocalCluster.fromEnvironment().url(user: role) else {
                die("no local database yet; run 'ticker db start' first")
            }
            print(url)
        }
    }

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply Schema/ migrations (to DATABASE_URL, or the local database).")
        @OptionGroup var db: DatabaseOptions
        func run() throws {
            do {
                // A stopped local database stays stopped: resolve says how to start it.
                let url = try DatabaseTarget.resolve(url: db.databaseURL, local: .requireRunning, migrate: false).adminURL
                let applied = try Migrator(directory: ResourceLocator.schema()).migrate(PGConnection(url))
                print(applied.isEmpty ? "schema is up to date" : "applied: \(applied.joined(separator: ", "))")
            } catch { die("\(error)") }
        }
    }

    struct PSQL: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "psql", abstract: "Open psql on the local database (extra arguments go to psql).")
        @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
        func run() throws {
            guard let url = LocalCluster.fromEnvironment().url() else { die("no local database yet; run 'ticker db start' first") }
            let args = ["psql", url] + arguments
            let cargs = args.map { strdup($0) } + [nil]
            execvp("psql", cargs)
            die("cannot run psql: \(String(cString: strerror(errno))); install postgresql-client")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the local database runs, and where it looked for it.")
        func run() throws {
            let home = ClusterHome.locate()
            let c = LocalCluster(home: home.url)
            print("home: \(home.url.path) (\(home.reason))")
            if c.isRunning() { print("running on 127.0.0.1:\(c.port ?? 0), data in \(c.dataDirectory.path)") } else {
                print(c.isInitialized ? "stopped (data in \(c.dataDirectory.path)); 'ticker db start' starts it"
                                      : "not created yet; 'ticker db start' creates it")
                throw ExitCode(3)
            }
        }
    }
}
