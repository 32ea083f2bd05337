import Foundation
import KafkaCommon
import KafkaRecords
@testable import KafkaStorage
import KafkaTestKit
import Logging
import NIOCore
import Testing

/// The producer state inside the log: leader checks before the write, duplicates answered with
/// their original offsets, snapshots on roll and close, replay on open, truncation, the first
/// unstable offset, and Kafka 2.3's own partition directory with its snapshot.
@Suite struct LogProducerStateTests {
    let root: URL
    let dir: String
    let time = MockTime()
    let scheduler: MockScheduler
    let logger = Logger(label: "test")

    init() throws {
        root = try makeTemporaryDirectory(prefix: "log-producer-state")
        dir = root.appendingPathComponent("orders-0").path
        scheduler = MockScheduler(time: time)
    }

    func openLog(at path: String? = nil, cleanShutdown: Bool = true, segmentBytes: Int = 1 << 20) throws -> Log {
        var config = LogConfig()
        config.segmentBytes = segmentBytes
        return try Log(dir: path ?? dir, config: config, hadCleanShutdown: cleanShutdown, scheduler: scheduler, time: time,
                       logger: logger, producerIdExpirationMs: 60_000)
    }

    func batch(pid: Int64 = 7, epoch: Int16 = 0, sequence: Int32, count: Int = 2, transactional: Bool = false, leaderEpoch: Int32 = -1) throws -> MemoryRecords {
        var builder = MemoryRecordsBuilder(producerId: pid, producerEpoch: epoch, baseSequence: sequence, isTransactional: transactional,
                                           partitionLeaderEpoch: leaderEpoch)
        for index in 0..<count {
            builder.append(timestamp: time.milliseconds, key: nil, value: ByteBuffer(string: "record-\(sequence)-\(index)"))
        }
        return try builder.buildRecords()
    }

    func snapshotFiles(_ path: String? = nil) throws -> [Int64] {
        try FileManager.default.contentsOfDirectory(atPath: path ?? dir).compactMap { ProducerStateSnapshot.offset(fileName: $0) }.sorted()
    }

    @Test func duplicateIsAnsweredWithTheOriginalOffsetsAndNotWritten() throws {
        let log = try openLog()
        try log.appendAsLeader(try batch(sequence: 0), leaderEpoch: 0)
        let second = try log.appendAsLeader(try batch(sequence: 2), leaderEpoch: 0)
        try log.appendAsLeader(try batch(sequence: 4), leaderEpoch: 0)
        #expect(log.logEndOffset == 6)
        let retry = try log.appendAsLeader(try batch(sequence: 2), leaderEpoch: 1)
        #expect(retry.isDuplicate)
        #expect(retry.firstOffset == second.firstOffset)
        #expect(retry.lastOffset == 3)
        #expect(log.logEndOffset == 6)
        // The duplicate's leader epoch was not recorded.
        #expect(log.latestLeaderEpoch == 0)
    }

    @Test func violationsThrowAndWriteNothing() throws {
        let log = try openLog()
        try log.appendAsLeader(try batch(sequence: 0), leaderEpoch: 0)
        #expect(throws: ProducerStateError.self) { try log.appendAsLeader(try batch(sequence: 5), leaderEpoch: 0) }
        #expect(throws: ProducerStateError.self) { try log.appendAsLeader(try batch(pid: 8, sequence: 3), leaderEpoch: 0) }
        #expect(log.logEndOffset == 2)
        // A follower takes whatever the leader wrote.
        var follower = try batch(sequence: 9, leaderEpoch: 0)
        _ = follower.setBaseOffset(2, ofBatchAt: 0)
        try log.appendAsFollower(follower)
        #expect(log.activeProducers[7]?.lastSequence == 10)
    }

    @Test func plainProducersLeaveNoState() throws {
        let log = try openLog()
        for _ in 0..<3 { try log.appendAsLeader(try makeBatch(count: 4), leaderEpoch: 0) }
        #expect(log.activeProducers.isEmpty)
        #expect(log.firstUnstableOffset == nil)
    }

