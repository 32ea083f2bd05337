import Foundation
import KafkaCommon
import Logging
import Synchronization

/// The broker's logs across its log directories (`log.dirs`), Kafka 2.3's `LogManager`.
///
/// Each log directory holds one directory per partition and four files of its own:
///
///     /var/kafka-logs/
///         orders-0/                           a partition's Log (with its leader-epoch-checkpoint)
///         orders-1.6f1c...e2-delete/          a deleted partition, removed file.delete.delay.ms later
///         recovery-point-offset-checkpoint    topic partition recoveryPoint, per log (CheckpointFile)
///         log-start-offset-checkpoint         topic partition logStartOffset, per log
///         replication-offset-checkpoint       topic partition highWatermark, per log, as the replica
///                                             manager gives them (checkpointHighWatermarks)
///         .kafka_cleanshutdown                present only between a clean shutdown and the next start
///
/// Lifecycle: `init` validates the directories (creating missing ones); `startup` loads every log
/// (`loadLogs`) and schedules the periodic tasks; `shutdown` flushes and closes every log, writes
/// both checkpoints and then the clean-shutdown marker. A start that finds no marker recovers each
/// log from its checkpointed recovery point.
///
/// A log directory that cannot be created, read or loaded goes offline: the failure is logged
/// with the directory's name, its partitions are not served, and no partition is placed there.
/// Only when every directory is offline does start-up fail (`LogManagerError.noLiveLogDirs`).
///
/// Isolation: the table of logs, the offline directories and the shutdown flag live in one
/// `Mutex`; creating and deleting logs is serialised by a second one (Kafka's
/// `logCreationOrDeletionLock`), so two callers cannot create the same partition twice. Every
/// call this type makes on a `Log` takes the log's lock (the compiler sees to that: its state is
/// reachable only through `Log.withLock`).
/// Periodic tasks run on the injected `Scheduler`'s thread and reschedule themselves until
/// shutdown. Lock order: creation lock, then a log's lock, then the table; so never call the
/// `LogManager` while holding a log's lock. Writes of `replication-offset-checkpoint` are
/// serialised by a third lock, taken before any other.
public final class LogManager: Sendable {
    /// The log directories, normalised absolute paths, in configured order.
    public let logDirs: [String]
    public let defaultConfig: LogConfig
    public let settings: LogManagerConfig
    let scheduler: any Scheduler
    let time: any Time
    let logger: Logger

    struct State {
        var logs: [TopicPartition: Log] = [:]
        var offlineLogDirs: [String: String] = [:]
        var isStarted = false
        var isShutdown = false
    }
    let state = Mutex(State())
    /// Held while a log is created or deleted (Kafka's `logCreationOrDeletionLock`).
    let creationOrDeletionLock = Mutex(())
    /// Held while `replication-offset-checkpoint` files are written, so that two writers (the
    /// periodic task and shutdown) never share the `.tmp` file (Kafka locks each checkpoint file).
    let highWatermarkCheckpointLock = Mutex(())
    /// The log cleaner, when `log.cleaner.enable` (see `LogManager+Cleaner.swift`).
    let cleanerSlot = Mutex<LogCleaner?>(nil)

