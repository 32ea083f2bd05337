import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The broker's HTTP admin listener (`admin.listener`): `GET /metrics` answers the Prometheus
/// text format (version 0.0.4) from `BrokerMetrics.scrape`; any other path is 404, any other
/// method 405. One event loop; a scrape runs as a task (its collectors await the controller),
/// and its answer is written back on the connection's loop.
///
/// Lifecycle: `bind` once, `close` once (at broker shutdown).
public final class AdminListener: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    /// The address bound (a configured port 0 replaced by the kernel's choice).
    public let boundAddress: AdminListenerAddress

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, boundAddress: AdminListenerAddress) {
        self.group = group
        self.channel = channel
        self.boundAddress = boundAddress
    }

    /// `liveView`: the live view's paths (`/`, `/internals.json`, `/events`), answered in front of
    /// the metrics (`LiveViewHTTPHandler`).
    public static func bind(_ address: AdminListenerAddress, metrics: BrokerMetrics, liveView: LiveViewRoutes? = nil,
                            logger: Logger) async throws -> AdminListener {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        if let liveView { try channel.pipeline.syncOperations.addHandler(LiveViewHTTPHandler(routes: liveView)) }
                        try channel.pipeline.syncOperations.addHandler(AdminHTTPHandler(metrics: metrics))
                    }
                }
                .bind(host: address.host, port: address.port).get()
            let port = channel.localAddress?.port ?? address.port
            let bound = AdminListenerAddress(host: address.host, port: port)
            logger.info("Admin listener (metrics at \(bound)/metrics) started")
            return AdminListener(group: group, channel: channel, boundAddress: bound)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    public func close() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// One HTTP connection of the admin listener; requests are answered in order, one at a time.
final class AdminHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let metrics: BrokerMetrics
    private var head: HTTPRequestHead?

    init(metrics: BrokerMetrics) {
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            route(head, context: context)
        }
    }

    private func route(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard head.method == .GET || head.method == .HEAD else {
            return respond(head, status: .methodNotAllowed, contentType: "text/plain; charset=utf-8",
                           body: "method not allowed\n", context: context)
        }
        guard path == "/metrics" else {
            return respond(head, status: .notFound, contentType: "text/plain; charset=utf-8",
                           body: "not found: \(path) (the metrics are at /metrics)\n", context: context)
        }
        let metrics = self.metrics
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        Task {
            let text = await metrics.scrape()
            eventLoop.execute {
                let (handler, context) = bound.value
                handler.respond(head, status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: text,
                                context: context)
            }
        }
    }

    private func respond(_ request: HTTPRequestHead, status: HTTPResponseStatus, contentType: String, body: String,
                         context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(buffer.readableBytes)")
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
                      promise: nil)
        if request.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if !keepAlive {
            let channel = context.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
