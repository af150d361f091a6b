/// Splits the raw body of a `/ticker.png` stream back into PNG frames: what a
/// test (or any non-browser client) reads. Feed it bytes as they arrive;
/// complete frames come out, a frame cut short stays buffered.
public struct ImageStreamReader: Sendable {
    /// Complete frames in arrival order; the bare opening image is `frames[0]`.
    public private(set) var frames: [[UInt8]] = []
    private var buffer: [UInt8] = []

    public init() {}

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
        while let end = ImageStreamFraming.firstIndex(of: ImageStreamFraming.delimiter, in: buffer[...]) {
            let body = Self.partBody(buffer[..<end])
            if !body.isEmpty { frames.append(Array(body)) }
            // Drop the delimiter; the rest of the line ("\r\n" or "--") stays for the next part's headers.
            buffer.removeSubrange(..<(end + ImageStreamFraming.delimiter.count))
        }
    }

    /// A part without its header lines (the bare opening image has none).
    static func partBody(_ part: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47]
        if part.starts(with: png) { return part }
        let blank = Array("\r\n\r\n".utf8)
        guard let h = ImageStreamFraming.firstIndex(of: blank, in: part) else { return part[part.endIndex...] }
        return part[(h + blank.count)...]
    }
}
