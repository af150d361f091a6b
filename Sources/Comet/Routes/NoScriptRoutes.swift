import EventHTTP
import Quotes

/// The routes for browsers without JavaScript: `GET /board` (client pull, an
/// HTML table that reloads itself) and `GET /ticker.png` (server push of PNG
/// frames into an `<img>`, or one frame with `once=1`).
struct NoScriptRoutes {
    unowned let context: ServerContext

    func register(on router: Router) {
        router.register("/board") { try self.board($0, $1) }
        router.register("/ticker.png") { try self.tickerImage($0, $1) }
    }

    private func board(_ req: HTTPRequest, _ q: QueryParameters) throws {
        let r = try BoardRequest(query: q, maxSymbols: context.config.maxSymbolsPerRequest)
        // A person reads this page: a refusal is a page too, not JSON.
        let split: SymbolSplit
        do { split = try context.access.pass(req, q).split(r.symbols) } catch let refusal as TokenRefusal {
            return context.refuse(req, refusal, asPage: true)
        }
        let token = try q.value("token")
        context.references.ensure(r.symbols) { [unowned context] in
            let rows = r.symbols.map { QuoteRow(symbol: $0, latest: context.latest($0, split)?.tick, reference: context.references.price($0)) }
            let page = BoardPage(rows: rows, refresh: r.refresh, delayed: Set(split.delayed),
                                 delaySeconds: Int(context.access.delaySeconds.rounded()), token: token)
            for (name, value) in page.headers where name != "Content-Type" { req.setHeader(name, value) }
            req.respond(200, contentType: "text/html; charset=utf-8", text: page.html)
        }
    }

    private func tickerImage(_ req: HTTPRequest, _ q: QueryParameters) throws {
        let r = try TickerImageRequest(query: q)
        let pass = try context.access.pass(req, q)
        let split = try pass.split(r.symbols)
        // Delayed symbols make an image of their own (its key marks them).
        let key = TickerImages.key(r.symbols, delayed: split.delayed)
        if r.once {
            return context.references.ensure(r.symbols) { [unowned context] in context.images.once(req, symbols: key) }
        }
        let peer = req.peer
        if let refusal = context.admission.refusal(peer: peer) { return context.fail(req, 503, refusal) }
        guard let connection = req.connection else { return }
        for (name, value) in ImageStreamFraming.streamHeaders { req.setHeader(name, value) }
        req.startStream(writeTimeout: context.config.writeTimeoutSeconds)
        let viewer = ImageViewer(request: req, key: key)
        context.track(viewer, on: connection, peer: peer)
        // Like every stream, it lasts no longer than its token.
        context.endOnExpiry(viewer, pass) { [unowned context] viewer in
            context.end(viewer, on: connection, with: .tokenExpired(cursor: StreamCursor(context.hub.cursor)))
        }
        // The first frame shows the day's change: references first.
        context.references.ensure(r.symbols) { [unowned context] in
            if !viewer.isClosed { context.images.open(viewer) }
        }
    }
}
