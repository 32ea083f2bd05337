import Foundation
import KafkaCommon
import Logging
import Synchronization

/// The broker settings of `LogManager`'s own periodic tasks (the per-log policies they apply,
/// `retention.ms`, `flush.ms` and so on, are in each log's `LogConfig`).
public struct LogManagerConfig: Sendable, Equatable {
    /// `log.retention.check.interval.ms`: how often `cleanupLogs` runs.
    public var retentionCheckMs: Int64 = 300_000
    /// `log.flush.scheduler.interval.ms`: how often `flushDirtyLogs` runs (`Int64.max`: never).
    public var flushCheckMs: Int64 = .max
    /// `log.flush.offset.checkpoint.interval.ms`: how often `checkpointRecoveryOffsets` runs.
    public var flushRecoveryOffsetCheckpointMs: Int64 = 60_000
    /// `log.flush.start.offset.checkpoint.interval.ms`: how often `checkpointLogStartOffsets` runs.
    public var flushStartOffsetCheckpointMs: Int64 = 60_000
    /// Delay before each task's first run (Kafka's fixed `InitialTaskDelayMs`, 30 s).
    public var initialTaskDelayMs: Int64 = 30_000
    /// `transactional.id.expiration.ms`: how long a producer's state is kept after its last
    /// batch when it has no open transaction.
    public var producerIdExpirationMs: Int64 = ProducerStateManager.defaultMaxProducerIdExpirationMs
    /// `producer.id.expiration.check.interval.ms`: how often `removeExpiredProducers` runs.
    public var producerIdExpirationCheckIntervalMs: Int64 = 600_000

    public init() {}

    /// The settings from `server.properties` keys; other keys are ignored.
    public init(brokerProperties properties: [String: String]) throws {
        self.init()
        func value(_ key: String, atLeast minimum: Int64) throws -> Int64? {
            guard let text = properties[key] else { return nil }
            guard let number = Int64(text.trimmingCharacters(in: .whitespaces)), number >= minimum else {
                throw LogConfigError.invalidValue(key: key, value: text)
            }
            return number
        }
        if let ms = try value("log.retention.check.interval.ms", atLeast: 1) { retentionCheckMs = ms }
        if let ms = try value("log.flush.scheduler.interval.ms", atLeast: 0) { flushCheckMs = ms }
        if let ms = try value("log.flush.offset.checkpoint.interval.ms", atLeast: 0) { flushRecoveryOffsetCheckpointMs = ms }
        if let ms = try value("log.flush.start.offset.checkpoint.interval.ms", atLeast: 0) { flushStartOffsetCheckpointMs = ms }
        if let ms = try value("transactional.id.expiration.ms", atLeast: 1) { producerIdExpirationMs = ms }
        if let ms = try value("producer.id.expiration.check.interval.ms", atLeast: 1) { producerIdExpirationCheckIntervalMs = ms }
    }
}

extension LogManager {
    // MARK: Periodic tasks

    /// Schedules the four periodic tasks (Kafka's `kafka-log-retention`, `kafka-log-flusher`,
    /// `kafka-recovery-point-checkpoint`, `kafka-log-start-offset-checkpoint`). A task whose
    /// interval is not positive or is `Int64.max` is not scheduled.
    func schedulePeriodicTasks() {
        schedulePeriodically("kafka-log-retention", every: settings.retentionCheckMs) { $0.cleanupLogs() }
        schedulePeriodically("kafka-log-flusher", every: settings.flushCheckMs) { $0.flushDirtyLogs() }
        schedulePeriodically("kafka-recovery-point-checkpoint", every: settings.flushRecoveryOffsetCheckpointMs) {
            $0.checkpointRecoveryOffsets()
        }
        schedulePeriodically("kafka-log-start-offset-checkpoint", every: settings.flushStartOffsetCheckpointMs) {
            $0.checkpointLogStartOffsets()
        }
        schedulePeriodically("PeriodicProducerExpirationCheck", every: settings.producerIdExpirationCheckIntervalMs) {
            $0.removeExpiredProducers()
        }
    }

    /// Forgets, in every log, the producers idle longer than `transactional.id.expiration.ms`
    /// (Kafka runs this per log, every `producer.id.expiration.check.interval.ms`). Returns how
    /// many.
    @discardableResult
    public func removeExpiredProducers() -> Int {
        let now = time.milliseconds
        return allLogs.reduce(0) { $0 + $1.removeExpiredProducers(now: now) }
    }

