import Hummingbird

/// The admin listener's answers to requests that no route takes, in the listener's own words:
/// any method but GET or HEAD is `405 method not allowed` (before routing, whatever the path),
/// and a path with no route is `404 not found: <path>` pointing at `/metrics`. Every other
/// request, and every other error, goes through unchanged. Stateless.
struct AdminFallbackMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else {
            return AdminListener.textResponse(.methodNotAllowed, contentType: "text/plain; charset=utf-8",
                                              "method not allowed\n")
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let response = AdminListener.textResponse(
                .notFound, contentType: "text/plain; charset=utf-8",
                "not found: \(request.uri.path) (the metrics are at /metrics)\n")
            return request.method == .head ? response.createHeadResponse() : response
        }
    }
}
