import Foundation
import KafkaCommon
import Logging
import Synchronization

/// The cleaner's bookkeeping across the broker's logs (Kafka's `LogCleanerManager`): which log
/// each cleaner thread cleans next, the cleaning state of every log (`LogCleaningStates`), the
/// partitions that failed to clean, and each log directory's `cleaner-offset-checkpoint` (the
/// offset up to which each compacted log is clean).
///
/// The other side: whoever truncates or deletes a log, or deletes its segments, first calls
/// `abortAndPauseCleaning` (or `abortCleaning`), which returns once no cleaner thread reads the
/// log any more, and `resumeCleaning` when done. The cleaner threads call
/// `grabFilthiestCompactedLog`, `checkCleaningAborted` between segments, and `doneCleaning`.
///
/// Isolation: one lock (an `NSCondition`, whose waiters are `abortAndPauseCleaning` callers)
/// guards the states, the uncleanable set and the checkpoint writes. It may be held while a
/// log's lock is taken (to read the facts of a log), never the other way round: no caller
/// holding a log's lock calls the manager.
public final class LogCleanerManager: @unchecked Sendable {
    public let logDirs: [String]
    let logs: @Sendable () -> [TopicPartition: Log]
    let time: any Time
    let logger: Logger

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var states = LogCleaningStates()
    private var uncleanablePartitions: [String: Set<TopicPartition>] = [:]
    /// Directories gone offline (`handleLogDirFailure`): their checkpoints are neither read nor
    /// written any more.
    private var offlineDirs: Set<String> = []
    /// The high watermark of each partition; nil for a partition not hosted yet, which is then
    /// not cleaned. With the log's own first unstable offset it bounds the cleanable range at the
    /// last stable offset, as Kafka 2.3 does.
    private var firstUnstableOffset: (@Sendable (TopicPartition) -> Int64?)?

    /// `logs` gives the broker's current logs (`LogManager`'s table).
    public init(logDirs: [String], logs: @escaping @Sendable () -> [TopicPartition: Log], time: any Time, logger: Logger) {
        self.logDirs = logDirs
        self.logs = logs
        self.time = time
        self.logger = logger
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }

    /// Installs the bound of the cleanable range per partition (the replica manager's high
    /// watermarks). Without one, only the active segment and the compaction lag bound it.
    public func setFirstUnstableOffsetProvider(_ provider: @escaping @Sendable (TopicPartition) -> Int64?) {
        locked { firstUnstableOffset = provider }
    }

    public func cleaningState(_ topicPartition: TopicPartition) -> LogCleaningState? { locked { states[topicPartition] } }

    // MARK: Checkpoints

    func checkpointFile(_ dir: String) -> CheckpointFile<TopicPartitionOffset> {
        CheckpointFile(path: "\(dir)/\(CheckpointFileName.cleanerOffset)")
    }

    /// Every directory's checkpoint entries (Kafka's `allCleanerCheckpoints`); a file that cannot
    /// be read is logged and taken as empty.
    public func allCleanerCheckpoints() -> [TopicPartition: Int64] { locked { allCleanerCheckpointsLocked() } }

    private func allCleanerCheckpointsLocked() -> [TopicPartition: Int64] {
        var all: [TopicPartition: Int64] = [:]
        for dir in logDirs where !offlineDirs.contains(dir) {
            do {
                for entry in try checkpointFile(dir).read() { all[entry.topicPartition] = entry.offset }
            } catch {
                logger.warning("Failed to access checkpoint file \(CheckpointFileName.cleanerOffset) in dir \(dir): \(error)")
            }
        }
        return all
    }

    /// Rewrites `dir`'s checkpoint (Kafka's `updateCheckpoints`): the entries of logs still in
    /// the broker, plus `update` when given; entries of logs gone (deleted, moved) are dropped.
    public func updateCheckpoints(_ dir: String, update: (TopicPartition, Int64)? = nil) {
        locked { updateCheckpointsLocked(dir, update: update) }
    }

    private func updateCheckpointsLocked(_ dir: String, update: (TopicPartition, Int64)?) {
        guard !offlineDirs.contains(dir) else { return }
        let file = checkpointFile(dir)
        do {
            let live = Set(logs().filter { LogManager.parentDir(of: $0.value) == dir }.keys)
            var entries = Dictionary(try file.read().map { ($0.topicPartition, $0.offset) }, uniquingKeysWith: { _, last in last })
                .filter { live.contains($0.key) }
            if let (topicPartition, offset) = update { entries[topicPartition] = offset }
            try file.write(entries.sorted { $0.key < $1.key }.map { TopicPartitionOffset($0.key, $0.value) })
        } catch {
            logger.error("Failed to access checkpoint file \(CheckpointFileName.cleanerOffset) in dir \(dir): \(error)")
        }
    }

    /// The directories whose checkpoints are kept: the log dirs not gone offline.
    public var checkpointDirs: [String] { locked { logDirs.filter { !offlineDirs.contains($0) } } }

