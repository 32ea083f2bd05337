import Foundation
import KafkaCommon
import Logging
import Synchronization

/// The log cleaner (Kafka's `LogCleaner`): `log.cleaner.threads` cleaner threads that compact
/// the broker's compacted logs in the background, sharing one `LogCleanerManager` (which log is
/// cleaned next, aborts, checkpoints) and one `Throttler`
/// (`log.cleaner.io.max.bytes.per.second` over everything they read and write).
///
/// Each thread (`CleanerThread`) loops: pick the filthiest log and clean it, then apply
/// retention to the `compact,delete` logs; when nothing was cleaned, sleep
/// `log.cleaner.backoff.ms` (woken early by shutdown). Each has its own `Cleaner` with an offset
/// map of `log.cleaner.dedupe.buffer.size / threads` bytes and reads of
/// `log.cleaner.io.buffer.size / threads / 2` bytes (growing up to `message.max.bytes` for a
/// larger batch), as Kafka sizes them.
///
/// Logs to `kafka.log.LogCleaner` (Kafka's log4j category, which Kafka's config sends to
/// `log-cleaner.log`): start and stop, each cleaning's steps and its summary.
public final class LogCleaner: Sendable {
    public let manager: LogCleanerManager
    let time: any Time
    let logger: Logger
    let throttler: Throttler
    private struct State {
        var config: LogCleanerConfig
        var threads: [CleanerThread] = []
        var isStarted = false
    }
    private let state: Mutex<State>

    /// `logs` gives the broker's current logs.
    public init(
        config: LogCleanerConfig, logDirs: [String], logs: @escaping @Sendable () -> [TopicPartition: Log], time: any Time,
        logger: Logger = Logger(label: "kafka.log.LogCleaner"),
        sleep: @escaping @Sendable (Int64) -> Void = { ms in if ms > 0 { Thread.sleep(forTimeInterval: Double(ms) / 1000) } }
    ) {
        self.time = time
        self.logger = logger
        let manager = LogCleanerManager(logDirs: logDirs, logs: logs, time: time, logger: logger)
        let throttler = Throttler(desiredRatePerSec: config.maxIoBytesPerSecond, checkIntervalMs: 300, time: time, sleep: sleep)
        self.manager = manager
        self.throttler = throttler
        var initial = State(config: config)
        initial.threads = (0..<config.numThreads).map { Self.makeThread($0, config: config, manager: manager, throttler: throttler, time: time, logger: logger) }
        self.state = Mutex(initial)
    }

    private static func makeThread(
        _ id: Int, config: LogCleanerConfig, manager: LogCleanerManager, throttler: Throttler, time: any Time, logger: Logger
    ) -> CleanerThread {
        CleanerThread(id: id, manager: manager, backOffMs: config.backOffMs, logger: logger) {
            let cleaner = Cleaner(
                id: id, offsetMap: SkimpyOffsetMap(memory: config.offsetMapMemoryPerThread),
                dupBufferLoadFactor: config.dedupeBufferLoadFactor, ioBufferSize: config.readBufferSizePerThread,
                maxIoBufferSize: max(config.maxMessageSize, config.readBufferSizePerThread), time: time, logger: logger)
            cleaner.throttler = throttler
            return cleaner
        }
    }

    public var config: LogCleanerConfig { state.withLock { $0.config } }

    /// The cleaner threads (tests drive them one round at a time without `startup`).
    public var threads: [CleanerThread] { state.withLock { $0.threads } }

    /// Starts the threads (Kafka's `startup`).
    public func startup() {
        logger.info("Starting the log cleaner")
        let threads = state.withLock { state -> [CleanerThread] in
            guard !state.isStarted else { return [] }
            state.isStarted = true
            return state.threads
        }
        for thread in threads { thread.start() }
    }

    /// Stops the threads and waits for them (Kafka's `shutdown`): a cleaning in progress stops
    /// at its next segment, its output discarded.
    public func shutdown() {
        logger.info("Shutting down the log cleaner.")
        let threads = state.withLock { state -> [CleanerThread] in
            state.isStarted = false
            return state.threads
        }
        for thread in threads { thread.initiateShutdown() }
        for thread in threads { thread.awaitShutdown() }
    }

    /// Replaces the threads with `config.numThreads` new ones sized for `config` (Kafka's
    /// `reconfigure`, for the dynamic keys of `LogCleanerConfig.reconfigurableKeys`): the old
    /// ones stop first (a cleaning in progress is abandoned, as at shutdown), the shared throttler
    /// takes the new `log.cleaner.io.max.bytes.per.second`, and the new threads get offset maps,
    /// I/O buffers and back-off from `config`.
    public func reconfigure(_ config: LogCleanerConfig) {
        logger.info("Reconfiguring the log cleaner: \(config.numThreads) cleaner threads, \(config.reconfigurableSummary)")
        let (old, wasStarted) = state.withLock { state in (state.threads, state.isStarted) }
        for thread in old { thread.initiateShutdown() }
        for thread in old { thread.awaitShutdown() }
        throttler.updateDesiredRatePerSec(config.maxIoBytesPerSecond)
        let new = (0..<config.numThreads).map { Self.makeThread($0, config: config, manager: manager, throttler: throttler, time: time, logger: logger) }
        state.withLock { state in
            state.config = config
            state.threads = new
        }
        if wasStarted { for thread in new { thread.start() } }
    }

    /// The rate all cleaner threads are held under now (`log.cleaner.io.max.bytes.per.second`).
    public var maxIoBytesPerSecond: Double { throttler.desiredRatePerSec }

    /// A log directory went offline (Kafka's `handleLogDirFailure`): the manager stops
    /// keeping its checkpoint.
    public func handleLogDirFailure(_ dir: String) { manager.handleLogDirFailure(dir) }

    // The manager's operations, as Kafka's `LogCleaner` exposes them to `LogManager`.

    public func abortCleaning(_ topicPartition: TopicPartition) { manager.abortCleaning(topicPartition) }
    public func abortAndPauseCleaning(_ topicPartition: TopicPartition) { manager.abortAndPauseCleaning(topicPartition) }
    public func resumeCleaning(_ topicPartitions: [TopicPartition]) { manager.resumeCleaning(topicPartitions) }
    public func updateCheckpoints(_ dir: String) { manager.updateCheckpoints(dir) }
    public func maybeTruncateCheckpoint(_ dir: String, _ topicPartition: TopicPartition, offset: Int64) {
        manager.maybeTruncateCheckpoint(dir, topicPartition, offset: offset)
    }
    public func pauseCleaningForNonCompactedPartitions() -> [(TopicPartition, Log)] { manager.pauseCleaningForNonCompactedPartitions() }
}
