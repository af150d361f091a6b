import Testing
@testable import Quotes

@Suite struct ImageStreamFramingTests {
    let pngA: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("frame-A".utf8)
    let pngB: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("frame-B\r\n-".utf8)

    @Test func theStreamOpensWithABareImageForTheSniffer() throws {
        let opening = try #require(ImageStreamFraming.opening(pngA))
        #expect(opening.starts(with: pngA), "image magic at byte 0: Chromium's ORB lets it through at once")
        let b = ImageStreamFraming.boundary
        let expected = pngA + Array("\r\n--\(b)\r\nContent-Type: image/png\r\n\r\n".utf8)
            + pngA + Array("\r\n--\(b)\r\nContent-Type: image/png\r\n\r\n".utf8)
        #expect(opening == expected, "each frame is followed by the next part's headers, so the browser shows it now")
    }

    @Test func headersDeclareTheBoundaryAndCrossOriginUse() {
        let h = Dictionary(uniqueKeysWithValues: ImageStreamFraming.streamHeaders.map { ($0.name, $0.value) })
        #expect(h["Content-Type"] == "multipart/x-mixed-replace; boundary=\(ImageStreamFraming.boundary)")
        #expect(h["Cross-Origin-Resource-Policy"] == "cross-origin")
        #expect(h["X-Accel-Buffering"] == "no")
        #expect(h["X-Content-Type-Options"] == nil)
        #expect(ImageStreamFraming.onceHeaders.first! == ("Content-Type", "image/png"))
    }

    @Test func aFrameHoldingTheDelimiterIsRefused() {
        #expect(ImageStreamFraming.part(pngA + ImageStreamFraming.delimiter + [1]) == nil)
        #expect(ImageStreamFraming.opening([]) == nil)
    }

    @Test func theReaderGetsBackEveryFrameWhateverTheChunking() throws {
        let wire = try #require(ImageStreamFraming.opening(pngA)) + ImageStreamFraming.part(pngB)! + ImageStreamFraming.part(pngA)!
        for chunk in [1, 3, 7, 64, wire.count] {
            var reader = ImageStreamReader()
            var i = 0
            while i < wire.count {
                reader.append(wire[i..<min(i + chunk, wire.count)])
                i += chunk
            }
            #expect(reader.frames == [pngA, pngA, pngB, pngA], "chunk \(chunk)")
        }
    }

    @Test func aFrameCutShortIsNotReported() throws {
        var reader = ImageStreamReader()
        let wire = try #require(ImageStreamFraming.opening(pngA))
        reader.append(wire + pngB.prefix(5))
        #expect(reader.frames == [pngA, pngA])
    }
}
