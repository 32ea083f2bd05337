import Foundation
import Hummingbird
import KafkaLiveView

/// The live view's paths on the admin listener: `GET /` and `/index.html` (the page,
/// `LiveViewPage.html`), `GET /internals.json` (this broker's `BrokerInternals`, from memory)
/// and `GET /events` (the cluster's server-sent events, `LiveViewEventStreams`).
extension AdminListener {
    static func addLiveViewRoutes(_ routes: LiveViewRoutes, eventStreams: LiveViewEventStreams,
                                  to router: Router<BasicRequestContext>) {
        let page = ByteBuffer(string: LiveViewPage.html)
        for path in ["/", "/index.html"] {
            router.get(RouterPath(path)) { _, _ -> Response in
                bytesResponse(.ok, contentType: "text/html; charset=utf-8", page, noStore: true)
            }
        }
        router.get("/internals.json") { _, _ -> Response in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let body = (try? encoder.encode(routes.internals())) ?? Data("{}".utf8)
            return bytesResponse(.ok, contentType: "application/json", ByteBuffer(bytes: body), noStore: true)
        }
        router.get("/events") { _, _ -> Response in eventStreams.response() }
    }
}
