import ArgumentParser
import Comet
import LoadGenerator
import Platform
import Foundation
import Glibc
import Postgres

/// `ticker bench`: drives a running server as users do and measures it.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load a running server: N streaming subscribers over K symbols, a feed at R ticks/s through PostgreSQL.",
        discussion: """
            Reports connections held and time to open them; ticks expected, received, lost and \
            duplicated; latency from the feed's INSERT commit to receipt (p50/p99/p99.9/max), split per \
            tick into commit to its first receipt (NOTIFY, the server's read, one write) and first to last \
            receipt (the fan-out); deliveries/s; and, with --server-pid, the server's CPU per delivery and RSS per connection. \
            One bench process holds up to about 19,000 connections (the open-file limit).
            """)

    @Option(help: "Server address.") var host = "127.0.0.1"
    @Option(help: "Server port.") var port = 8080
    @Option(help: "Streaming subscribers.") var subscribers = 1000
    @Option(help: "Symbols the subscribers are spread over.") var symbols = 10
    @Option(name: .customLong("symbols-per-subscriber"), help: "Symbols each subscriber watches (the dashboard pattern: 20 of 200); subscriber i takes symbols i, i+1, ... (mod --symbols).")
    var symbolsPerSubscriber = 1
    @Option(help: "Instead of a feed at --rate: one statement of N ticks over all symbols; the report's latency_max_ms is when the last subscriber had them all.")
    var burst = 0
    @Option(help: "Ticks per second, all symbols together.") var rate: Double = 100
    @Option(help: "Seconds of feed.") var duration: Double = 10
    @Option(name: .customLong("server-pid"), help: "Server process id(s) to read CPU and RSS from /proc, with their child processes (a `ticker serve`'s workers); repeatable.")
    var serverPIDs: [Int32] = []
    @Option(help: "Local source addresses, comma-separated (more than one past ~28,000 connections).") var sources = "127.0.0.1"
    @Option(help: "CometTicker's transport for the subscribers: sse (/stream), ws (/ws), longpoll (/poll?wait=) or bayeux (Bayeux long-polling at /cometd).")
    var transport = "sse"
    @Option(help: "A token for a server run with --auth-key-file, sent as ?token= by every subscriber (sse, ws, longpoll).")
    var token: String?
    @Option(help: "Bench processes the subscribers are spread over (each holds up to about 19,000 connections and has its own loop thread).")
    var processes = 1
    @Option(help: .hidden) var part: String?
    @Option(name: .customLong("part-output"), help: .hidden) var partOutput: String?
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Option(help: "The server under test: comet (ticks go in through PostgreSQL), or nchan (published by HTTP POST to /pub/SYMBOL, subscribed at /sub/SYMBOL).")
    var against: String = "comet"
    @Option(help: "Seconds without a delivery that end the run after the feed (default 2; 10 with --burst, where a server may write nothing for seconds while it takes in a huge batch).")
    var quiet: Double?
    @OptionGroup var db: DatabaseOptions

    /// The quiet period in force.
    var quietSeconds: Double { quiet ?? (burst > 0 ? 10 : 2) }

    func validate() throws {
        try OptionCheck.whole(port, "--port", 1...65_535)
        try OptionCheck.whole(processes, "--processes", 1...64)
        try OptionCheck.whole(subscribers, "--subscribers", 1...(19_000 * processes), "(at most 19,000 per bench process; see --processes)")
        try OptionCheck.whole(symbols, "--symbols", 1...1000)
        try OptionCheck.whole(symbolsPerSubscriber, "--symbols-per-subscriber", 1...symbols, "(at most --symbols)")
        try OptionCheck.whole(burst, "--burst", 0...1_000_000, "ticks (0: a feed at --rate)")
        try OptionCheck.number(rate, "--rate", OptionCheck.ticksPerSecond, "ticks per second")
        try OptionCheck.number(duration, "--duration", 0.01...86_400, "seconds")
        if let quiet { try OptionCheck.number(quiet, "--quiet", 0.1...600, "seconds") }
        for pid in serverPIDs { try OptionCheck.whole(Int(pid), "--server-pid", 1...4_194_304) }
    }

    func run() throws {
        guard let kind = BenchSubscribers.Target(rawValue: against) else { die("--against must be comet or nchan") }
        guard let mode = BenchSubscribers.Transport(rawValue: transport) else {
            die("--transport must be sse, ws, longpoll or bayeux, not \(transport)")
        }
        if kind == .nchan, mode == .longpoll || mode == .bayeux { die("--transport \(transport) is CometTicker's own; against nchan use sse or ws") }
        let names = (0..<symbols).map { String(format: "BENCH%03d", $0) }
        /// The symbols subscriber `i` watches.
        func watched(_ i: Int) -> [Int] { (0..<symbolsPerSubscriber).map { (i + $0) % names.count } }
        let paths = (0..<subscribers).map { i -> String in
            let list = watched(i).map { names[$0] }
            if kind == .nchan { return symbolsPerSubscriber == 1 ? "/sub/\(list[0])" : "/multi?chans=\(list.joined(separator: ","))" }
            let auth = token.map { "&token=\($0)" } ?? ""
            switch mode {
            case .sse: return "/stream?symbols=\(list.joined(separator: ","))\(auth)"
            case .ws: return "/ws?symbols=\(list.joined(separator: ","))\(auth)"
            case .longpoll: return "/poll?symbols=\(list.joined(separator: ","))\(auth)"
            case .bayeux: return "/cometd?channels=" + list.map { "/quotes/\($0)" }.joined(separator: ",")
            }
        }
        let sourceList = sources.split(separator: ",").map(String.init)
        if let part { return runPart(part, paths: paths, sources: sourceList, load: BenchSubscribers(target: kind, transport: mode)) }
        var feed: PGConnection?
        var cleanup: BenchCleanup?
        if kind == .comet {
            do {
                let target = try DatabaseTarget.resolve(url: db.databaseURL)
                feed = try PGConnection(target.feedURL)
                cleanup = BenchCleanup(url: target.adminURL, symbols: names)
                cleanup?.run() // what an interrupted earlier run left
            } catch { die("\(error)") }
        }
        defer { cleanup?.run() }
        var nextID: Int64 = 0

        let before = ServerSample(pids: serverPIDs)
        let load: BenchLoad = processes == 1 ? BenchSubscribers(target: kind, transport: mode)
            : BenchProcesses(count: processes) { [self] p in childArguments(part: p) }
        let openSeconds = load.open(host: host, port: port, paths: paths, sources: sourceList, timeout: 60)
        guard load.opened > 0 else { die("no subscriber could open a stream at \(host):\(port) (\(load.failed) failed)") }
        Thread.sleep(forTimeInterval: 1)
        let connected = ServerSample(pids: serverPIDs)

        // The feed: one statement per 10 ms slot; commit time taken when the statement returns.
        // Tick n goes to symbol n × stride (mod the count): every symbol in turn, but
        // consecutive ticks far apart, as in a market; in plain order one statement's
        // ticks would all fall in a dashboard subscriber's run of neighbouring symbols
        // and reach it as one write, flattering the server.
        let stride = Self.feedStride(names.count)
        var commits: [Int64: (Double, Int)] = [:]
        let start = MonotonicClock.now()
        var sent = 0
        if burst > 0, let feed {
            do {
                let r = try feed.exec("INSERT INTO ticks (symbol, price, size) SELECT ($1::text[])[1 + (g::bigint * $4::int) % $2::int], 100, 1 FROM generate_series(0, $3::int - 1) g RETURNING id, symbol",
                                      [TickSQL.arrayLiteral(names), String(names.count), String(burst), String(stride)])
                let at = MonotonicClock.now()
                for i in 0..<r.rowCount { commits[r.int64(i, 0)!] = (at, names.firstIndex(of: r.string(i, 1)!)!) }
                sent = burst
            } catch { die("feed failed: \(error)") }
        }
        while burst == 0, MonotonicClock.now() - start < duration {
            let due = Int(rate * (MonotonicClock.now() - start)) - sent
            if due > 0 {
                let batch = (0..<due).map { (sent + $0) * stride % names.count }
                if let feed {
                    do {
                        let r = try feed.exec("INSERT INTO ticks (symbol, price, size) SELECT s, 100, 1 FROM unnest($1::text[]) s RETURNING id, symbol",
                                              [TickSQL.arrayLiteral(batch.map { names[$0] })])
                        let at = MonotonicClock.now()
                        for i in 0..<r.rowCount { commits[r.int64(i, 0)!] = (at, names.firstIndex(of: r.string(i, 1)!)!) }
                    } catch { die("feed failed: \(error)") }
                } else {
                    // nchan answers a POST after its fan-out: one at a time, the feed
                    // could not keep up with --rate, so the slot's ticks go in parallel.
                    let first = nextID + 1
                    nextID += Int64(batch.count)
                    let published = Self.publishAll(batch.enumerated().map { (first + Int64($0.offset), names[$0.element]) }, host: host, port: port)
                    for (i, s) in batch.enumerated() {
                        guard let at = published[i] else { die("publishing to nchan failed") }
                        commits[first + Int64(i)] = (at, s)
                    }
                }
                sent += due
            }
            usleep(10_000)
        }
        let feedSeconds = MonotonicClock.now() - start
        load.settle(quiet: quietSeconds)
        let after = ServerSample(pids: serverPIDs)
        let deliveries = load.stop()

        // Per subscriber: expected ids are its symbol's; count each id once.
        var perSubscriber = [Set<Int64>](repeating: [], count: subscribers)
        var latencies: [Double] = []
        latencies.reserveCapacity(deliveries.count)
        var duplicates = 0
        for d in deliveries where commits[d.id] != nil {
            if !perSubscriber[Int(d.subscriber)].insert(d.id).inserted { duplicates += 1 }
            latencies.append(max(0, d.at - commits[d.id]!.0))
        }
        var perSymbol = [Int](repeating: 0, count: names.count)
        for (_, v) in commits { perSymbol[v.1] += 1 }
        let expected = load.openedIndexes.reduce(0) { total, i in watched(i).reduce(total) { $0 + perSymbol[$1] } }
        let received = perSubscriber.reduce(0) { $0 + $1.count }
        latencies.sort()
        // Where the time goes, per tick: commit to its first receipt, and first to last receipt.
        var firstAndLast: [Int64: (first: Double, last: Double)] = [:]
        for d in deliveries where commits[d.id] != nil {
            let seen = firstAndLast[d.id] ?? (d.at, d.at)
            firstAndLast[d.id] = (min(seen.first, d.at), max(seen.last, d.at))
        }
        let firsts = firstAndLast.map { max(0, $0.value.first - commits[$0.key]!.0) }.sorted()
        let spreads = firstAndLast.map { $0.value.last - $0.value.first }.sorted()
        /// Percentile `p` of sorted seconds, in milliseconds.
        func pct(_ p: Double, of sorted: [Double]) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000
        }
        func pct(_ p: Double) -> Double { pct(p, of: latencies) }
        let cpu = after.cpuSeconds - connected.cpuSeconds
        let report: [(String, String)] = [
            ("subscribers", "\(load.openedIndexes.count) of \(subscribers) (\(load.failed) failed)"),
            ("open_seconds", String(format: "%.2f", openSeconds)),
            ("closed_by_server", "\(load.closed)"),
            ("symbols", "\(symbols)"),
            ("ticks_inserted", "\(commits.count) in \(String(format: "%.1f", feedSeconds)) s"),
            ("expected", "\(expected)"), ("received", "\(received)"),
            ("lost", "\(expected - received)"), ("duplicated", "\(duplicates)"),
            ("latency_p50_ms", String(format: "%.2f", pct(0.5))), ("latency_p99_ms", String(format: "%.2f", pct(0.99))),
            ("latency_p999_ms", String(format: "%.2f", pct(0.999))), ("latency_max_ms", String(format: "%.2f", (latencies.last ?? 0) * 1000)),
            ("first_receipt_p50_ms", String(format: "%.2f", pct(0.5, of: firsts))), ("first_receipt_p99_ms", String(format: "%.2f", pct(0.99, of: firsts))),
            ("fanout_spread_p50_ms", String(format: "%.2f", pct(0.5, of: spreads))), ("fanout_spread_p99_ms", String(format: "%.2f", pct(0.99, of: spreads))),
            ("deliveries_per_s", String(format: "%.0f", Double(received) / feedSeconds)),
            ("server_cpu_us_per_delivery", serverPIDs.isEmpty ? "n/a" : String(format: "%.2f", cpu / Double(max(received, 1)) * 1e6)),
            ("server_rss_kb_per_connection", serverPIDs.isEmpty ? "n/a" : String(format: "%.2f", Double(connected.rssKB - before.rssKB) / Double(max(load.openedIndexes.count, 1)))),
            ("server_rss_mb", serverPIDs.isEmpty ? "n/a" : String(format: "%.1f", Double(after.rssKB) / 1024)),
        ]
        if json {
            say("{" + report.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",") + "}")
        } else {
            for (k, v) in report { say(k.padding(toLength: 30, withPad: " ", startingAt: 0) + v) }
        }
        if expected != received || duplicates > 0 { throw ExitCode(1) }
    }
}