    /// `dir` went offline (Kafka's `handleLogDirFailure`): its checkpoint entries leave the
    /// bookkeeping. The cleaning offsets no longer include them, and no later update writes
    /// to the dead directory (its logs are gone from the broker, so none is picked either).
    public func handleLogDirFailure(_ dir: String) {
        logger.info("Stopping cleaning logs in dir \(dir)")
        locked { _ = offlineDirs.insert(dir) }
    }

    /// After a truncation to below the checkpoint: lowers the log's entry to `offset` (Kafka's
    /// `maybeTruncateCheckpoint`).
    public func maybeTruncateCheckpoint(_ dir: String, _ topicPartition: TopicPartition, offset: Int64) {
        locked {
            let current = (try? checkpointFile(dir).read())?.first { $0.topicPartition == topicPartition }?.offset
            if let current, current > offset { updateCheckpointsLocked(dir, update: (topicPartition, offset)) }
        }
    }

    // MARK: Selection

    /// Picks the log to clean and marks it in progress (Kafka's `grabFilthiestCompactedLog`):
    /// among the logs with `compact` in `cleanup.policy` that are idle and not uncleanable,
    /// those that are cleanable (`LogToClean.isCleanable`), the filthiest
    /// (`LogToClean.isFilthier`). Nil when none is.
    public func grabFilthiestCompactedLog(now: Int64? = nil) -> (LogToClean, Log)? {
        let now = now ?? time.milliseconds
        return locked {
            let checkpoints = allCleanerCheckpointsLocked()
            var best: (LogToClean, Log)?
            for (topicPartition, log) in logs().sorted(by: { $0.key < $1.key }) {
                guard states.isIdle(topicPartition), !isUncleanableLocked(log) else { continue }
                guard let facts = log.cleanableFacts() else { continue }
                var bound: Int64?
                if let provider = firstUnstableOffset {
                    bound = provider(topicPartition) ?? facts.logStartOffset
                }
                // No transaction that is not yet stable is cleaned (Kafka's first unstable offset).
                if let unstable = facts.firstUnstableOffset { bound = min(bound ?? unstable, unstable) }
                let offsets = LogToClean.cleanableOffsets(facts, checkpoint: checkpoints[topicPartition], now: now, firstUnstableOffset: bound)
                if let reset = offsets.reset { logger.warning("\(reset)") }
                let delay = LogToClean.maxCompactionDelay(facts, firstDirtyOffset: offsets.firstDirtyOffset, now: now)
                let candidate = LogToClean(
                    facts, firstDirtyOffset: offsets.firstDirtyOffset, firstUncleanableOffset: offsets.firstUncleanableOffset,
                    needCompactionNow: delay > 0)
                guard candidate.totalBytes > 0, candidate.isCleanable else { continue }
                if best.map({ LogToClean.isFilthier(candidate, than: $0.0) }) ?? true { best = (candidate, log) }
            }
            if let (chosen, _) = best { try? states.markInProgress(chosen.topicPartition) }
            return best
        }
    }

    /// The `compact,delete` logs that are idle (and not uncleanable), marked in progress: the
    /// cleaner thread applies retention to them and then calls `doneDeleting` (Kafka's
    /// `deletableLogs`).
    public func deletableLogs() -> [(TopicPartition, Log)] {
        locked {
            let deletable = logs().sorted { $0.key < $1.key }.filter { topicPartition, log in
                let config = log.config
                return config.isCompact && config.isDelete && states.isIdle(topicPartition) && !isUncleanableLocked(log)
            }
            for (topicPartition, _) in deletable { try? states.markInProgress(topicPartition) }
            return deletable
        }
    }

    /// Kafka's `doneDeleting`: the logs of `deletableLogs` are idle again (or paused, when
    /// aborted meanwhile).
    public func doneDeleting(_ topicPartitions: [TopicPartition]) {
        locked {
            for topicPartition in topicPartitions {
                do {
                    if try !states.done(topicPartition) { condition.broadcast() }
                } catch {
                    logger.error("\(error)")
                }
            }
        }
    }

    /// The logs without `compact` in `cleanup.policy`, each marked paused so that no cleaning
    /// starts on one whose policy changes meanwhile (Kafka's
    /// `pauseCleaningForNonCompactedPartitions`): retention deletes their segments, then calls
    /// `resumeCleaning` with them. A log that is not idle is left out.
    public func pauseCleaningForNonCompactedPartitions() -> [(TopicPartition, Log)] {
        locked {
            logs().sorted { $0.key < $1.key }.filter { topicPartition, log in
                !log.config.isCompact && states.pauseIfIdle(topicPartition)
            }
        }
    }

    // MARK: Aborts and pauses

