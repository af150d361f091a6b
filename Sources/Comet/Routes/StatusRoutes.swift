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
        Self.health(req, context, draining: false)
    }

    /// 200 only when this node can serve what a client asks for: the LISTEN
    /// connection is up and the cursor has caught up after it (a node that
    /// just reconnected would otherwise take clients it cannot yet serve
    /// current ticks). Otherwise 503 with the same body, `status` saying why
    /// (`degraded`: database; `draining`: SIGTERM until exit), so a balancer's
    /// check takes the node out of rotation and a person can read it.
    static func health(_ req: HTTPRequest, _ context: ServerContext, draining: Bool) {
        let database = context.pump.isReady
        let ready = !draining && database && context.pump.databaseUp
        var w = JSONWriter()
        w.field("status", draining ? "draining" : ready ? "ok" : "degraded")
        w.field("database", database)
        w.field("cursor", context.hub.cursor)
        w.field("connections", context.openResponses)
        w.field("pid", Int(getpid()))
        req.setHeader("Cache-Control", "no-store")
        if !ready { req.setHeader("Retry-After", "2") }
        req.respond(ready ? 200 : 503, contentType: "application/json", text: w.json)
    }

    private func metrics(_ req: HTTPRequest) {
        var m = context.metrics
        m.conflatedTicks += context.streams.values.reduce(0) { $0 + $1.conflations }
            + context.sockets.values.reduce(0) { $0 + $1.conflations }
            + context.mixed.values.reduce(0) { $0 + $1.conflations }
        m.lastFetchSeconds = context.pump.lastFetchSeconds
        let text = m.render(hub: context.hub, databaseReconnects: context.pump.reconnects + context.queryDB.reconnects,
                            databaseUp: context.pump.isReady, acceptPauses: context.http.acceptPauses)
        req.respond(200, contentType: "text/plain; version=0.0.4", text: text + context.images.metricsText + context.bayeux.metricsText
                    + context.access.metricsText(held: context.delayed?.held ?? 0, delayedCursor: context.delayed?.hub.cursor))
    }
}
