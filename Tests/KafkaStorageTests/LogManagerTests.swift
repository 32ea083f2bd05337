import Foundation
import KafkaCommon
import KafkaStorage
import KafkaTestKit
import Logging
import Synchronization
import Testing

/// Every message logged, with its metadata, for tests that check what was (not) logged.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var messages: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    func contains(_ text: String) -> Bool { messages.contains { $0.contains(text) } }

    var logger: Logger { Logger(label: "test") { _ in Handler(capture: self) } }

    struct Handler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }
}

@Suite struct LogManagerTests {
    let root: URL
    let dir1: String
    let dir2: String
    let time = MockTime()
    let scheduler: MockScheduler

    init() throws {
        root = try makeTemporaryDirectory(prefix: "logmanager")
        dir1 = root.appendingPathComponent("data1").path
        dir2 = root.appendingPathComponent("data2").path
        scheduler = MockScheduler(time: time)
    }

    func manager(_ capture: LogCapture = LogCapture(), dirs: [String]? = nil, settings: LogManagerConfig = LogManagerConfig(),
                 config: LogConfig = LogConfig()) throws -> LogManager {
        try LogManager(logDirs: dirs ?? [dir1, dir2], defaultConfig: config, settings: settings, scheduler: scheduler, time: time,
                       logger: capture.logger)
    }

    func append(_ log: Log, count: Int) throws {
        _ = try log.appendAsLeader(producerBatch(count: count, timestamp: time.milliseconds), leaderEpoch: 0)
    }

    func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func names(_ dir: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }

    /// Every record offset readable from the log.
    func offsets(_ log: Log) throws -> [Int64] {
        var result: [Int64] = []
        var next = log.logStartOffset
        while next < log.logEndOffset {
            let records = MemoryRecords(try log.readBytes(try log.read(startOffset: next, maxLength: 1 << 20)))
            let batches = Array(records.batches)
            guard let last = batches.last else { break }
            for batch in batches { result += Array(batch.baseOffset...batch.lastOffset) }
            next = last.nextOffset
        }
        return result
    }

    let orders0 = TopicPartition("orders", 0)
    let orders1 = TopicPartition("orders", 1)

    // MARK: Placement

    @Test func newLogsGoToTheDirectoryWithFewestPartitions() throws {
        let manager = try manager()
        try manager.startup()
        let placed = try ["a", "b", "c", "d", "e"].map { try manager.getOrCreateLog(TopicPartition($0, 0), config: LogConfig()).dir }
        #expect(placed == ["\(dir1)/a-0", "\(dir2)/b-0", "\(dir1)/c-0", "\(dir2)/d-0", "\(dir1)/e-0"])
        #expect(try manager.getOrCreateLog(TopicPartition("a", 0), config: LogConfig()) === manager.getLog(TopicPartition("a", 0)))
        try manager.asyncDelete(TopicPartition("a", 0))
        try manager.asyncDelete(TopicPartition("c", 0))
        // dir1 now holds one partition, dir2 two.
        #expect(try manager.getOrCreateLog(TopicPartition("f", 0), config: LogConfig()).dir == "\(dir1)/f-0")
        #expect(manager.allLogs.map(\.topicPartition) == ["b", "d", "e", "f"].map { TopicPartition($0, 0) })
        #expect(manager.getLog(TopicPartition("a", 0)) == nil)
    }

    // MARK: Shutdown and restart

    /// orders-0 (5 records, start offset raised to 2) in dir1, orders-1 (3 records) in dir2.
    func populate(_ manager: LogManager) throws {
        try manager.startup()
        let log0 = try manager.getOrCreateLog(orders0, config: LogConfig())
        let log1 = try manager.getOrCreateLog(orders1, config: LogConfig())
        try append(log0, count: 5)
        try append(log1, count: 3)
        _ = try log0.maybeIncrementLogStartOffset(2)
    }