    @Test func snapshotOnRollAndCloseThenCleanOpenLoadsWithoutReplay() throws {
        let log = try openLog()
        try log.appendAsLeader(try batch(sequence: 0), leaderEpoch: 0)
        try log.roll()
        #expect(try snapshotFiles() == [2])
        try log.appendAsLeader(try batch(sequence: 2), leaderEpoch: 0)
        try log.close()
        #expect(try snapshotFiles() == [2, 4])
        let reopened = try openLog()
        #expect(reopened.activeProducers[7]?.snapshotEntry == log.activeProducers[7]?.snapshotEntry)
        #expect(try reopened.appendAsLeader(try batch(sequence: 2), leaderEpoch: 0).isDuplicate)
    }

    @Test func crashRecoveryReplaysFromTheLatestSnapshot() throws {
        let log = try openLog()
        try log.appendAsLeader(try batch(pid: 1, sequence: 0), leaderEpoch: 0)
        try log.appendAsLeader(try batch(pid: 2, sequence: 0, transactional: true), leaderEpoch: 0)
        try log.roll()
        try log.appendAsLeader(try batch(pid: 1, sequence: 2), leaderEpoch: 0)
        try log.appendAsLeader(try batch(pid: 3, epoch: 5, sequence: 0, count: 3), leaderEpoch: 0)
        try log.appendAsLeader(try batch(pid: 2, sequence: 2, transactional: true), leaderEpoch: 0)
        try log.flush()
        #expect(try snapshotFiles() == [4])
        // A crash: no close, no snapshot at the end.
        let recovered = try openLog(cleanShutdown: false)
        #expect(recovered.activeProducers.mapValues(\.snapshotEntry) == log.activeProducers.mapValues(\.snapshotEntry))
        #expect(recovered.firstUnstableOffset == 2)
        #expect(try recovered.appendAsLeader(try batch(pid: 3, epoch: 5, sequence: 0, count: 3), leaderEpoch: 0).isDuplicate)
        #expect(throws: ProducerStateError.self) { try recovered.appendAsLeader(try batch(pid: 1, sequence: 6), leaderEpoch: 0) }
        try recovered.appendAsLeader(try batch(pid: 1, sequence: 4), leaderEpoch: 0)
    }

    @Test func truncationReloadsTheState() throws {
        let log = try openLog()
        try log.appendAsLeader(try batch(sequence: 0), leaderEpoch: 0)
        try log.roll()
        try log.appendAsLeader(try batch(sequence: 2), leaderEpoch: 0)
        try log.appendAsLeader(try batch(sequence: 4), leaderEpoch: 0)
        try log.roll()
        #expect(try snapshotFiles() == [2, 6])
        try log.truncateTo(4)
        #expect(try snapshotFiles() == [2, 4])
        #expect(log.activeProducers[7]?.lastSequence == 3)
        // The truncated batch is new again, not a duplicate.
        #expect(try !log.appendAsLeader(try batch(sequence: 4), leaderEpoch: 1).isDuplicate)
        try log.truncateFullyAndStartAt(10)
        #expect(log.activeProducers.isEmpty)
        #expect(try snapshotFiles() == [])
        #expect(throws: ProducerStateError.self) { try log.appendAsLeader(try batch(sequence: 6), leaderEpoch: 1) }
    }

    @Test func transactionsMoveTheFirstUnstableOffset() throws {
        let log = try openLog()
        try log.appendAsLeader(try makeBatch(count: 3), leaderEpoch: 0)
        try log.appendAsLeader(try batch(pid: 1, sequence: 0, transactional: true), leaderEpoch: 0)
        #expect(log.firstUnstableOffset == 3)
        let marker = try EndTransactionMarker(type: .commit, coordinatorEpoch: 0)
            .controlBatch(timestamp: time.milliseconds, producerId: 1, producerEpoch: 0)
        try log.appendAsLeader(marker, leaderEpoch: 0, origin: .coordinator)
        #expect(log.activeProducers[1]?.currentTxnFirstOffset == nil)
        // Stable once the high watermark is past the marker (offset 5).
        #expect(log.firstUnstableOffset == 3)
        log.onHighWatermarkIncremented(5)
        #expect(log.firstUnstableOffset == 3)
        log.onHighWatermarkIncremented(6)
        #expect(log.firstUnstableOffset == nil)
    }

