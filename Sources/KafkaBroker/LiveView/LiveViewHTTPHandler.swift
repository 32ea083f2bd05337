import Foundation
import KafkaLiveView
import NIOCore
import NIOHTTP1

/// What the admin listener serves for the live view: this broker's internals and the hub that
/// feeds the page's event stream.
public struct LiveViewRoutes: Sendable {
    /// This broker's `/internals.json`, read from memory.
    public var internals: @Sendable () -> BrokerInternals
    /// The cluster's event stream (`/events`); nil: the page is served but says the stream is off.
    public var hub: LiveViewHub?

    public init(internals: @escaping @Sendable () -> BrokerInternals, hub: LiveViewHub?) {
        self.internals = internals
        self.hub = hub
    }
}

/// The admin listener's live-view paths, in front of its metrics handler: `GET /` (the page,
/// `LiveViewPage.html`), `GET /internals.json` (`BrokerInternals`) and `GET /events` (server-sent
/// events from `LiveViewHub`, kept open until the page goes). Every other request passes on
/// unchanged to the next handler.
final class LiveViewHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let paths: Set<String> = ["/", "/index.html", "/internals.json", "/events"]

    private let routes: LiveViewRoutes
    /// The request being answered here (nil: the current request is passed on).
    private var head: HTTPRequestHead?
    private var subscription: Int?

    init(routes: LiveViewRoutes) { self.routes = routes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let head):
            let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
            if (head.method == .GET || head.method == .HEAD), Self.paths.contains(path) {
                self.head = head
            } else {
                self.head = nil
                context.fireChannelRead(data)
            }
        case .body:
            if head == nil { context.fireChannelRead(data) }
        case .end:
            guard let head else { return context.fireChannelRead(data) }
            self.head = nil
            answer(head, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let subscription { routes.hub?.unsubscribe(subscription) }
        subscription = nil
        context.fireChannelInactive()
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        switch path {
        case "/internals.json":
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let body = (try? encoder.encode(routes.internals())).map { Array($0) } ?? Array("{}".utf8)
            respond(head, contentType: "application/json", body: body, context: context)
        case "/events":
            stream(head, context: context)
        default:
            respond(head, contentType: "text/html; charset=utf-8", body: Array(LiveViewPage.html.utf8), context: context)
        }
    }

    private func respond(_ request: HTTPRequestHead, contentType: String, body: [UInt8], context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(body.count)")
        headers.add(name: "Cache-Control", value: "no-store")
        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: .ok, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if !request.isKeepAlive {
            let channel = context.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// `text/event-stream`, open until the client goes; every hub message is written and flushed
    /// on this channel's event loop.
    private func stream(_ request: HTTPRequestHead, context: ChannelHandlerContext) {
        guard let hub = routes.hub else {
            return respond(request, contentType: "text/event-stream", body: Array("event: off\ndata: {}\n\n".utf8), context: context)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/event-stream")
        headers.add(name: "Cache-Control", value: "no-store")
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: .ok, headers: headers))),
                              promise: nil)
        // The connection's retry delay for EventSource, then the stream.
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: "retry: 1000\n\n")))),
                              promise: nil)
        let channel = context.channel
        subscription = hub.subscribe { text in
            channel.eventLoop.execute {
                let buffer = channel.allocator.buffer(string: text)
                channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
            }
        }
    }
}
