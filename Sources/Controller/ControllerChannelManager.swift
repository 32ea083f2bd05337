import KafkaClient
import KafkaCommon
import KafkaProtocol
import KafkaZk
import Logging
import NIOPosix
import Synchronization

/// How the controller talks to the brokers (Kafka's `ControllerChannelManager`): one sender per
/// live broker (Kafka's `RequestSendThread`), each with its own queue and connection to the
/// broker's inter-broker listener, sending one request at a time and waiting for its response.
///
/// A request whose connection fails is sent again on a new connection (after a short backoff)
/// until it gets a response or the broker is removed: requests to one broker are never reordered
/// or skipped. Removing a broker (it died, or this controller resigned) stops its sender and drops
/// what it still had queued.
///
/// Isolation: the table of senders is behind a `Mutex`; each sender is one task.
public final class ControllerChannelManager: Sendable {
    private struct Sender {
        let queue: AsyncStream<QueuedRequest>.Continuation
        let task: Task<Void, Never>
    }

    /// One request as a closure over a connection: sends, then hands the response to its callback.
    struct QueuedRequest: Sendable {
        let name: String
        let perform: @Sendable (BrokerConnection) async throws -> Void
    }

    public let controllerId: BrokerId
    let interBrokerListener: String
    let logger: Logger
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let senders = Mutex<[BrokerId: Sender]>([:])

    public init(controllerId: BrokerId, interBrokerListener: String, logger: Logger) {
        self.controllerId = controllerId
        self.interBrokerListener = interBrokerListener
        self.logger = logger
    }

    public var brokerIds: Set<BrokerId> { senders.withLock { Set($0.keys) } }

    /// Starts a sender for `broker` (replacing one it may have had).
    public func addBroker(_ broker: BrokerInfo) {
        removeBroker(broker.id)
        guard let endpoint = broker.endpoint(listenerName: interBrokerListener) ?? broker.endpoints.first else {
            logger.error("[Controller id=\(controllerId)] Broker \(broker.id) has no endpoint for listener \(interBrokerListener)")
            return
        }
        let (stream, continuation) = AsyncStream<QueuedRequest>.makeStream()
        let task = Task { [group, logger, controllerId] in
            var connection: BrokerConnection?
            for await request in stream {
                var backoff: Duration = .milliseconds(100)
                while !Task.isCancelled {
                    do {
                        let active: BrokerConnection
                        if let current = connection, await current.isActive {
                            active = current
                        } else {
                            active = try await BrokerConnection.connect(
                                host: endpoint.host, port: Int(endpoint.port), clientId: "\(controllerId)", group: group)
                            connection = active
                        }
                        try await request.perform(active)
                        break
                    } catch {
                        logger.warning("[Controller id=\(controllerId)] \(request.name) to broker \(broker.id) at \(endpoint) failed: \(error); retrying")
                        await connection?.close()
                        connection = nil
                        try? await Task.sleep(for: backoff)
                        backoff = min(backoff * 2, .seconds(1))
                    }
                }
            }
            await connection?.close()
        }
        senders.withLock { $0[broker.id] = Sender(queue: continuation, task: task) }
    }

    /// Stops `id`'s sender; what it had queued is dropped.
    public func removeBroker(_ id: BrokerId) {
        guard let sender = senders.withLock({ $0.removeValue(forKey: id) }) else { return }
        sender.queue.finish()
        sender.task.cancel()
    }

    /// Queues a request for a broker; `callback` gets its response, on the broker's sender task,
    /// unless the sender was stopped meanwhile (the broker died, or the controller resigned: a
    /// response to a request of its old epoch is then no longer its business).
    public func send<API: KafkaAPI>(
        to broker: BrokerId, _ api: API.Type, _ request: API.Request, version: Int16,
        callback: @escaping @Sendable (API.Response) -> Void = { _ in }
    ) {
        let queued = QueuedRequest(name: "\(API.key) v\(version)") { connection in
            let response = try await connection.send(API.self, request, version: version)
            guard !Task.isCancelled else { return }
            callback(response)
        }
        let sent = senders.withLock { $0[broker]?.queue.yield(queued) }
        if sent == nil { logger.debug("[Controller id=\(controllerId)] No sender for broker \(broker); \(API.key) dropped") }
    }

    /// Stops every sender (the controller resigned or shuts down).
    public func shutdown() {
        for id in brokerIds { removeBroker(id) }
    }
}