    @Test func shutdownWritesCheckpointsThenTheMarker() throws {
        let manager = try manager()
        try populate(manager)
        manager.shutdown()
        #expect(try text("\(dir1)/recovery-point-offset-checkpoint") == "0\n1\norders 0 5\n")
        #expect(try text("\(dir1)/log-start-offset-checkpoint") == "0\n1\norders 0 2\n")
        #expect(try text("\(dir2)/recovery-point-offset-checkpoint") == "0\n1\norders 1 3\n")
        #expect(try text("\(dir2)/log-start-offset-checkpoint") == "0\n0\n")
        #expect(fileExists("\(dir1)/.kafka_cleanshutdown") && fileExists("\(dir2)/.kafka_cleanshutdown"))
        #expect(manager.allLogs.isEmpty)
        #expect(throws: LogManagerError.shutDown) { try manager.getOrCreateLog(orders0, config: LogConfig()) }
        manager.shutdown()  // idempotent
    }

    @Test func restartAfterCleanShutdownLoadsWithoutRecovery() throws {
        let first = try manager()
        try populate(first)
        first.shutdown()

        let capture = LogCapture()
        let second = try manager(capture)
        try second.startup()
        let log0 = try #require(second.getLog(orders0))
        let log1 = try #require(second.getLog(orders1))
        #expect(log0.dir == "\(dir1)/orders-0" && log1.dir == "\(dir2)/orders-1")
        #expect((log0.logStartOffset, log0.logEndOffset, log0.recoveryPoint) == (2, 5, 5))
        #expect((log1.logStartOffset, log1.logEndOffset, log1.recoveryPoint) == (0, 3, 3))
        #expect(try offsets(log0) == [0, 1, 2, 3, 4])  // the whole batch holding offset 2
        #expect(!capture.contains("Recovering"), "\(capture.messages)")
        #expect(!capture.contains("No clean shutdown marker"))
        #expect(!fileExists("\(dir1)/.kafka_cleanshutdown") && !fileExists("\(dir2)/.kafka_cleanshutdown"))
        #expect(try second.getOrCreateLog(orders0, config: LogConfig()) === log0)
    }

    @Test func restartWithoutMarkerRecoversFromTheCheckpointedRecoveryPoint() throws {
        let first = try manager()
        try first.startup()
        let log = try first.getOrCreateLog(orders0, config: LogConfig())
        try append(log, count: 5)
        _ = try log.roll()
        scheduler.tick()  // the roll's scheduled flush syncs offsets 0..<5: recovery point 5
        try append(log, count: 5)
        first.checkpointRecoveryOffsets()
        #expect(try text("\(dir1)/recovery-point-offset-checkpoint") == "0\n1\norders 0 5\n")
        try log.close()  // a crash: no flush, no checkpoint, no marker

        let capture = LogCapture()
        let second = try manager(capture)
        try second.startup()
        let reopened = try #require(second.getLog(orders0))
        #expect(capture.contains("No clean shutdown marker"))
        let recovered = capture.messages.filter { $0.contains("Recovering unflushed segment") }
        #expect(recovered.count == 1, "\(capture.messages)")
        #expect(recovered.first?.contains("00000000000000000005.log") == true)
        #expect(reopened.logEndOffset == 10 && reopened.recoveryPoint == 10)
        #expect(try offsets(reopened) == Array(0..<10))
    }

    @Test func aTornTailIsCutOnRecovery() throws {
        let first = try manager()
        try first.startup()
        let log = try first.getOrCreateLog(orders0, config: LogConfig())
        try append(log, count: 3)
        try append(log, count: 3)
        let path = log.withLock { log in log.activeSegment.log.path }
        try log.close()
        try truncateFile(path, to: (fileSize(path) ?? 0) - 5)

        let second = try manager()
        try second.startup()
        let reopened = try #require(second.getLog(orders0))
        #expect(reopened.logEndOffset == 3)
        #expect(try offsets(reopened) == [0, 1, 2])
    }

    // MARK: Deletion and junk