    /// Runs `task` after the initial delay, then every `periodMs`, until shutdown: each run
    /// schedules the next (the `Scheduler` has one-shot tasks only).
    private func schedulePeriodically(_ name: String, every periodMs: Int64, _ task: @escaping @Sendable (LogManager) -> Void) {
        guard periodMs > 0, periodMs < .max else {
            logger.debug("Periodic task disabled", metadata: ["task": "\(name)"])
            return
        }
        scheduleRun(name, afterMs: settings.initialTaskDelayMs, periodMs: periodMs, task)
    }

    private func scheduleRun(_ name: String, afterMs delayMs: Int64, periodMs: Int64, _ task: @escaping @Sendable (LogManager) -> Void) {
        scheduler.schedule(name: name, delayMs: delayMs) { [weak self] in
            guard let self, !self.isShutdown else { return }
            task(self)
            self.scheduleRun(name, afterMs: periodMs, periodMs: periodMs, task)
        }
    }

    var isShutdown: Bool { state.withLock { $0.isShutdown } }

    /// Kafka's `cleanupLogs`: applies `deleteOldSegments` (retention by `retention.ms` and
    /// `retention.bytes` when the policy has `delete`, and the log start offset under any policy)
    /// to every log whose `cleanup.policy` lacks `compact`. A log that fails is logged and the
    /// others go on. Returns the number of segments deleted.
    ///
    /// With a cleaner, the logs are taken through `pauseCleaningForNonCompactedPartitions` (a log
    /// the cleaner holds is skipped this round) and resumed afterwards, so that a log whose
    /// policy changes meanwhile is never cleaned and trimmed at once. Compacted logs are not this
    /// task's: the cleaner's threads apply retention to the `compact,delete` ones between
    /// cleanings (`LogCleanerManager.deletableLogs`); without a cleaner
    /// (`log.cleaner.enable=false`) nothing deletes their segments, as in Kafka 2.3.
    @discardableResult
    public func cleanupLogs() -> Int {
        let cleaner = self.cleaner
        let deletable = cleaner.map { $0.pauseCleaningForNonCompactedPartitions().map(\.1) } ?? allLogs.filter { !$0.config.isCompact }
        defer { cleaner?.resumeCleaning(deletable.map(\.topicPartition)) }
        var deleted = 0
        for log in deletable {
            do {
                deleted += try log.deleteOldSegments()
            } catch {
                logger.error("Retention failed", metadata: ["topicPartition": "\(log.topicPartition)", "error": "\(error)"])
            }
        }
        if deleted > 0 { logger.debug("Log cleanup deleted segments", metadata: ["segments": "\(deleted)"]) }
        return deleted
    }

    /// Flushes every log whose last flush is at least its `flush.ms` old (`Log.flushIfDue`: the
    /// fsyncs run outside the log's lock). Returns the partitions flushed.
    @discardableResult
    public func flushDirtyLogs() -> [TopicPartition] {
        var flushed: [TopicPartition] = []
        for log in allLogs {
            do {
                if try log.flushIfDue() { flushed.append(log.topicPartition) }
            } catch {
                logger.error("Flush failed", metadata: ["topicPartition": "\(log.topicPartition)", "error": "\(error)"])
            }
        }
        return flushed
    }

    /// Writes each live directory's `recovery-point-offset-checkpoint`: every log's recovery point.
    public func checkpointRecoveryOffsets() {
        for dir in liveLogDirs { checkpointRecoveryOffsets(in: dir) }
    }

    /// Writes each live directory's `log-start-offset-checkpoint`: the log start offset of every
    /// log where it lies above the first segment's base offset (elsewhere loading finds it).
    public func checkpointLogStartOffsets() {
        for dir in liveLogDirs { checkpointLogStartOffsets(in: dir) }
    }

    func checkpointRecoveryOffsets(in dir: String) {
        let entries = logs(in: dir).map { log in log.withLock { log in TopicPartitionOffset(log.topicPartition, log.recoveryPoint) } }
        writeCheckpoint(dir, CheckpointFileName.recoveryPoint, entries)
        for log in logs(in: dir) {
            do {
                try log.deleteSnapshotsAfterRecoveryPointCheckpoint()
            } catch StorageError.closed {
                // Deleted meanwhile.
            } catch {
                logger.warning("Cannot delete old producer snapshots", metadata: ["topicPartition": "\(log.topicPartition)", "error": "\(error)"])
            }
        }
    }

    func checkpointLogStartOffsets(in dir: String) {
        let entries = logs(in: dir).compactMap { log in
            log.withLock { log in log.logStartOffsetCheckpointEntry }
        }
        writeCheckpoint(dir, CheckpointFileName.logStartOffset, entries)
    }

    /// A failed checkpoint write takes the directory offline (its checkpoints can no longer be
    /// trusted to advance).
    func writeCheckpoint(_ dir: String, _ name: String, _ entries: [TopicPartitionOffset]) {
        do {
            try CheckpointFile<TopicPartitionOffset>(path: "\(dir)/\(name)").write(entries)
        } catch {
            markOffline(dir, error)
        }
    }

