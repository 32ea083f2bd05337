import Logging

/// The request handlers (Kafka's `KafkaRequestHandlerPool`): `num.io.threads` threads of their own
/// (`RequestHandlerThread`), each running one handler task that takes requests from the
/// `RequestChannel` and passes each to `KafkaApis`, which answers it.
///
/// The broker's threads, and what each may block on:
/// - **Network event loops** (`num.network.threads`, `SocketServer`): read frames, parse headers,
///   write responses (file parts by sendfile). Never block; a connection whose request finds the
///   request queue full stays muted until the `RequestChannel` wakes it.
/// - **Request handler threads** (`num.io.threads`, this pool): all request handling. May block on
///   the disk (a log append's `pwrite`, index and segment reads) and on locks (a partition's, a
///   log's — held by `Log.roll` or `flushDirtyLogs` across an fsync), and wait for ZooKeeper
///   (CreateTopics' writes, LeaderAndIsr's topic configs). A blocked handler holds up its own
///   thread only. No handler waits for another request: a request that waits for something to
///   happen (Produce with acks=all, Fetch with `min_bytes`, CreateTopics, CreatePartitions,
///   DeleteTopics) is parked in a purgatory and answered by whichever thread completes it
///   (`KafkaDelayingRequestHandler`), so the handler goes on to the next request.
/// - **Replica fetcher threads** (one event loop each, `ReplicaFetcherThread`): block on their own
///   follower appends.
/// - **Controller channel thread** (one event loop, `ControllerChannelManager`): the I/O of the
///   controller's connections to the brokers.
/// - **Purgatory threads** (per purgatory, a timer executor and an expiration reaper): expire
///   delayed operations, which then answer their requests; they take partition locks briefly.
/// - **The log manager's scheduler** (a Dispatch queue): retention, `flushDirtyLogs` (fsync) and
///   checkpoint files.
/// - **ZooKeeper's C client threads**: its I/O and completions; completions only resume tasks.
/// - **The Swift runtime's cooperative pool**: the controller's event task and its per-broker
///   senders, other ZooKeeper callers outside requests, start-up and shutdown. Nothing that runs
///   there blocks.
///
/// Isolation: immutable; `shutdown` once, after the channel was closed.
public final class KafkaRequestHandlerPool: Sendable {
    private let threads: [RequestHandlerThread]
    private let tasks: [Task<Void, Never>]

    public init(threads count: Int, channel: RequestChannel, apis: KafkaApis) {
        threads = (0..<max(1, count)).map { RequestHandlerThread(name: "kafka-request-handler-\($0)") }
        tasks = threads.map { thread in
            Task(executorPreference: thread) {
                while let request = await channel.receive() {
                    await apis.handle(request)
                }
            }
        }
    }

    /// Which handler thread the caller runs on, if any.
    func currentThreadIndex() -> Int? {
        threads.firstIndex { $0.isCurrent }
    }

    /// Waits for every handler to finish (after the channel was closed), then ends their threads.
    public func shutdown() async {
        for task in tasks { await task.value }
        for thread in threads { thread.stop() }
    }
}
