import Testing
import Quotes
@testable import Imaging

@Suite struct TickerStripTests {
    let up = QuoteRow(symbol: "AAPL", latest: Tick(id: 1, symbol: "AAPL", price: "189.23", ts: "2026-11-24T12:00:00Z"), reference: "188.10")
    let down = QuoteRow(symbol: "MSFT", latest: Tick(id: 2, symbol: "MSFT", price: "401.5", ts: "2026-11-24T12:00:00Z"), reference: "402")
    let none = QuoteRow(symbol: "NEW")

    @Test func theStripIsSizedByTheNumberOfSymbols() {
        let one = TickerStripModel(rows: [up])
        let three = TickerStripModel(rows: [up, down, none])
        #expect(one.height == 24 && three.height == 24)
        #expect(three.width == 3 * (one.width + 1) - 1)
        #expect(three.rules.count == 2)
    }

    @Test func theLayoutShowsTheNumbersInTheirColours() {
        let m = TickerStripModel(rows: [up, down, none])
        #expect(m.texts.map(\.string) == ["AAPL", "189.23", "+1.13 +0.60%", "MSFT", "401.5", "-0.50 -0.12%", "NEW", "-"])
        #expect(m.texts.first { $0.string == "+1.13 +0.60%" }?.colour == .up)
        #expect(m.texts.first { $0.string == "-0.50 -0.12%" }?.colour == .down)
        #expect(m.arrows.map(\.up) == [true, false], "no arrow before the first tick")
        for t in m.texts {
            #expect(t.x >= 0 && t.x + t.string.count * t.font.glyphWidth <= m.width, "\(t.string) fits")
        }
    }

    @Test func theSizeHoldsWhilePricesMoveAndGrowsForALongPrice() {
        let a = TickerStripModel(rows: [up, down])
        var moved = up
        moved.last = "1189.99"
        #expect(TickerStripModel(rows: [moved, down]).width == a.width)
        moved.last = "123456789012.5"
        let wide = TickerStripModel(rows: [moved, down])
        #expect(wide.width > a.width)
        #expect(wide.texts.contains { $0.string == "123456789012.5" }, "never cut: a cut price is a wrong price")
    }

    @Test func onlyAsciiReachesTheBitmapFont() {
        #expect(TickerStripModel.ascii("1–2é") == "1?2?")
    }

    @Test func aRenderedStripDecodesToItsSizeAndColours() throws {
        let renderer = TickerStripRenderer()
        let model = TickerStripModel(rows: [up, down])
        let png = try renderer.png(for: model)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        let image = try #require(DecodedPNG(png))
        #expect(image.width == model.width && image.height == 24)
        #expect(image.pixel(x: 0, y: 0)! == TickerStripModel.Colour.background.rgb)
        let upArrow = model.arrows[0], downArrow = model.arrows[1]
        // The middle of the bottom row of an up arrow, and of the top row of a down arrow.
        #expect(image.pixel(x: upArrow.x + 3, y: upArrow.y + 7)! == TickerStripModel.Colour.up.rgb)
        #expect(image.pixel(x: downArrow.x + 3, y: downArrow.y)! == TickerStripModel.Colour.down.rgb)
        #expect(image.pixel(x: model.width, y: 0) == nil)
    }

    @Test func theCanvasIsReusedAndAChangedPriceChangesThePicture() throws {
        let renderer = TickerStripRenderer()
        let first = try renderer.png(for: [up, down])
        #expect(try renderer.png(for: [up, down]) == first, "same quotes, same bytes")
        var moved = up
        moved.last = "190.01"
        #expect(try renderer.png(for: [moved, down]) != first)
        let one = try #require(DecodedPNG(renderer.png(for: [up])), "a new size gets a new canvas")
        #expect(one.width == TickerStripModel(rows: [up]).width)
        #expect(first.count < 4096, "a two-symbol strip is small")
    }

    @Test func framesTakenOffTheWireDecode() throws {
        let renderer = TickerStripRenderer()
        let a = try renderer.png(for: [up]), b = try renderer.png(for: [down])
        var reader = ImageStreamReader()
        reader.append(try #require(ImageStreamFraming.opening(a)) + ImageStreamFraming.part(b)!)
        #expect(reader.frames.count == 3)
        for frame in reader.frames {
            let image = try #require(DecodedPNG(frame))
            #expect(image.height == 24)
        }
        #expect(DecodedPNG(Array(a.prefix(a.count / 2))) == nil, "a cut frame does not decode")
        #expect(DecodedPNG(Array("not a png at all".utf8)) == nil)
    }
}
