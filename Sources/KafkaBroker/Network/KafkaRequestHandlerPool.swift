import Synchronization
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
/// `num.io.threads` may change at run time (a dynamic broker config, Kafka's
/// `KafkaRequestHandlerPool.resizeThreadPool`): growing starts new handler threads at once;
/// shrinking retires the newest handlers, each of which ends after the request it is handling or
/// waiting for, and then ends its thread.
///
/// Isolation: the handlers behind a `Mutex`; `shutdown` once, after the channel was closed.
public final class KafkaRequestHandlerPool: Sendable {
    /// One handler: its thread, the task that takes requests on it, and its retirement flag.
    struct Handler: Sendable {
        let thread: RequestHandlerThread
        let task: Task<Void, Never>
        let retirement: Retirement
    }

    final class Retirement: Sendable {
        let isRetired = Atomic<Bool>(false)
    }

    struct State {
        var active: [Handler] = []
        var retired: [Handler] = []
        var nextId = 0
    }

    private let channel: RequestChannel
    private let apis: KafkaApis
    private let state = Mutex(State())

    public init(threads count: Int, channel: RequestChannel, apis: KafkaApis) {
        self.channel = channel
        self.apis = apis
        resize(to: count)
    }

    /// How many handlers take requests now.
    public var size: Int { state.withLock { $0.active.count } }

    /// Starts or retires handlers until `count` (at least 1) take requests.
    public func resize(to count: Int) {
        let (channel, apis) = (self.channel, self.apis)
        let retiring = state.withLock { state -> [Handler] in
            while state.active.count < max(1, count) {
                let thread = RequestHandlerThread(name: "kafka-request-handler-\(state.nextId)")
                state.nextId += 1
                let retirement = Retirement()
                let task = Task(executorPreference: thread) {
                    while !retirement.isRetired.load(ordering: .relaxed), let request = await channel.receiveMeasuringIdle() {
                        await apis.handle(request)
                    }
                }
                state.active.append(Handler(thread: thread, task: task, retirement: retirement))
            }
            var retiring: [Handler] = []
            while state.active.count > max(1, count) {
                let handler = state.active.removeLast()
                handler.retirement.isRetired.store(true, ordering: .relaxed)
                retiring.append(handler)
            }
            state.retired += retiring
            channel.requestMetrics?.handlerThreads.store(state.active.count, ordering: .relaxed)
            return retiring
        }
        for handler in retiring {
            Task { await handler.task.value; handler.thread.stop() }
        }
    }

    /// Which handler thread the caller runs on, if any.
    func currentThreadIndex() -> Int? {
        state.withLock { $0.active.firstIndex { $0.thread.isCurrent } }
    }

    /// Waits for every handler to finish (after the channel was closed), then ends their threads.
    public func shutdown() async {
        let handlers = state.withLock { $0.active + $0.retired }
        for handler in handlers { await handler.task.value }
        for handler in handlers { handler.thread.stop() }
    }
}