    @Test func expiryAndLogStartOffset() throws {
        let log = try openLog()
        try log.appendAsLeader(try batch(pid: 1, sequence: 0), leaderEpoch: 0)
        time.sleep(40_000)
        try log.appendAsLeader(try batch(pid: 2, sequence: 0), leaderEpoch: 0)
        time.sleep(30_000)
        #expect(log.removeExpiredProducers(now: time.milliseconds) == 1)
        #expect(log.activeProducers.keys.sorted() == [2])
        try log.appendAsLeader(try batch(pid: 3, sequence: 0), leaderEpoch: 0)
        try log.maybeIncrementLogStartOffset(4)
        #expect(log.activeProducers.keys.sorted() == [3])
    }

    // MARK: Kafka 2.3's partition

    /// Copies Kafka's `fx-txn-0` (two producers, three commits, one abort) into a fresh log directory.
    func copyKafkaPartition(withSnapshot: Bool) throws -> String {
        let snapshot = try ProducerStateSnapshotTests.fixture(ProducerStateSnapshotTests.transactional)
        let source = URL(fileURLWithPath: snapshot).deletingLastPathComponent()
        let target = root.appendingPathComponent("fx-txn-0")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where !name.hasSuffix(".txt") {
            if name.hasSuffix(".snapshot"), !withSnapshot { continue }
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: target.appendingPathComponent(name))
        }
        // The fixture files are read-only; the log writes.
        for name in try FileManager.default.contentsOfDirectory(atPath: target.path) {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: target.appendingPathComponent(name).path)
        }
        return target.path
    }

    @Test func kafkasSnapshotLoadsAndReplayOfKafkasLogRebuildsIt() throws {
        let fixture = try ProducerStateSnapshot.read(path: try ProducerStateSnapshotTests.fixture(ProducerStateSnapshotTests.transactional))
        let expected = fixture.entries.sorted { $0.producerId < $1.producerId }

        let loadedDir = try copyKafkaPartition(withSnapshot: true)
        let loaded = try openLog(at: loadedDir, cleanShutdown: true)
        #expect(loaded.logEndOffset == 64)
        #expect(loaded.activeProducers.values.map(\.snapshotEntry).sorted { $0.producerId < $1.producerId } == expected)
        #expect(loaded.firstUnstableOffset == nil)

        try FileManager.default.removeItem(atPath: loadedDir)
        let replayedDir = try copyKafkaPartition(withSnapshot: false)
        let replayed = try openLog(at: replayedDir, cleanShutdown: false)
        #expect(replayed.activeProducers.values.map(\.snapshotEntry).sorted { $0.producerId < $1.producerId } == expected)
        // The snapshot taken at the log end is Kafka's, entries in producer id order.
        let written = try fileBytes(ProducerStateSnapshot.path(directory: replayedDir, offset: 64))
        #expect(written == ProducerStateSnapshot(entries: expected).encoded)
        // Producer 0 (idempotent) last wrote sequences 10...19: a retry of them is a duplicate.
        var retry = MemoryRecordsBuilder(producerId: 0, producerEpoch: 0, baseSequence: 10)
        for index in 0..<10 { retry.append(timestamp: time.milliseconds, key: nil, value: ByteBuffer(string: "\(index)")) }
        let answer = try replayed.appendAsLeader(try retry.buildRecords(), leaderEpoch: 1)
        #expect(answer.isDuplicate)
        #expect(answer.firstOffset == 37)
    }
}
