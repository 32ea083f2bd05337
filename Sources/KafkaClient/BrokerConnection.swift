import KafkaProtocol
import NIOCore
import NIOPosix
import Synchronization

/// One TCP connection to a broker, sending requests and returning their responses in order
/// (a small `NetworkClient`). Used by the controller's request senders, and later by replica
/// fetchers and the admin CLI.
///
/// Isolation: an actor. Requests are written as they come; the broker answers one connection's
/// requests in order, so responses are matched to requests first-in first-out, and each is also
/// checked against its correlation id. A connection failure fails every outstanding request with
/// `BrokerConnectionError.disconnected`; the connection is then unusable (make a new one).
public actor BrokerConnection {
    public let host: String
    public let port: Int
    public let clientId: String
    private let channel: any Channel
    private let responses: ResponseQueue
    private var nextCorrelationId: Int32 = 0

    /// Connects, failing after `timeout`.
    public static func connect(
        host: String, port: Int, clientId: String, group: any EventLoopGroup, timeout: Duration = .seconds(10),
        maxResponseSize: Int = 104_857_600
    ) async throws -> BrokerConnection {
        let queue = ResponseQueue()
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.milliseconds(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(KafkaFrameDecoder(maxFrameSize: maxResponseSize)),
                        ResponseHandler(queue: queue),
                    ])
                }
            }
            .connect(host: host, port: port).get()
        return BrokerConnection(host: host, port: port, clientId: clientId, channel: channel, responses: queue)
    }

    private init(host: String, port: Int, clientId: String, channel: any Channel, responses: ResponseQueue) {
        self.host = host
        self.port = port
        self.clientId = clientId
        self.channel = channel
        self.responses = responses
    }

    /// Sends `request` at `version` and waits for the response.
    ///
    /// With a `timeout`, a response that has not come within it fails the request with
    /// `BrokerConnectionError.timedOut` and closes the connection — the only way to give up on a
    /// request in flight, since the responses that follow would be matched to the wrong requests.
    public func send<API: KafkaAPI>(_ api: API.Type, _ request: API.Request, version: Int16,
                                    timeout: TimeAmount? = nil) async throws -> API.Response {
        let correlationId = nextCorrelationId
        nextCorrelationId &+= 1
        var frame = channel.allocator.buffer(capacity: 256)
        API.writeRequestFrame(request, header: RequestHeader(apiKey: API.key, apiVersion: version,
                                                            correlationId: correlationId, clientId: clientId),
                              into: &frame)
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        responses.enqueue(promise)
        channel.writeAndFlush(frame).whenFailure { error in promise.fail(error) }
        if let timeout {
            let channel = channel
            let expiry = channel.eventLoop.scheduleTask(in: timeout) {
                promise.fail(BrokerConnectionError.timedOut)
                channel.close(promise: nil)
            }
            promise.futureResult.whenComplete { _ in expiry.cancel() }
        }
        var body = try await promise.futureResult.get()
        let header = try ResponseHeader(from: &body, headerVersion: API.responseHeaderVersion(for: version))
        guard header.correlationId == correlationId else {
            throw BrokerConnectionError.correlationMismatch(expected: correlationId, got: header.correlationId)
        }
        return try API.decodeResponse(from: &body, version: version)
    }

    public func close() async {
        try? await channel.close()
    }

    public var isActive: Bool { channel.isActive }
}

public enum BrokerConnectionError: Error, Equatable {
    case disconnected
    /// No response within the request's timeout; the connection was closed.
    case timedOut
    case correlationMismatch(expected: Int32, got: Int32)
}

/// Promises of the requests written and not yet answered, oldest first.
final class ResponseQueue: Sendable {
    private let promises = Mutex<CircularBuffer<EventLoopPromise<ByteBuffer>>>([])

    func enqueue(_ promise: EventLoopPromise<ByteBuffer>) {
        promises.withLock { $0.append(promise) }
    }

    func completeNext(_ frame: ByteBuffer) {
        promises.withLock { $0.popFirst() }?.succeed(frame)
    }

    func failAll(_ error: any Error) {
        let all = promises.withLock { queue in
            defer { queue.removeAll() }
            return Array(queue)
        }
        for promise in all { promise.fail(error) }
    }
}

final class ResponseHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let queue: ResponseQueue

    init(queue: ResponseQueue) { self.queue = queue }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        queue.completeNext(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        queue.failAll(BrokerConnectionError.disconnected)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        queue.failAll(error)
        context.close(promise: nil)
    }
}
