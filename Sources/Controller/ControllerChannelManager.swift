import KafkaClient
import KafkaCommon
import KafkaProtocol
import KafkaZk
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// How the controller talks to the brokers (Kafka's `ControllerChannelManager`): one sender per
/// live broker (Kafka's `RequestSendThread`), each with its own queue and connection to the
/// broker's inter-broker listener, sending one request at a time and waiting for its response.
///
/// Bounds, as Kafka's sender has them:
/// - a connection attempt fails after `Settings.connectTimeout` (`controller.socket.timeout.ms`);
/// - a request not answered within `Settings.requestTimeout` (`request.timeout.ms`) fails, and its
///   connection is closed (later responses could no longer be matched to requests);
/// - a failed request (connection refused or lost, timed out) is sent again on a new connection
///   after a backoff (`Settings.retryBackoff`, doubling up to `Settings.maxRetryBackoff`), until
///   it is answered or the broker is removed: requests to one broker are never reordered or
///   skipped;
/// - removing a broker (it died, or this controller resigned) cancels its sender, which stops at
///   once wherever it is — waiting for a request, connecting (the attempt is abandoned and its
///   connection closed when it completes), waiting for a response (the connection is closed) or
///   backing off — and drops what it still had queued; its callbacks are not called.
///
/// Requests of one batch to different brokers go out in parallel: each broker has its own sender
/// task and connection, so a slow or dead broker delays only its own queue (`send` only
/// enqueues).
///
/// Isolation: the table of senders is behind a `Mutex`; each sender is one task.
public final class ControllerChannelManager: Sendable {
    /// The sender's bounds.
    public struct Settings: Sendable, Equatable {
        /// `request.timeout.ms`: how long a request waits for its response.
        public var requestTimeout: Duration
        /// `controller.socket.timeout.ms`: how long a connection attempt may take.
        public var connectTimeout: Duration
        /// The wait before the first retry of a failed request; it doubles on each further failure.
        public var retryBackoff: Duration
        public var maxRetryBackoff: Duration

        public init(
            requestTimeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(30),
            retryBackoff: Duration = .milliseconds(100), maxRetryBackoff: Duration = .seconds(1)
        ) {
            self.requestTimeout = requestTimeout
            self.connectTimeout = connectTimeout
            self.retryBackoff = retryBackoff
            self.maxRetryBackoff = maxRetryBackoff
        }
    }

    private struct Sender {
        let queue: AsyncStream<QueuedRequest>.Continuation
        let task: Task<Void, Never>
    }

    /// One request as a closure over a connection: sends (bounded by the timeout given), then
    /// hands the response to its callback.
    struct QueuedRequest: Sendable {
        let name: String
        let perform: @Sendable (BrokerConnection, TimeAmount) async throws -> Void
    }

    public let controllerId: BrokerId
    let interBrokerListener: String
    public let settings: Settings
    let logger: Logger
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let senders = Mutex<[BrokerId: Sender]>([:])

    public init(controllerId: BrokerId, interBrokerListener: String, settings: Settings = Settings(), logger: Logger) {
        self.controllerId = controllerId
        self.interBrokerListener = interBrokerListener
        self.settings = settings
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
        let task = Task { [group, logger, controllerId, settings] in
            let open: @Sendable () async throws -> BrokerConnection = {
                try await BrokerConnection.connect(
                    host: endpoint.host, port: Int(endpoint.port), clientId: "\(controllerId)", group: group,
                    timeout: settings.connectTimeout)
            }
            var connection: BrokerConnection?
            for await request in stream {
                var backoff = settings.retryBackoff
                while !Task.isCancelled {
                    do {
                        let active: BrokerConnection
                        if let current = connection, await current.isActive {
                            active = current
                        } else {
                            active = try await abandoningOnCancel(open) { await $0.close() }
                            connection = active
                        }
                        try await withTaskCancellationHandler {
                            try await request.perform(active, settings.requestTimeout.timeAmount)
                        } onCancel: {
                            Task { await active.close() }
                        }
                        break
                    } catch {
                        await connection?.close()
                        connection = nil
                        if Task.isCancelled { break }
                        logger.warning("[Controller id=\(controllerId)] \(request.name) to broker \(broker.id) at \(endpoint) failed: \(error); retrying in \(backoff)")
                        try? await Task.sleep(for: backoff)
                        backoff = min(backoff * 2, settings.maxRetryBackoff)
                    }
                }
            }
            await connection?.close()
        }
        senders.withLock { $0[broker.id] = Sender(queue: continuation, task: task) }
    }

    /// Stops `id`'s sender; what it had queued is dropped. Returns the sender's task, which ends
    /// promptly (for whoever must know that it has stopped).
    @discardableResult
    public func removeBroker(_ id: BrokerId) -> Task<Void, Never>? {
        guard let sender = senders.withLock({ $0.removeValue(forKey: id) }) else { return nil }
        sender.queue.finish()
        sender.task.cancel()
        return sender.task
    }

    /// Queues a request for a broker; `callback` gets its response, on the broker's sender task,
    /// unless the sender was stopped meanwhile (the broker died, or the controller resigned: a
    /// response to a request of its old epoch is then no longer its business).
    public func send<API: KafkaAPI>(
        to broker: BrokerId, _ api: API.Type, _ request: API.Request, version: Int16,
        callback: @escaping @Sendable (API.Response) -> Void = { _ in }
    ) {
        let queued = QueuedRequest(name: "\(API.key) v\(version)") { connection, timeout in
            let response = try await connection.send(API.self, request, version: version, timeout: timeout)
            guard !Task.isCancelled else { return }
            callback(response)
        }
        let sent = senders.withLock { $0[broker]?.queue.yield(queued) }
        if sent == nil { logger.debug("[Controller id=\(controllerId)] No sender for broker \(broker); \(API.key) dropped") }
    }

    /// Stops every sender (the controller resigned or shuts down); returns their tasks.
    @discardableResult
    public func shutdown() -> [Task<Void, Never>] {
        brokerIds.compactMap { removeBroker($0) }
    }
}

extension Duration {
    /// The same span as NIO's `TimeAmount` (nanosecond precision).
    var timeAmount: TimeAmount {
        .nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
}
