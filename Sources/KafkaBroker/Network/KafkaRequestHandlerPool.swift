import Logging

/// The request handlers (Kafka's `KafkaRequestHandlerPool`): `num.io.threads` tasks taking
/// requests from the `RequestChannel` and passing each to `KafkaApis`, which answers it. Request
/// handling happens here, never on the network event loops; a handler that waits (for the disk,
/// a lock, ZooKeeper) holds only its own task, and a request waiting in a purgatory holds none
/// (see `KafkaDelayingRequestHandler`).
public final class KafkaRequestHandlerPool: Sendable {
    private let tasks: [Task<Void, Never>]

    public init(threads: Int, channel: RequestChannel, apis: KafkaApis) {
        tasks = (0..<max(1, threads)).map { _ in
            Task {
                while let request = await channel.receive() {
                    await apis.handle(request)
                }
            }
        }
    }

    /// Waits for every handler to finish (after the channel was closed).
    public func shutdown() async {
        for task in tasks { await task.value }
    }
}
