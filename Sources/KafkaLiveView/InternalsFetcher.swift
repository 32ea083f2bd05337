import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 GET client on SwiftNIO for the brokers' `/internals.json`: one connection
/// per request (`Connection: close`), the body collected in memory, the whole exchange bounded by
/// a timeout (a broker killed with -9 refuses at once on loopback; a stopped one times out).
/// Runs on NIO's shared event loop group; no thread of the caller blocks.
struct InternalsFetcher: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func get(host: String, port: Int, path: String, timeout: Duration) async throws -> [UInt8] {
        let group = MultiThreadedEventLoopGroup.singleton
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: [UInt8].self)
        let milliseconds = Int64(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let deadline = eventLoop.scheduleTask(in: .milliseconds(milliseconds)) {
            promise.fail(Failure(description: "no answer from \(host):\(port) within \(milliseconds) ms"))
        }
        let connect = ClientBootstrap(group: eventLoop)
            .connectTimeout(.milliseconds(milliseconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise))
                }
            }
            .connect(host: host, port: port)
        connect.whenFailure { promise.fail($0) }
        connect.whenSuccess { channel in
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: "\(host):\(port)")
            headers.add(name: "Connection", value: "close")
            let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        return try await promise.futureResult.get()
    }
}

/// Collects one response's body; fails on a status other than 200 or a connection closed early.
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<[UInt8]>
    private var status: HTTPResponseStatus?
    private var body: [UInt8] = []

    init(promise: EventLoopPromise<[UInt8]>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = head.status
        case .body(var buffer): body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            if status == .ok {
                promise.succeed(body)
            } else {
                promise.fail(InternalsFetcher.Failure(description: "HTTP status \(status.map { "\($0.code)" } ?? "none")"))
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(InternalsFetcher.Failure(description: "connection closed before the answer"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