    // MARK: Shutdown

    /// How many logs `shutdown` flushes, and then closes, at once. The syncs wait on the disk,
    /// not on a CPU, and a journaling file system commits concurrent ones together, so many dirty
    /// logs close in a fraction of the time one after the other takes (300 logs written by a
    /// producer: 3.6 s → under 1 s here). A close trims the indexes, unmaps them and writes a
    /// producer snapshot and any pending leader epoch checkpoint: file-system work again, done
    /// one log after the other it took 2.6–9.5 s for 1,000 partitions. Kafka 2.3 closes the logs
    /// of a directory on a pool of `num.recovery.threads.per.data.dir` threads; this bound plays
    /// that part (the directories themselves are closed one after the other, as here).
    static let shutdownFlushWidth = 16

    /// Flushes `logs`, `shutdownFlushWidth` at a time, on threads of their own; rethrows the
    /// first failure once all are done.
    static func flushConcurrently(_ logs: [Log]) throws {
        try forEachConcurrently(logs) { log in try log.flush() }
    }

    /// Runs `body` for each of `logs`, `shutdownFlushWidth` at a time, on threads of their own;
    /// rethrows the first failure once all are done (every log is visited whatever fails).
    static func forEachConcurrently(_ logs: [Log], _ body: @escaping @Sendable (Log) throws -> Void) throws {
        guard logs.count > 1 else {
            for log in logs { try body(log) }
            return
        }
        let next = Mutex(0)
        let failure = Mutex<(any Error)?>(nil)
        let group = DispatchGroup()
        for _ in 0..<min(shutdownFlushWidth, logs.count) {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                while true {
                    let index = next.withLock { value -> Int in
                        defer { value += 1 }
                        return value
                    }
                    guard index < logs.count else { return }
                    do {
                        try body(logs[index])
                    } catch {
                        failure.withLock { $0 = $0 ?? error }
                    }
                }
            }
        }
        group.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Kafka's `shutdown`: stops the periodic tasks, then per live directory flushes and closes
    /// every log, writes both checkpoints, and last writes `.kafka_cleanshutdown`. A directory
    /// where any of this fails gets no marker (its logs are recovered at the next start); the
    /// failure is logged with the directory's name. Idempotent.
    public func shutdown() {
        let alreadyShutdown = state.withLock { state -> Bool in
            defer { state.isShutdown = true }
            return state.isShutdown
        }
        guard !alreadyShutdown else { return }
        logger.info("Shutting down the log manager")
        cleaner?.shutdown()
        for dir in liveLogDirs {
            do {
                let logs = logs(in: dir)
                let started = DispatchTime.now().uptimeNanoseconds
                try Self.flushConcurrently(logs)  // the fsyncs without the lock
                let flushed = DispatchTime.now().uptimeNanoseconds
                let closed = Mutex<[(TopicPartitionOffset, TopicPartitionOffset?)]>([])
                try Self.forEachConcurrently(logs) { log in
                    let entries = try log.withLock { log in
                        try log.flush()  // whatever was appended meanwhile
                        try log.close()
                        return (TopicPartitionOffset(log.topicPartition, log.recoveryPoint), log.logStartOffsetCheckpointEntry)
                    }
                    closed.withLock { $0.append(entries) }
                }
                let entries = closed.withLock { $0 }.sorted { $0.0.topicPartition < $1.0.topicPartition }
                let recoveryPoints = entries.map(\.0)
                let startOffsets = entries.compactMap(\.1)
                try CheckpointFile<TopicPartitionOffset>(path: "\(dir)/\(CheckpointFileName.recoveryPoint)").write(recoveryPoints)
                try CheckpointFile<TopicPartitionOffset>(path: "\(dir)/\(CheckpointFileName.logStartOffset)").write(startOffsets)
                let marker = "\(dir)/\(CheckpointFileName.cleanShutdown)"
                guard FileManager.default.createFile(atPath: marker, contents: Data()) else {
                    throw StorageError.io(path: marker, operation: "create", message: "cannot write the clean shutdown marker")
                }
                let now = DispatchTime.now().uptimeNanoseconds
                logger.info("Log directory shut down cleanly", metadata: [
                    "logDir": "\(dir)", "logs": "\(logs.count)", "flushMs": "\((flushed - started) / 1_000_000)",
                    "closeMs": "\((now - flushed) / 1_000_000)",
                ])
            } catch {
                logger.error("Log directory did not shut down cleanly", metadata: ["logDir": "\(dir)", "error": "\(error)"])
            }
        }
        state.withLock { $0.logs = [:] }
    }
}