extension Bench {
    /// A step through `count` symbols that visits each once per round and puts
    /// neighbours in time far apart: the integer nearest 0.618 × count that
    /// shares no factor with it (the golden ratio spreads best).
    static func feedStride(_ count: Int) -> Int {
        guard count > 2 else { return 1 }
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let golden = Int((Double(count) * 0.618).rounded())
        for d in 0..<count {
            for c in [golden + d, golden - d] where c > 0 && c < count && gcd(c, count) == 1 { return c }
        }
        return 1
    }

    /// The command line of bench process `part` (of `--processes`): these options, its share.
    func childArguments(part: Int) -> [String] {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return [exe, "bench", "--host", host, "--port", String(port), "--subscribers", String(subscribers),
                "--symbols", String(symbols), "--symbols-per-subscriber", String(symbolsPerSubscriber),
                "--sources", sources, "--transport", transport, "--against", against, "--processes", String(processes),
                "--quiet", String(quietSeconds),
                "--part", "\(part)/\(processes)"] + (token.map { ["--token", $0] } ?? [])
    }

    /// One bench process of `--processes N`, as `BenchProcesses` drives it: open
    /// this part's subscribers, say `ready`, then on each SIGUSR1 settle (say
    /// `settled`), then write the deliveries to `--part-output` and exit.
    func runPart(_ part: String, paths: [String], sources: [String], load: BenchSubscribers) {
        let numbers = part.split(separator: "/").compactMap { Int($0) }
        guard numbers.count == 2, numbers[1] >= 1, (0..<numbers[1]).contains(numbers[0]), let partOutput else {
            die("--part must be P/N with 0 <= P < N, with --part-output")
        }
        // Blocked before any thread starts, so only sigwait below takes it.
        var usr1 = sigset_t()
        sigemptyset(&usr1)
        sigaddset(&usr1, SIGUSR1)
        pthread_sigmask(SIG_BLOCK, &usr1, nil)
        ParentDeath.follow()
        let share = BenchProcesses.share(numbers[0], of: numbers[1], total: paths.count)
        _ = load.open(host: host, port: port, paths: Array(paths[share]), firstIndex: share.lowerBound, sources: sources, timeout: 60)
        var signal: Int32 = 0
        say("ready \(load.opened) \(load.failed)")
        sigwait(&usr1, &signal)
        load.settle(quiet: quietSeconds)
        say("settled")
        sigwait(&usr1, &signal)
        let deliveries = load.stop()
        do {
            try BenchPartResult(openedIndexes: load.openedIndexes, failed: load.failed, closed: load.closed, deliveries: deliveries).write(to: partOutput)
        } catch { die("cannot write \(partOutput): \(error)") }
    }

