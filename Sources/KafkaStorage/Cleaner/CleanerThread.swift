import Foundation
import KafkaCommon
import Logging
import Synchronization

/// One log cleaner thread (Kafka's `LogCleaner.CleanerThread`, named
/// `kafka-log-cleaner-thread-<id>`). `start` runs `doWork` in a loop on a thread of its own
/// until `initiateShutdown`; tests call `cleanFilthiestLog` directly instead.
///
/// A cleaning that fails for a reason other than an abort marks the partition uncleanable
/// (Kafka's `markPartitionUncleanable`) and the thread goes on: no error leaves the thread.
public final class CleanerThread: @unchecked Sendable {
    public let id: Int
    /// Makes the thread's `Cleaner`, on its first cleaning: its offset map's memory
    /// (`log.cleaner.dedupe.buffer.size / threads`) is taken only by a broker that cleans.
    let makeCleaner: () -> Cleaner
    /// Used only by this thread (or by a test driving it while it is not started).
    private var cleanerStorage: Cleaner?
    var cleaner: Cleaner {
        if let cleanerStorage { return cleanerStorage }
        let made = makeCleaner()
        cleanerStorage = made
        return made
    }
    let manager: LogCleanerManager
    let backOffMs: Int64
    let logger: Logger
    public let name: String

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var running = false
    private var stopped = true
    private var shuttingDown = false

    init(id: Int, manager: LogCleanerManager, backOffMs: Int64, logger: Logger, makeCleaner: @escaping () -> Cleaner) {
        self.id = id
        self.makeCleaner = makeCleaner
        self.manager = manager
        self.backOffMs = backOffMs
        self.logger = logger
        self.name = "kafka-log-cleaner-thread-\(id)"
    }

    private var isRunning: Bool {
        condition.lock()
        defer { condition.unlock() }
        return running
    }

    func start() {
        condition.lock()
        running = true
        stopped = false
        shuttingDown = false
        condition.unlock()
        let thread = Thread { [self] in
            logger.info("[\(name)]: Starting")
            while isRunning { doWork() }
            logger.info("[\(name)]: Stopped")
            condition.lock()
            stopped = true
            condition.broadcast()
            condition.unlock()
        }
        thread.name = name
        thread.start()
    }

    func initiateShutdown() {
        condition.lock()
        if running { logger.info("[\(name)]: Shutting down") }
        running = false
        shuttingDown = true
        condition.broadcast()
        condition.unlock()
    }

    func awaitShutdown() {
        condition.lock()
        while !stopped { condition.wait() }
        condition.unlock()
        logger.info("[\(name)]: Shutdown completed")
    }

    /// One round: clean if something is cleanable, otherwise back off (Kafka's `doWork`).
    func doWork() {
        guard !cleanFilthiestLog() else { return }
        condition.lock()
        let deadline = Date(timeIntervalSinceNow: Double(backOffMs) / 1000)
        while running, Date() < deadline { _ = condition.wait(until: deadline) }
        condition.unlock()
    }

    /// Cleans the filthiest log, if any, then applies retention to the idle `compact,delete`
    /// logs (Kafka's `tryCleanFilthiestLog`). Returns whether a log was cleaned.
    @discardableResult
    public func cleanFilthiestLog() -> Bool {
        var cleaned = false
        if let (cleanable, log) = manager.grabFilthiestCompactedLog() {
            cleaned = true
            cleanLog(cleanable, log)
        }
        let deletable = manager.deletableLogs()
        defer { manager.doneDeleting(deletable.map(\.0)) }
        for (topicPartition, log) in deletable {
            do {
                // The log is in progress for this thread: retention under its lock, no pause.
                _ = try log.withLock { local in try local.deleteOldSegments() }
            } catch {
                logger.warning("[\(name)]: Unexpected exception thrown when cleaning log \(log.dir). Marking its partition (\(topicPartition)) as uncleanable: \(error)")
                manager.markPartitionUncleanable(LogManager.parentDir(of: log), topicPartition)
            }
        }
        return cleaned
    }

    /// Kafka's `cleanLog`: cleans, logs the summary, and records the new checkpoint (or, after
    /// an abort, the old one) through `doneCleaning`.
    private func cleanLog(_ cleanable: LogToClean, _ log: Log) {
        let topicPartition = cleanable.topicPartition
        let dir = LogManager.parentDir(of: log)
        var endOffset = cleanable.firstDirtyOffset
        var failure: (any Error)?
        do {
            let (nextDirtyOffset, stats) = try cleaner.clean(
                log, firstDirtyOffset: cleanable.firstDirtyOffset, firstUncleanableOffset: cleanable.firstUncleanableOffset
            ) { [self] in
                guard !isShuttingDown else { throw LogCleaningAbortedError(topicPartition, reason: "the cleaner is shutting down") }
                try manager.checkCleaningAborted(topicPartition)
            }
            // Kafka 2.3 prints the first dirty offset at both ends (see `CleanerStats.summary`).
            logger.info("[\(name)]: \(stats.summary(threadId: id, logName: "\(topicPartition)", from: cleanable.firstDirtyOffset, to: cleanable.firstDirtyOffset))")
            endOffset = nextDirtyOffset
        } catch let error as LogCleaningAbortedError {
            logger.info("Cleaner \(id): \(error)")
        } catch StorageError.closed {
            // The log was closed (deleted, or the broker shutting down): let it go.
        } catch {
            failure = error
        }
        manager.doneCleaning(topicPartition, dir: dir, endOffset: endOffset)
        if let failure {
            logger.warning("[\(name)]: Unexpected exception thrown when cleaning log \(log.dir). Marking its partition (\(topicPartition)) as uncleanable: \(failure)")
            manager.markPartitionUncleanable(dir, topicPartition)
        }
    }

    private var isShuttingDown: Bool {
        condition.lock()
        defer { condition.unlock() }
        return shuttingDown
    }
}
