import Hummingbird

/// The admin listener's router: `GET /metrics` always, the live view's paths when it is on, and
/// `AdminFallbackMiddleware` in front of every route for the 404 and 405 answers. HEAD is
/// answered for every GET route (the same head, no body).
extension AdminListener {
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    static func router(metrics: BrokerMetrics, liveView: LiveViewRoutes?,
                       eventStreams: LiveViewEventStreams) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: AdminFallbackMiddleware<BasicRequestContext>())
        // A scrape runs its collectors (some await the controller) in the request's task; its
        // UTF-8 bytes go out as rendered, without a round trip through String.
        router.get("/metrics") { _, _ -> Response in
            bytesResponse(.ok, contentType: metricsContentType, ByteBuffer(bytes: await metrics.scrapeBytes()))
        }
        if let liveView { addLiveViewRoutes(liveView, eventStreams: eventStreams, to: router) }
        return router
    }

    /// A complete answer with a known length: `body` as UTF-8 under `contentType`.
    static func textResponse(_ status: HTTPResponse.Status, contentType: String, _ body: String,
                             noStore: Bool = false) -> Response {
        bytesResponse(status, contentType: contentType, ByteBuffer(string: body), noStore: noStore)
    }

    static func bytesResponse(_ status: HTTPResponse.Status, contentType: String, _ body: ByteBuffer,
                              noStore: Bool = false) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        if noStore { headers[.cacheControl] = "no-store" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}
