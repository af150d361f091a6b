import CLibGD

/// A PNG decoded by libgd, for checking frames taken off the wire: size and
/// pixel colours. Owns its `gdImagePtr`, freed in `deinit`.
public final class DecodedPNG {
    private let image: gdImagePtr
    public let width: Int
    public let height: Int

    /// Nil when `bytes` are not a PNG libgd can decode.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count > 8, bytes.count <= Int(Int32.max) else { return nil }
        // gdImageCreateFromPngPtr wants a non-const pointer but only reads the
        // bytes (through a read-only memory context) during the call.
        var copy = bytes
        let decoded = copy.withUnsafeMutableBytes { raw in
            gdImageCreateFromPngPtr(Int32(raw.count), raw.baseAddress)
        }
        guard let decoded else { return nil }
        image = decoded
        width = Int(decoded.pointee.sx)
        height = Int(decoded.pointee.sy)
    }

    deinit {
        gdImageDestroy(image)
    }

    /// The colour at (`x`, `y`); nil outside the image.
    public func pixel(x: Int, y: Int) -> (red: Int, green: Int, blue: Int)? {
        guard (0..<width).contains(x), (0..<height).contains(y) else { return nil }
        // For palette and true-colour images alike: 0xAARRGGBB.
        let c = gdImageGetTrueColorPixel(image, Int32(x), Int32(y))
        return (Int((c >> 16) & 0xFF), Int((c >> 8) & 0xFF), Int(c & 0xFF))
    }
}
