import Testing
@testable import Quotes

/// Random and mutated inputs into every parser: nothing crashes, every refusal
/// is one printable line, and whatever is accepted is valid for the schema.
@Suite struct RandomInputTests {
    struct Rng {
        var s: UInt64
        mutating func next() -> UInt64 { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s }
        mutating func byte(from alphabet: [UInt8]) -> UInt8 { alphabet[Int(next() % UInt64(alphabet.count))] }
    }

    static let seeds = ["AAPL,189.23,100,2026-11-24T12:00:00Z", #"{"symbol":"MSFT","price":"415.20","size":5}"#,
                        "symbols=AAPL,MSFT&since=12&wait=5&callback=app.cb", "BRK.B,0.00000001,,2026-02-28 23:59:59.999999+05:30"]
    static let alphabet = Array("AZaz09.,-+:\"{}[]\\ /%&=<>;\u{0}\t\r".utf8) + [0xff, 0xc3, 0xa9, 0x80]

    func mutate(_ seed: String, _ rng: inout Rng) -> [UInt8] {
        var b = Array(seed.utf8)
        for _ in 0..<(1 + rng.next() % 4) {
            let i = b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count))
            switch rng.next() % 3 {
            case 0 where !b.isEmpty: b.remove(at: i)
            case 1: b.insert(rng.byte(from: Self.alphabet), at: i)
            default: if !b.isEmpty { b[i] = rng.byte(from: Self.alphabet) }
            }
        }
        return b
    }

    func isOneLine(_ s: String) -> Bool { !s.isEmpty && !s.contains("\n") && !s.contains("\r") }

    @Test func feedDecodersNeverCrashAndAcceptOnlyValidRows() throws {
        var rng = Rng(s: 0x9E3779B97F4A7C15)
        var csv = try CSVFeedDecoder(header: Array("symbol,price,size,ts".utf8)[...])
        var jsonl = JSONLinesFeedDecoder()
        var accepted = 0
        for n in 0..<50_000 {
            let line = mutate(Self.seeds[n % 2], &rng)[...]
            for result in [csv.decode(line), jsonl.decode(line)] {
                switch result {
                case .failure(let e): #expect(isOneLine(e.message), "\(e.message)")
                case .success(let row):
                    var batch = CopyBatch()
                    if let problem = batch.append(row, line: n) {
                        #expect(isOneLine(problem), "\(problem)")
                    } else {
                        accepted += 1
                        // What is accepted can go into COPY text as is.
                        let text = batch.withTime + batch.withoutTime
                        #expect(!text.dropLast().contains(UInt8(ascii: "\n")))
                        #expect(!text.contains(UInt8(ascii: "\\")) || String(decoding: text, as: UTF8.self).contains("\\N"))
                    }
                }
            }
        }
        #expect(accepted > 100) // the mutations also keep some rows valid
    }

    @Test func queryParsingNeverCrashesAndErrorsAreOneLine() {
        var rng = Rng(s: 42)
        for _ in 0..<50_000 {
            let q = String(decoding: mutate(Self.seeds[2], &rng), as: UTF8.self)
            do {
                let p = try QueryParameters(parsing: q)
                _ = try? RouteParameters.symbols(p.value("symbols"), max: 50)
                _ = try? RouteParameters.cursor(p.value("since"), name: "since")
                if let cb = try? RouteParameters.callback(p.value("callback")) {
                    #expect(cb.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "$" || $0 == "." })
                }
            } catch {
                #expect(isOneLine(error.message))
            }
        }
    }

    @Test func timestampsAcceptedAreOnesPostgreSQLReads() {
        var rng = Rng(s: 7)
        for _ in 0..<50_000 {
            let b = mutate("2026-02-28T23:59:59.123456+05:30", &rng)[...]
            if FieldSyntax.timestampProblem(b) == nil {
                let s = String(decoding: b, as: UTF8.self)
                #expect(s.utf8.count >= 19 && s.utf8.allSatisfy { $0 < 0x80 }, "\(s)")
            }
        }
    }
}
