import CLibGD
import Quotes

/// Draws ticker strips with libgd and encodes them as PNG: the only owner of
/// a `gdImagePtr` that is drawn on, freed in `deinit`.
///
/// One canvas is kept and reused while the strip's size stays the same (the
/// usual case: one renderer per watched symbol list). Not thread-safe: use a
/// renderer from one thread (the event loop), as libgd's image is plain memory.
public final class TickerStripRenderer {
    /// A drawing or encoding failure; `message` is one line for the log.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    private var canvas: gdImagePtr?
    private var canvasSize = (width: 0, height: 0)
    private var palette: [TickerStripModel.Colour: Int32] = [:]

    public init() {}

    deinit {
        if let canvas { gdImageDestroy(canvas) }
    }

    /// The strip for `rows` as PNG bytes.
    public func png(for rows: [QuoteRow]) throws(Failure) -> [UInt8] {
        try png(for: TickerStripModel(rows: rows))
    }

    /// The strip laid out by `model`, as PNG bytes.
    public func png(for model: TickerStripModel) throws(Failure) -> [UInt8] {
        let image = try canvas(width: model.width, height: model.height)
        draw(model, on: image)
        var size: Int32 = 0
        // gdImagePngPtr returns a buffer gd allocated (or nil on failure) and
        // its length; we copy it out and give it back with gdFree before
        // anything else can touch it.
        guard let bytes = gdImagePngPtr(image, &size), size > 0 else {
            throw Failure(message: "libgd could not encode a \(model.width)x\(model.height) PNG")
        }
        defer { gdFree(bytes) }
        return Array(UnsafeRawBufferPointer(start: bytes, count: Int(size)))
    }

    /// The reusable canvas at this size, made (with its palette) if the size changed.
    private func canvas(width: Int, height: Int) throws(Failure) -> gdImagePtr {
        if let canvas, canvasSize == (width, height) { return canvas }
        if let canvas { gdImageDestroy(canvas) }
        canvas = nil
        // A palette image: the strip has seven colours, and an 8-bit PNG of it is small.
        guard let made = gdImageCreate(Int32(width), Int32(height)) else {
            throw Failure(message: "libgd could not make a \(width)x\(height) image")
        }
        canvas = made
        canvasSize = (width, height)
        palette = [:]
        for colour in TickerStripModel.Colour.allCases { // .background first: gd uses the first colour as the fill
            let c = colour.rgb
            palette[colour] = gdImageColorAllocate(made, Int32(c.red), Int32(c.green), Int32(c.blue))
        }
        return made
    }

    private func draw(_ model: TickerStripModel, on image: gdImagePtr) {
        gdImageFilledRectangle(image, 0, 0, Int32(model.width - 1), Int32(model.height - 1), palette[.background]!)
        for x in model.rules {
            gdImageLine(image, Int32(x), 3, Int32(x), Int32(model.height - 4), palette[.rule]!)
        }
        for arrow in model.arrows { fill(arrow, on: image) }
        for text in model.texts {
            // gd's built-in fonts are static data owned by libgd, valid for the process.
            let font = text.font == .large ? gdFontGetLarge() : gdFontGetMediumBold()
            // gdImageString takes a mutable C string but only reads it; the
            // array lives for the duration of the call.
            var bytes = Array(text.string.utf8) + [0]
            bytes.withUnsafeMutableBufferPointer { buffer in
                gdImageString(image, font, Int32(text.x), Int32(text.y), buffer.baseAddress, palette[text.colour]!)
            }
        }
    }

    private func fill(_ arrow: TickerStripModel.Arrow, on image: gdImagePtr) {
        let s = Int32(TickerStripModel.arrowSize), x = Int32(arrow.x), y = Int32(arrow.y)
        var points = arrow.up
            ? [gdPoint(x: x, y: y + s - 1), gdPoint(x: x + s - 1, y: y + s - 1), gdPoint(x: x + (s - 1) / 2, y: y)]
            : [gdPoint(x: x, y: y), gdPoint(x: x + s - 1, y: y), gdPoint(x: x + (s - 1) / 2, y: y + s - 1)]
        // gd reads exactly `count` points from the buffer during the call.
        points.withUnsafeMutableBufferPointer { buffer in
            gdImageFilledPolygon(image, buffer.baseAddress, Int32(buffer.count), palette[arrow.colour]!)
        }
    }
}