    /// Validates `logDirs` (Kafka's `createAndValidateLogDirs`): duplicates are an error; a
    /// missing directory is created; one that cannot be created or is not a writable directory
    /// is offline (logged with its name). Throws `noLiveLogDirs` when none is usable.
    public init(
        logDirs: [String], defaultConfig: LogConfig, settings: LogManagerConfig = LogManagerConfig(),
        scheduler: any Scheduler, time: any Time, logger: Logger, cleanerConfig: LogCleanerConfig? = nil
    ) throws {
        let normalised = logDirs.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        guard !normalised.isEmpty else { throw LogManagerError.noLiveLogDirs(failures: [:]) }
        guard Set(normalised).count == normalised.count else { throw LogManagerError.duplicateLogDirs(normalised) }
        self.logDirs = normalised
        self.defaultConfig = defaultConfig
        self.settings = settings
        self.scheduler = scheduler
        self.time = time
        self.logger = logger
        var offline: [String: String] = [:]
        for dir in normalised {
            do {
                var isDirectory: ObjCBool = false
                if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) {
                    logger.info("Log directory not found, creating it", metadata: ["logDir": "\(dir)"])
                    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                } else if !isDirectory.boolValue {
                    throw StorageError.io(path: dir, operation: "open log directory", message: "not a directory")
                }
                guard FileManager.default.isWritableFile(atPath: dir) else {
                    throw StorageError.io(path: dir, operation: "open log directory", message: "not writable")
                }
            } catch {
                logger.error("Log directory failed and goes offline", metadata: ["logDir": "\(dir)", "error": "\(error)"])
                offline[dir] = "\(error)"
            }
        }
        guard offline.count < normalised.count else { throw LogManagerError.noLiveLogDirs(failures: offline) }
        state.withLock { $0.offlineLogDirs = offline }
        if let cleanerConfig, cleanerConfig.enableCleaner { makeCleaner(cleanerConfig) }
    }

    // MARK: Directories

    /// The directories in use, in configured order.
    public var liveLogDirs: [String] {
        let offline = state.withLock { $0.offlineLogDirs }
        return logDirs.filter { offline[$0] == nil }
    }

    /// Offline directories with the reason each failed.
    public var offlineLogDirs: [String: String] { state.withLock { $0.offlineLogDirs } }

    func markOffline(_ dir: String, _ error: any Error) {
        logger.error("Log directory failed and goes offline", metadata: ["logDir": "\(dir)", "error": "\(error)"])
        let failed = state.withLock { state -> [Log] in
            state.offlineLogDirs[dir] = "\(error)"
            let failed = state.logs.filter { Self.parentDir(of: $0.value) == dir }
            for tp in failed.keys { state.logs[tp] = nil }
            return Array(failed.values)
        }
        // The cleaner stops keeping the dead directory's checkpoint (Kafka's `handleLogDirFailure`).
        cleaner?.handleLogDirFailure(dir)
        // No cleaner thread may still read a segment of a log being closed.
        for log in failed { cleaner?.abortCleaning(log.topicPartition) }
        for log in failed { try? log.close() }
    }

    static func parentDir(of log: Log) -> String { (log.dir as NSString).deletingLastPathComponent }

    // MARK: Start-up

    /// Loads the logs (`loadLogs`) and schedules the periodic tasks (Kafka's `startup`).
    /// `topicConfigs` holds the config of each topic with overrides; others get `defaultConfig`.
    public func startup(topicConfigs: [String: LogConfig] = [:]) throws {
        try loadLogs(topicConfigs: topicConfigs)
        schedulePeriodicTasks()
        cleaner?.startup()
    }

    /// Opens every partition directory of every live log directory (Kafka's `loadLogs`):
    ///
    /// 1. The directory's checkpoints give each log's recovery point and log start offset (a
    ///    checkpoint that cannot be read is logged and treated as empty: recovery from 0).
    /// 2. Without `.kafka_cleanshutdown`, every log is recovered from its recovery point; with
    ///    it, none is, and the marker is deleted once the directory's logs are loaded.
    /// 3. `<topic>-<partition>.<id>-delete` directories are not loaded; they are removed
    ///    `file.delete.delay.ms` later. Other names that are not `<topic>-<partition>` are logged
    ///    and skipped, as are plain files.
    /// 4. A directory that fails goes offline (see the type's doc); the same partition in two
    ///    directories is an error (`duplicateLog`).
    ///
    /// Runs once: later calls (and calls after shutdown) do nothing. Directories are loaded one
    /// after the other, their logs one at a time (Kafka uses `num.recovery.threads.per.data.dir`).
    public func loadLogs(topicConfigs: [String: LogConfig] = [:]) throws {
        guard state.withLock({ !$0.isStarted && !$0.isShutdown }) else { return }
        for dir in liveLogDirs {
            do {
                let loaded = try loadLogs(in: dir, topicConfigs: topicConfigs)
                try state.withLock { state in
                    for (tp, log) in loaded {
                        if let existing = state.logs[tp] {
                            throw LogManagerError.duplicateLog(tp, dirs: [existing.dir, log.dir])
                        }
                        state.logs[tp] = log
                    }
                }
            } catch let error as LogManagerError {
                throw error
            } catch {
                markOffline(dir, error)
            }
        }
        let failures = state.withLock { state -> [String: String]? in
            state.isStarted = true
            return state.offlineLogDirs.count == logDirs.count ? state.offlineLogDirs : nil
        }
        if let failures { throw LogManagerError.noLiveLogDirs(failures: failures) }
    }

    private func loadLogs(in dir: String, topicConfigs: [String: LogConfig]) throws -> [TopicPartition: Log] {
        let markerPath = "\(dir)/\(CheckpointFileName.cleanShutdown)"
        let hadCleanShutdown = FileManager.default.fileExists(atPath: markerPath)
        if !hadCleanShutdown {
            logger.info("No clean shutdown marker: recovering every log in the directory from its recovery point", metadata: ["logDir": "\(dir)"])
        }
        let recoveryPoints = readCheckpoint(dir, CheckpointFileName.recoveryPoint)
        let logStartOffsets = readCheckpoint(dir, CheckpointFileName.logStartOffset)

        var loaded: [TopicPartition: Log] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() {
            let path = "\(dir)/\(name)"
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            if Self.isDeleteDirName(name) {
                logger.info("Found a deleted partition's directory, removing it later", metadata: ["dir": "\(path)"])
                scheduleDirectoryRemoval(path, delayMs: defaultConfig.fileDeleteDelayMs)
                continue
            }
            guard let parsed = LogFileName.topicPartition(fromDirectoryName: name) else {
                logger.warning("Skipping a directory that is not <topic>-<partition>", metadata: ["dir": "\(path)"])
                continue
            }
            let tp = TopicPartition(parsed.topic, parsed.partition)
            let log = try Log(
                dir: path, config: topicConfigs[tp.topic] ?? defaultConfig, logStartOffset: logStartOffsets[tp] ?? 0,
                recoveryPoint: recoveryPoints[tp] ?? 0, hadCleanShutdown: hadCleanShutdown, scheduler: scheduler, time: time,
                logger: logger, producerIdExpirationMs: settings.producerIdExpirationMs)
            attachCleaner(log)
            loaded[tp] = log
        }
        if hadCleanShutdown {
            try FileManager.default.removeItem(atPath: markerPath)
        }
        logger.info("Loaded log directory", metadata: ["logDir": "\(dir)", "logs": "\(loaded.count)", "cleanShutdown": "\(hadCleanShutdown)"])
        return loaded
    }

    /// The entries of `<dir>/<name>`; a file that cannot be read is logged and taken as empty.
    func readCheckpoint(_ dir: String, _ name: String) -> [TopicPartition: Int64] {
        let file = CheckpointFile<TopicPartitionOffset>(path: "\(dir)/\(name)")
        do {
            return Dictionary(try file.read().map { ($0.topicPartition, $0.offset) }, uniquingKeysWith: { _, last in last })
        } catch {
            logger.warning("Cannot read a checkpoint, ignoring it", metadata: ["file": "\(file.path)", "error": "\(error)"])
            return [:]
        }
    }

    // MARK: Logs

    public func getLog(_ topicPartition: TopicPartition) -> Log? { state.withLock { $0.logs[topicPartition] } }

    /// Every log, sorted by topic-partition.
    public var allLogs: [Log] {
        state.withLock { $0.logs.sorted { $0.key < $1.key }.map(\.value) }
    }

    /// The logs of one log directory.
    public func logs(in dir: String) -> [Log] { allLogs.filter { Self.parentDir(of: $0) == dir } }

    /// The log of `topicPartition`, created empty when missing (Kafka's `getOrCreateLog`) in the
    /// live log directory holding the fewest partitions (ties: the first configured).
    public func getOrCreateLog(_ topicPartition: TopicPartition, config: LogConfig) throws -> Log {
        try creationOrDeletionLock.withLock { _ in
            if let existing = getLog(topicPartition) { return existing }
            guard state.withLock({ !$0.isShutdown }) else { throw LogManagerError.shutDown }
            guard let dir = nextLogDirs().first else { throw LogManagerError.noLiveLogDirs(failures: offlineLogDirs) }
            let path = "\(dir)/\(topicPartition.topic)-\(topicPartition.partition)"
            let log: Log
            do {
                log = try Log(dir: path, config: config, hadCleanShutdown: true, scheduler: scheduler, time: time, logger: logger,
                              producerIdExpirationMs: settings.producerIdExpirationMs)
            } catch {
                markOffline(dir, error)
                throw LogManagerError.logDirFailed(dir: dir, reason: "\(error)")
            }
            attachCleaner(log)
            state.withLock { $0.logs[topicPartition] = log }
            logger.info("Created log", metadata: ["topicPartition": "\(topicPartition)", "dir": "\(path)"])
            return log
        }
    }

    /// Live log directories, fewest partitions first (Kafka's `nextLogDirs`).
    func nextLogDirs() -> [String] {
        let live = liveLogDirs
        // One directory: nothing to choose (and counting every log for each of thousands of new
        // partitions would make creating them quadratic).
        guard live.count > 1 else { return live }
        var counts = Dictionary(uniqueKeysWithValues: live.map { ($0, 0) })
        for log in allLogs { counts[Self.parentDir(of: log), default: 0] += 1 }
        return live.enumerated().sorted { (counts[$0.element, default: 0], $0.offset) < (counts[$1.element, default: 0], $1.offset) }
            .map(\.element)
    }

    // MARK: Deletion

    /// Kafka's suffix for a deleted partition's directory: `<topic>-<partition>.<uuid>-delete`.
    public static let deleteDirSuffix = "-delete"

    /// Whether `name` is `<topic>-<partition>.<32 hex digits>-delete` (other names ending in
    /// `-delete` are not removed: they are skipped like any unknown directory).
    public static func isDeleteDirName(_ name: String) -> Bool {
        guard name.hasSuffix(deleteDirSuffix) else { return false }
        let stem = name.dropLast(deleteDirSuffix.count)
        guard let dot = stem.lastIndex(of: ".") else { return false }
        let id = stem[stem.index(after: dot)...]
        return id.count == 32 && id.allSatisfy(\.isHexDigit) && LogFileName.topicPartition(fromDirectoryName: String(stem[..<dot])) != nil
    }

    /// `<topic>-<partition>.<32 hex digits>-delete`.
    public static func deleteDirName(_ topicPartition: TopicPartition) -> String {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return "\(topicPartition.topic)-\(topicPartition.partition).\(id)\(deleteDirSuffix)"
    }

    /// Deletes a partition's log (StopReplica with delete, Kafka's `asyncDelete`): removes it
    /// from the table, closes it, renames its directory to `deleteDirName` and schedules the
    /// directory's removal `file.delete.delay.ms` later; the directory's checkpoints are
    /// rewritten without it. Returns the renamed directory, or nil when there was no such log.
    ///
    /// Unlike Kafka, the log is closed before the rename (its `dir` is fixed); a `FileSlice` of
    /// it not yet sent still holds its file open and sends its bytes. Its leader epoch checkpoint
    /// moves with the directory, and the closed log's cache refuses every later change, so no
    /// caller still holding the log can write to the old path (where a re-created partition may
    /// now live); Kafka instead re-points the cache at the renamed directory.
    ///
    /// As in Kafka, a failure (closing the log or renaming its directory) takes the directory
    /// offline, and a partition without a log while some directory is offline cannot be said to
    /// be deleted: both throw, so that StopReplica answers KAFKA_STORAGE_ERROR and the controller
    /// retries once the broker is back with its directory repaired.
    @discardableResult
    public func asyncDelete(_ topicPartition: TopicPartition) throws -> String? {
        try creationOrDeletionLock.withLock { _ in
            guard let log = state.withLock({ $0.logs.removeValue(forKey: topicPartition) }) else {
                let offline = offlineLogDirs.keys.sorted()
                guard offline.isEmpty else {
                    throw StorageError.io(path: offline.joined(separator: ","), operation: "delete log of \(topicPartition)",
                                          message: "it may be in one of the offline directories")
                }
                return nil
            }
            let parent = Self.parentDir(of: log)
            // No cleaner thread reads the log once this returns; its checkpoint entry goes.
            cleaner?.abortCleaning(topicPartition)
            cleaner?.updateCheckpoints(parent)
            let renamed = "\(parent)/\(Self.deleteDirName(topicPartition))"
            let fileDeleteDelayMs: Int64
            do {
                fileDeleteDelayMs = try log.withLock { log in
                    try log.close()
                    do {
                        try FileManager.default.moveItem(atPath: log.dir, toPath: renamed)
                    } catch {
                        throw StorageError.io(path: log.dir, operation: "rename to \(renamed)", message: "\(error)")
                    }
                    return log.config.fileDeleteDelayMs
                }
            } catch {
                markOffline(parent, error)
                throw error
            }
            logger.info("Log renamed for deletion", metadata: ["topicPartition": "\(topicPartition)", "dir": "\(renamed)"])
            scheduleDirectoryRemoval(renamed, delayMs: fileDeleteDelayMs)
            checkpointRecoveryOffsets(in: parent)
            checkpointLogStartOffsets(in: parent)
            return renamed
        }
    }

    func scheduleDirectoryRemoval(_ path: String, delayMs: Int64) {
        let logger = self.logger
        scheduler.schedule(name: "kafka-delete-logs", delayMs: delayMs) {
            do {
                try FileManager.default.removeItem(atPath: path)
                logger.info("Deleted log directory", metadata: ["dir": "\(path)"])
            } catch {
                logger.error("Cannot delete log directory", metadata: ["dir": "\(path)", "error": "\(error)"])
            }
        }
    }

    // MARK: Truncation

    /// Truncates each log to its offset (a follower after a leader change, Kafka's `truncateTo`),
    /// then checkpoints the recovery points of the directories touched. Partitions without a
    /// log are ignored.
    public func truncateTo(_ offsets: [TopicPartition: Int64]) throws {
        var touched: Set<String> = []
        for (tp, offset) in offsets.sorted(by: { $0.key < $1.key }) {
            guard let log = getLog(tp) else { continue }
            if try log.withCleaningPaused(truncatingTo: offset, { try log.truncateTo(offset) }) { touched.insert(Self.parentDir(of: log)) }
        }
        for dir in touched.sorted() { checkpointRecoveryOffsets(in: dir) }
    }

    /// Empties a partition's log and starts it at `newOffset` (Kafka's `truncateFullyAndStartAt`).
    public func truncateFullyAndStartAt(_ topicPartition: TopicPartition, _ newOffset: Int64) throws {
        guard let log = getLog(topicPartition) else { return }
        try log.withCleaningPaused { try log.truncateFullyAndStartAt(newOffset) }
        checkpointRecoveryOffsets(in: Self.parentDir(of: log))
        checkpointLogStartOffsets(in: Self.parentDir(of: log))
    }
}

/// Failures of the log manager as a whole; a single log's failures are `StorageError`s.
public enum LogManagerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every log directory failed (each with its reason).
    case noLiveLogDirs(failures: [String: String])
    case duplicateLogDirs([String])
    /// The same partition in two log directories.
    case duplicateLog(TopicPartition, dirs: [String])
    /// A log directory failed while creating a log in it; it is now offline.
    case logDirFailed(dir: String, reason: String)
    case shutDown

    public var description: String {
        switch self {
        case .noLiveLogDirs(let failures):
            failures.isEmpty ? "no log directory configured"
                : "every log directory failed: " + failures.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        case .duplicateLogDirs(let dirs): "duplicate log directories in \(dirs)"
        case .duplicateLog(let tp, let dirs): "partition \(tp) has a log in more than one directory: \(dirs)"
        case .logDirFailed(let dir, let reason): "log directory \(dir) failed: \(reason)"
        case .shutDown: "the log manager is shut down"
        }
    }
}
