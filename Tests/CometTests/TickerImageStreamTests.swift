// (and add "Imaging" to the CometTests target's dependencies).
import Foundation
import Imaging
import Postgres
import Quotes
import Testing
import TickerTestSupport

/// The raw `/ticker.png` stream, read as bytes: frames decode, conflation
/// bounds their number, and viewers of one image share its renders.
@Suite(.serialized) struct TickerImageStreamTests {
    func frames(_ c: HTTPTestClient) -> [[UInt8]] {
        var reader = ImageStreamReader()
        reader.append(c.body)
        return reader.frames
    }

    func openImage(_ s: TestServer, _ query: String, frames n: Int = 2) throws -> HTTPTestClient {
        let c = try HTTPTestClient(port: s.port, path: "/ticker.png?\(query)")
        guard c.readUntil(timeout: 5, { _ in self.frames(c).count >= n }) else {
            throw TestError("no frames on /ticker.png?\(query): status \(c.status), \(c.body.count) bytes")
        }
        return c
    }

    /// Inserts the starting quotes and waits until the server has routed them,
    /// so the first frame already shows them (else a second render follows).
    func seed(_ s: TestServer, _ values: String, last symbol: String) throws {
        try s.insert("INSERT INTO ticks (symbol, price, size) VALUES \(values)")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if try HTTPTestClient.get(port: s.port, "/quotes?symbols=\(symbol)").body.contains("\"symbol\":\"\(symbol)\"") { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestError("the server never routed the seed ticks")
    }

    func metric(_ port: Int, _ name: String) throws -> Int {
        let body = try HTTPTestClient.get(port: port, "/metrics").body
        let line = body.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Int($0.split(separator: " ").last!) } ?? -1
    }

    @Test func framesDecodeAndConflationBoundsTheirCount() throws {
        let s = try TestServer(target: TestCluster.database())
        try seed(s, "('AAPL', 100.00, 10), ('MSFT', 200.00, 10)", last: "MSFT")
        let c = try openImage(s, "symbols=AAPL,MSFT")
        #expect(c.headers["content-type"] == "multipart/x-mixed-replace; boundary=\(ImageStreamFraming.boundary)")
        #expect(c.headers["cross-origin-resource-policy"] == "cross-origin")
        #expect(c.body.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a bare PNG first, for ORB")

        let started = Date()
        for i in 1...50 { try s.insert("INSERT INTO ticks (symbol, price, size) VALUES ('AAPL', $1, 10)", [String(format: "%.2f", 100 + Double(i) / 100)]) }
        c.read(for: 1.5)
        let seconds = Date().timeIntervalSince(started)
        let got = frames(c)
        let width = TickerStripModel(rows: [QuoteRow(symbol: "AAPL", last: "100.00"), QuoteRow(symbol: "MSFT", last: "200.00")]).width
        for f in got {
            let image = try #require(DecodedPNG(f), "every frame decodes")
            #expect(image.width == width && image.height == TickerStripModel.height)
        }
        // 2 opening frames; then at most 4 frames a second (+1 for the edges), far fewer than 50 ticks.
        let pushed = got.count - 2
        #expect(pushed >= 1)
        #expect(pushed <= Int((seconds * 4).rounded(.up)) + 1, "\(pushed) frames in \(seconds) s")
        #expect(got.last != got.first, "the last frame shows the new price")
    }

    @Test func aQuietImageGetsHeartbeatFramesWithoutRendering() throws {
        let s = try TestServer(target: TestCluster.database()) { $0.heartbeatSeconds = 1 }
        try seed(s, "('AAPL', 100.00, 10)", last: "AAPL")
        let c = try openImage(s, "symbols=AAPL")
        let renders = try metric(s.port, "ticker_image_renders_total")
        c.read(for: 3.5)
        let got = frames(c)
        #expect(got.count >= 4, "heartbeats keep the stream moving")
        #expect(Set(got).count == 1, "a heartbeat resends the same frame")
        #expect(try metric(s.port, "ticker_image_renders_total") == renders)
    }

    @Test func aThousandViewersCostOneRenderPerChange() throws {
        let s = try TestServer(target: TestCluster.database())
        try seed(s, "('AAPL', 100.00, 10)", last: "AAPL")
        var viewers: [HTTPTestClient] = []
        for _ in 0..<1000 { viewers.append(try HTTPTestClient(port: s.port, path: "/ticker.png?symbols=AAPL")) }
        for v in viewers { #expect(v.readUntil(timeout: 10, { _ in self.frames(v).count >= 2 })) }
        #expect(try metric(s.port, "ticker_image_viewers") == 1000)
        let before = try metric(s.port, "ticker_image_renders_total")
        #expect(before == 1, "the first viewer rendered; 999 joined the cached frame")

        try s.insert("INSERT INTO ticks (symbol, price, size) VALUES ('AAPL', 101.00, 10)")
        for v in viewers { #expect(v.readUntil(timeout: 10, { _ in self.frames(v).count >= 3 })) }
        #expect(try metric(s.port, "ticker_image_renders_total") - before == 1)
        let newest = frames(viewers[0]).last!
        #expect(viewers.allSatisfy { frames($0)[2] == newest }, "every viewer got the same shared frame")
    }

    @Test func badRequestsGetOneLineOfJSONAndOnceGivesOnePNG() throws {
        let s = try TestServer(target: TestCluster.database())
        try s.insert("INSERT INTO ticks (symbol, price, size) VALUES ('AAPL', 100.00, 10)")
        let bad = try HTTPTestClient.get(port: s.port, "/ticker.png?symbols=AAPL&once=yes")
        #expect(bad.status == 400 && bad.body.contains("{\"error\":\"'once' must be 1 or 0, not 'yes'\"}"))
        #expect(try HTTPTestClient.get(port: s.port, "/ticker.png").status == 400)
        let c = try HTTPTestClient(port: s.port, path: "/ticker.png?symbols=AAPL&once=1", headers: ["Connection": "close"])
        c.readUntil(timeout: 5) { _ in false }
        #expect(c.status == 200 && c.headers["content-type"] == "image/png")
        let image = try #require(DecodedPNG(c.body))
        #expect(image.height == TickerStripModel.height)
    }
}