    /// Stops any cleaning of the log and waits until the cleaner thread has let go of it; then
    /// the log is paused: no cleaning starts until `resumeCleaning` (Kafka's
    /// `abortAndPauseCleaning`). Never call it holding the log's lock.
    public func abortAndPauseCleaning(_ topicPartition: TopicPartition) {
        locked {
            do {
                try states.abortAndPause(topicPartition)
            } catch {
                // Aborted by another caller already: wait as it does, then count this pause too.
                while !states.isPaused(topicPartition) { _ = condition.wait(until: Date(timeIntervalSinceNow: 0.1)) }
                try? states.abortAndPause(topicPartition)
            }
            while !states.isPaused(topicPartition) { _ = condition.wait(until: Date(timeIntervalSinceNow: 0.1)) }
        }
        logger.info("The cleaning for partition \(topicPartition) is aborted and paused")
    }

    /// Pauses an idle log without waiting (see `Log.ifCleaningIdle`); false when it is not idle.
    public func pauseIfIdle(_ topicPartition: TopicPartition) -> Bool { locked { states.pauseIfIdle(topicPartition) } }

    /// Undoes one `abortAndPauseCleaning` per partition (Kafka's `resumeCleaning`).
    public func resumeCleaning(_ topicPartitions: [TopicPartition], quietly: Bool = false) {
        locked {
            for topicPartition in topicPartitions {
                do {
                    try states.resume(topicPartition)
                } catch {
                    logger.error("Compaction for partition \(topicPartition) cannot be resumed: \(error)")
                }
            }
        }
        if !quietly { for topicPartition in topicPartitions { logger.info("Compaction for partition \(topicPartition) is resumed") } }
    }

    /// Aborts any cleaning of the log and lets cleaning go on (Kafka's `abortCleaning`, used
    /// before a log is deleted); also forgets that it was uncleanable.
    public func abortCleaning(_ topicPartition: TopicPartition) {
        abortAndPauseCleaning(topicPartition)
        locked {
            try? states.resume(topicPartition)
            for dir in uncleanablePartitions.keys { uncleanablePartitions[dir]?.remove(topicPartition) }
        }
        logger.info("The cleaning for partition \(topicPartition) is aborted")
    }

    /// Throws `LogCleaningAbortedError` when the cleaning of the log was aborted (Kafka's
    /// `checkCleaningAborted`).
    public func checkCleaningAborted(_ topicPartition: TopicPartition) throws {
        try locked {
            if states[topicPartition] == .aborted {
                throw LogCleaningAbortedError(topicPartition, reason: "aborted")
            }
        }
    }

    /// The cleaner thread finished with the log (Kafka's `doneCleaning`): the checkpoint of
    /// `dir` records `endOffset` and the log is idle; when the cleaning was aborted, the log is
    /// paused instead (and the aborting caller woken), the checkpoint left as it was.
    public func doneCleaning(_ topicPartition: TopicPartition, dir: String, endOffset: Int64) {
        locked {
            switch states[topicPartition] {
            case .inProgress:
                updateCheckpointsLocked(dir, update: (topicPartition, endOffset))
                _ = try? states.done(topicPartition)
            case .aborted:
                _ = try? states.done(topicPartition)
                condition.broadcast()
            case let other:
                logger.error("In-progress partition \(topicPartition) cannot be in \(other.map { "\($0)" } ?? "idle") state.")
            }
        }
    }

    // MARK: Uncleanable partitions

    /// A partition whose cleaning failed unexpectedly: never picked again until it is deleted
    /// or moved (Kafka's `markPartitionUncleanable`).
    public func markPartitionUncleanable(_ dir: String, _ topicPartition: TopicPartition) {
        locked { _ = uncleanablePartitions[dir, default: []].insert(topicPartition) }
    }

    public func isUncleanable(_ dir: String, _ topicPartition: TopicPartition) -> Bool {
        locked { uncleanablePartitions[dir]?.contains(topicPartition) ?? false }
    }

    private func isUncleanableLocked(_ log: Log) -> Bool {
        uncleanablePartitions[LogManager.parentDir(of: log)]?.contains(log.topicPartition) ?? false
    }

}

extension Log {
    /// The figures the cleaner manager chooses with, read under the log's lock; nil for a log
    /// that is not compacted or is closed.
    func cleanableFacts() -> CleanableLogFacts? {
        withLock { log in
            guard log.config.isCompact, !log.isClosed else { return nil }
            let active = log.activeSegment.baseOffset
            return CleanableLogFacts(
                topicPartition: log.topicPartition, config: log.config, logStartOffset: log.logStartOffset,
                logEndOffset: log.logEndOffset,
                segments: log.segments.map { segment in
                    CleanableLogFacts.Segment(
                        baseOffset: segment.baseOffset, size: segment.size, largestTimestamp: segment.largestTimestamp,
                        firstBatchTimestamp: segment.baseOffset < active ? segment.firstBatchTimestamp : .max)
                }, firstUnstableOffset: log.firstUnstableOffset)
        }
    }
}
