import EventHTTP
import Glibc
import Quotes

/// `GET /health` (liveness and readiness for balancers) and `GET /metrics`
/// (Prometheus text).
struct StatusRoutes {
    unowned let context: ServerContext

    func register(on router: Router) {
        router.register("/health") { req, _ in self.health(req) }
        router.register("/metrics") { req, _ in self.metrics(req) }
    }

    private func health(_ req: HTTPRequest) {
        let up = context.pump.isReady
        var w = JSONWriter()
        w.field("status", up ? "ok" : "degraded")
        w.field("database", up)
        w.field("cursor", context.hub.cursor)
        w.field("connections", context.openResponses)
        w.field("pid", Int(getpid()))
        context.json(req, w.json)
    }

    private func metrics(_ req: HTTPRequest) {
        var m = context.metrics
        m.conflatedTicks += context.streams.values.reduce(0) { $0 + $1.conflations }
            + context.sockets.values.reduce(0) { $0 + $1.conflations }
        m.lastFetchSeconds = context.pump.lastFetchSeconds
        let text = m.render(hub: context.hub, databaseReconnects: context.pump.reconnects + context.queryDB.reconnects,
                            databaseUp: context.pump.isReady, acceptPauses: context.http.acceptPauses)
        req.respond(200, contentType: "text/plain; version=0.0.4", text: text + context.images.metricsText)
    }
}
