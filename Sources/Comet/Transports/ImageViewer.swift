import EventHTTP
import Imaging
import Quotes

/// One rendered frame of a ticker image: the PNG (for new viewers and
/// `once=1`) and its multipart part, made once and written to every viewer.
struct ImageFrame: Sendable {
    let png: [UInt8]
    let part: [UInt8]
}

/// One viewer of `/ticker.png`: a long-lived response with no symbols of its
/// own (its image's `ImageChannel` is the hub subscriber), tracked by the
/// server context like any stream for admission and close.
final class ImageViewer: TickSubscriber {
    let request: HTTPRequest
    let key: FrameCache<ImageFrame>.Key
    private(set) var isClosed = false

    init(request: HTTPRequest, key: FrameCache<ImageFrame>.Key) {
        self.request = request
        self.key = key
        super.init(symbols: [])
    }

    /// Writes `bytes` unless the client is more than `limit` bytes behind: a
    /// slow viewer skips frames and gets the newest one later (conflation), so
    /// its memory stays bounded; one that reads nothing is cut by the write timeout.
    func send(_ bytes: [UInt8], limit: Int) -> Bool {
        guard !isClosed, request.pendingOutput <= limit else { return false }
        request.send(bytes)
        return true
    }

    func markClosed() { isClosed = true }
}

/// The hub subscriber of one image (one symbol list): the hub calls `deliver`
/// once per wake-up in which any of its symbols ticked. An image with
/// delayed symbols (`TickerImages.delayedMark` in its key) follows them in
/// the delayed hub through a forwarding leg.
final class ImageChannel: TickSubscriber {
    unowned let images: TickerImages
    let key: [String]
    var viewers: [ObjectIdentifier: ImageViewer] = [:]
    /// Its registration in the delayed hub, for delayed symbols.
    var delayedLeg: ForwardingSubscriber?

    init(images: TickerImages, key: [String]) {
        self.images = images
        self.key = key
        super.init(symbols: key.filter { !TickerImages.isDelayed($0) })
    }

    override func deliver() { images.changed(self) }
}

