import EventHTTP
import Quotes

/// Dispatches requests to the route families by path. What every route
/// shares happens here: the method check (405 with `Allow`), CORS and its
/// preflight, the URL length limit, query parsing, and turning a client's
/// mistake into a 400 with one line of JSON. Nothing a client sends reaches
/// SQL except as a parameter.
final class Router {
    typealias Handler = (HTTPRequest, QueryParameters) throws -> Void

    private struct Route {
        let methods: [HTTPMethod]
        let handle: Handler
    }

    private unowned let context: ServerContext
    private var routes: [String: Route] = [:]
    private let files: StaticFiles?
    /// Methods of the static files and of routes registered without their own.
    private static let readMethods: [HTTPMethod] = [.get, .head]

    init(context: ServerContext) {
        self.context = context
        files = context.config.publicDirectory.map { StaticFiles(root: $0) }
    }

    /// Serves `path` with `handle`, for `methods` (OPTIONS is always answered).
    func register(_ path: String, methods: [HTTPMethod] = Router.readMethods, _ handle: @escaping Handler) {
        routes[path] = Route(methods: methods, handle: handle)
    }

    var paths: [String] { routes.keys.sorted() }

    func route(_ req: HTTPRequest) {
        applyCORS(req)
        // URLs may carry `?token=` (#16): no page (/, /board, the forever
        // frame) may pass its address on to the sites it links or loads.
        req.setHeader("Referrer-Policy", "no-referrer")
        let route = routes[req.path]
        let allowed = (route?.methods ?? Self.readMethods) + [.options]
        guard let method = req.method, allowed.contains(method) else {
            req.setHeader("Allow", allowed.map(\.rawValue).joined(separator: ", "))
            return context.fail(req, 405, "\(req.method?.rawValue ?? "this method") is not allowed on \(String(req.path.prefix(80))); use \(allowed.map(\.rawValue).joined(separator: ", "))")
        }
        if method == .options {
            req.setHeader("Access-Control-Allow-Methods", allowed.map(\.rawValue).joined(separator: ", "))
            req.setHeader("Access-Control-Allow-Headers", "Last-Event-ID, Cache-Control, Content-Type, Authorization")
            req.setHeader("Access-Control-Max-Age", "600")
            return req.respond(204, contentType: "text/plain", body: [])
        }
        guard req.uri.utf8.count <= 4096 else { return context.fail(req, 414, "the URL is longer than 4096 bytes") }
        Self.answer(req, context) {
            let query = try QueryParameters(parsing: req.query)
            if let route { try route.handle(req, query) } else { serveFile(req) }
        }
    }

    /// Runs a route's work, turning a client's mistake into a 400 with one
    /// line of JSON (and anything else into a 500); routes that finish later
    /// (after a catch-up read) answer through here too.
    static func answer(_ req: HTTPRequest, _ context: ServerContext, _ work: () throws -> Void) {
        do {
            try work()
        } catch let e as QueryError {
            context.fail(req, 400, e.message)
        } catch let e as TokenRefusal {
            context.refuse(req, e)
        } catch {
            context.fail(req, 500, "internal error")
        }
    }

    private func applyCORS(_ req: HTTPRequest) {
        guard let origin = req.header("Origin") else { return }
        let allowed = context.config.corsOrigins
        if allowed.contains("*") {
            req.setHeader("Access-Control-Allow-Origin", "*")
        } else if allowed.contains(origin) {
            req.setHeader("Access-Control-Allow-Origin", origin)
            req.setHeader("Vary", "Origin")
        }
    }

    private func serveFile(_ req: HTTPRequest) {
        guard let files, let file = files.file(for: req.path) else {
            return context.fail(req, 404, "no such route or file: \(String(req.path.prefix(80))); routes are \(paths.joined(separator: " "))")
        }
        req.setHeader("Cache-Control", "no-cache")
        req.setHeader("X-Content-Type-Options", "nosniff")
        req.respond(200, contentType: file.type, body: file.body)
    }
}