    @Test func asyncDeleteRenamesThenRemovesAfterTheDelay() throws {
        let manager = try manager()
        try manager.startup()
        var config = LogConfig()
        config.fileDeleteDelayMs = 1_000
        let log = try manager.getOrCreateLog(orders0, config: config)
        try append(log, count: 2)
        manager.checkpointRecoveryOffsets()
        let renamed = try #require(try manager.asyncDelete(orders0))
        let name = (renamed as NSString).lastPathComponent
        #expect(name.wholeMatch(of: /orders-0\.[0-9a-f]{32}-delete/) != nil, "\(name)")
        #expect(fileExists(renamed) && !fileExists("\(dir1)/orders-0"))
        #expect(try names(renamed).contains("00000000000000000000.log"))
        #expect(manager.getLog(orders0) == nil)
        #expect(try text("\(dir1)/recovery-point-offset-checkpoint") == "0\n0\n")
        #expect(try manager.asyncDelete(orders0) == nil)

        time.sleep(999)
        scheduler.tick()
        #expect(fileExists(renamed))
        time.sleep(1)
        scheduler.tick()
        #expect(!fileExists(renamed))
    }

    @Test func startupSkipsJunkAndRemovesDeletedPartitions() throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: "\(dir1)/junk", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: "\(dir1)/orders-x", withIntermediateDirectories: true)
        let deleted = "\(dir1)/orders-3.0123456789abcdef0123456789abcdef-delete"
        try fm.createDirectory(atPath: deleted, withIntermediateDirectories: true)
        #expect(fm.createFile(atPath: "\(deleted)/00000000000000000000.log", contents: Data()))
        #expect(fm.createFile(atPath: "\(dir1)/notes.txt", contents: Data("x".utf8)))
        try fm.createDirectory(atPath: "\(dir2)/payments-7", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: "\(dir2)/archive-delete", withIntermediateDirectories: true)

        let capture = LogCapture()
        let manager = try manager(capture)
        try manager.startup()
        #expect(manager.allLogs.map(\.topicPartition) == [TopicPartition("payments", 7)])
        #expect(capture.messages.contains { $0.contains("Skipping a directory") && $0.contains("\(dir1)/junk") })
        #expect(capture.messages.contains { $0.contains("Skipping a directory") && $0.contains("\(dir1)/orders-x") })
        #expect(fileExists("\(dir1)/junk") && fileExists(deleted))
        time.sleep(LogConfig().fileDeleteDelayMs)
        scheduler.tick()
        #expect(!fileExists(deleted))
        #expect(fileExists("\(dir2)/archive-delete"))  // not Kafka's deleted-partition name: left alone
        #expect(LogManager.isDeleteDirName(LogManager.deleteDirName(orders0)))
        #expect(!LogManager.isDeleteDirName("orders-0.xyz-delete"))
    }

    // MARK: Failed directories

    @Test func aFailedLogDirGoesOfflineAndIsNamed() throws {
        let file = root.appendingPathComponent("not-a-dir").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        let capture = LogCapture()
        let manager = try manager(capture, dirs: [file, dir2])
        try manager.startup()
        #expect(manager.liveLogDirs == [dir2])
        #expect(manager.offlineLogDirs[file]?.contains("not a directory") == true)
        #expect(capture.messages.contains { $0.hasPrefix("error") && $0.contains(file) })
        #expect(try manager.getOrCreateLog(orders0, config: LogConfig()).dir == "\(dir2)/orders-0")

        #expect {
            try self.manager(dirs: [file])
        } throws: { error in
            guard case LogManagerError.noLiveLogDirs(let failures) = error else { return false }
            return failures.keys.contains(file) && "\(error)".contains(file)
        }
    }

    // MARK: Periodic work

    @Test func cleanupLogsAppliesRetentionToEveryLog() throws {
        var config = LogConfig()
        config.retentionMs = 1_000
        let manager = try manager(config: config)
        try manager.startup()
        for tp in [orders0, orders1] {
            let log = try manager.getOrCreateLog(tp, config: config)
            try append(log, count: 2)
            _ = try log.roll()
            try append(log, count: 2)
        }
        #expect(manager.cleanupLogs() == 0)
        time.sleep(1_002)  // the first segment's newest record is 1 ms after the first
        #expect(manager.cleanupLogs() == 2)
        for log in manager.allLogs {
            #expect(log.numberOfSegments == 1 && log.logStartOffset == 2)
        }
        manager.checkpointLogStartOffsets()
        #expect(try text("\(dir1)/log-start-offset-checkpoint") == "0\n0\n")  // start offset = first segment's base
    }

    @Test func flushDirtyLogsFlushesEveryDueLog() throws {
        var config = LogConfig()
        config.flushMs = 1_000
        let manager = try manager(config: config)
        try manager.startup()
        for tp in [orders0, orders1] { try append(manager.getOrCreateLog(tp, config: config), count: 3) }
        #expect(manager.flushDirtyLogs().isEmpty)
        time.sleep(1_000)
        #expect(manager.flushDirtyLogs() == [orders0, orders1])
        #expect(manager.allLogs.allSatisfy { $0.recoveryPoint == 3 })
        #expect(manager.flushDirtyLogs().isEmpty)
    }

    @Test func periodicTasksRunThroughTheSchedulerUntilShutdown() throws {
        var settings = LogManagerConfig()
        settings.initialTaskDelayMs = 100
        settings.flushRecoveryOffsetCheckpointMs = 500
        settings.flushCheckMs = 500
        var config = LogConfig()
        config.flushMs = 0
        let manager = try manager(settings: settings, config: config)
        try manager.startup()
        #expect(scheduler.pendingCount == 5)  // retention, flush, both checkpoints, producer id expiration
        let log = try manager.getOrCreateLog(orders0, config: config)
        try append(log, count: 4)
        time.sleep(100)
        scheduler.tick()
        #expect(log.recoveryPoint == 4)
        #expect(try text("\(dir1)/recovery-point-offset-checkpoint") == "0\n1\norders 0 4\n")
        #expect(scheduler.pendingCount == 5)  // each rescheduled itself
        try append(log, count: 1)
        time.sleep(499)
        scheduler.tick()
        #expect(log.recoveryPoint == 4)
        time.sleep(1)
        scheduler.tick()
        #expect(log.recoveryPoint == 5)
        #expect(try text("\(dir1)/recovery-point-offset-checkpoint") == "0\n1\norders 0 5\n")
        manager.shutdown()
        time.sleep(1_000_000)
        scheduler.tick()
        #expect(scheduler.pendingCount == 0)
    }

    @Test func brokerPropertiesGiveTheTaskIntervals() throws {
        let settings = try LogManagerConfig(brokerProperties: [
            "log.retention.check.interval.ms": "1000", "log.flush.scheduler.interval.ms": "2000",
            "log.flush.offset.checkpoint.interval.ms": "3000", "log.flush.start.offset.checkpoint.interval.ms": "4000", "other": "x",
        ])
        #expect(settings.retentionCheckMs == 1_000 && settings.flushCheckMs == 2_000)
        #expect(settings.flushRecoveryOffsetCheckpointMs == 3_000 && settings.flushStartOffsetCheckpointMs == 4_000)
        #expect(LogManagerConfig().flushCheckMs == .max)
        #expect(throws: LogConfigError.invalidValue(key: "log.retention.check.interval.ms", value: "0")) {
            try LogManagerConfig(brokerProperties: ["log.retention.check.interval.ms": "0"])
        }
    }

    @Test func truncateToTruncatesAndCheckpoints() throws {
        let manager = try manager()
        try manager.startup()
        let log0 = try manager.getOrCreateLog(orders0, config: LogConfig())
        let log1 = try manager.getOrCreateLog(orders1, config: LogConfig())
        try append(log0, count: 1)
        try append(log0, count: 1)
        try append(log0, count: 1)
        try append(log1, count: 2)
        try log0.flush()
        try manager.truncateTo([orders0: 2, orders1: 5, TopicPartition("absent", 0): 0])
        #expect(log0.logEndOffset == 2 && log1.logEndOffset == 2)
        #expect(try text("\(dir1)/recovery-point-offset-checkpoint") == "0\n1\norders 0 2\n")
        #expect(try offsets(log0) == [0, 1])
    }
}