    /// Publishes each (id, symbol) to nchan on up to 16 threads; the time each POST returned, nil for a failure.
    static func publishAll(_ ticks: [(Int64, String)], host: String, port: Int) -> [Double?] {
        final class Results: @unchecked Sendable { // written under `lock`, read after every thread ended
            let lock = NSLock()
            var at: [Double?]
            init(_ n: Int) { at = Array(repeating: nil, count: n) }
        }
        let results = Results(ticks.count)
        let threads = min(16, ticks.count)
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            for i in stride(from: worker, to: ticks.count, by: threads) {
                let (id, symbol) = ticks[i]
                let body = "{\"id\":\(id),\"symbol\":\"\(symbol)\",\"price\":\"100\",\"size\":1}"
                let ok = post(host: host, port: port, path: "/pub/\(symbol)", body: body)
                let now = MonotonicClock.now()
                results.lock.lock()
                results.at[i] = ok ? now : nil
                results.lock.unlock()
            }
        }
        return results.at
    }

    /// One blocking HTTP/1.0 POST (nchan's publisher endpoint); true on a 2xx.
    static func post(host: String, port: Int, path: String, body: String) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        guard IPv4Endpoint(host: host, port: port).connect(fd) else { return false }
        let request = "POST \(path) HTTP/1.0\r\nHost: \(host)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var buf = [UInt8](repeating: 0, count: 512)
        let n = recv(fd, &buf, buf.count, 0)
        guard n > 12 else { return false }
        return buf[9] == UInt8(ascii: "2")
    }
}
