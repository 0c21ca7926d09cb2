import HTTPTypes
import Hummingbird

/// The service's routes: Hummingbird's ``Router`` with its groups and guards, and in front of
/// it the decision routes matched by their exact path.
///
/// A decision route is in both: the router has it (so a path the router would normalise, such
/// as one with a query, still reaches it), and the same guard and handler answer it here
/// when the request's path is exactly the route's. The router's trie walk split and compared
/// the path's components character by character, about 3% of the cooperative pool's time on
/// every token call (`perf`, Benchmarks/README.md); a byte comparison of one path costs
/// nothing measurable. Everything else, including a decision path with another method, goes
/// to the router as before.
struct ServiceRoutes: HTTPResponderBuilder {
    typealias Context = BasicRequestContext
    typealias Handler = @Sendable (Request, Context) async throws -> Response

    /// A route answered before the router: a method, an exact path, its guard and its handler.
    struct ExactRoute: Sendable {
        var method: HTTPRequest.Method
        var path: String
        var guardian: CallerGuard<Context>
        var handler: Handler
    }

    let router: Router<Context>
    private(set) var exact: [ExactRoute] = []

    init(router: Router<Context>) {
        self.router = router
    }

    /// Adds `handler` behind `guardian` as `POST /<path>` to `group` (the router's route) and to
    /// the exact routes.
    mutating func post(_ path: String, in group: RouterGroup<Context>, guardian: CallerGuard<Context>, handler: @escaping Handler) {
        group.post(RouterPath(path), use: handler)
        exact.append(ExactRoute(method: .post, path: "/" + path, guardian: guardian, handler: handler))
    }

    func buildResponder() -> Responder {
        Responder(router: router.buildResponder(), exact: exact)
    }

    /// Answers an exact route through its guard and handler, anything else through the router.
    struct Responder: HTTPResponder {
        let router: RouterResponder<Context>
        let exact: [ExactRoute]

        func respond(to request: Request, context: Context) async throws -> Response {
            if let path = request.head.path, let route = exact.first(where: { $0.method == request.method && path.isByteIdentical(to: $0.path) }) {
                do {
                    return try await route.guardian.handle(request, context: context, next: route.handler)
                } catch let error as any HTTPResponseError {
                    // What the router does with such an error, so both ways answer alike.
                    return try error.response(from: request, context: context)
                }
            }
            return try await router.respond(to: request, context: context)
        }
    }
}
