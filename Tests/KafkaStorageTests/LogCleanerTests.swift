import Foundation
import KafkaCommon
import KafkaRecords
import KafkaTestKit
import Logging
import NIOCore
import Synchronization
import Testing

@testable import KafkaStorage

/// The log cleaner over a real log in a temporary directory: a cleaner thread driven one round
/// at a time, the manager's checkpoint, tombstones, and a truncation during a cleaning.
@Suite struct LogCleanerTests {
    let directory: URL
    let time = MockTime()
    let tp = TopicPartition("compacted", 0)

    init() throws { directory = try makeTemporaryDirectory(prefix: "log-cleaner") }

    func openLog(deleteRetentionMs: Int64 = 0) throws -> Log {
        var config = LogConfig()
        config.cleanupPolicy = ["compact"]
        config.segmentBytes = 16 * 1024
        config.minCleanableRatio = 0.01
        config.deleteRetentionMs = deleteRetentionMs
        return try Log(
            dir: directory.appendingPathComponent("compacted-0").path, config: config, hadCleanShutdown: true,
            scheduler: MockScheduler(time: time), time: time, logger: Logger(label: "log-cleaner-test"))
    }

    func makeCleaner(_ log: Log, maxIoBytesPerSecond: Double = .greatestFiniteMagnitude, time: (any Time)? = nil,
                     sleep: @escaping @Sendable (Int64) -> Void = { _ in }) -> LogCleaner {
        var config = LogCleanerConfig()
        config.dedupeBufferSize = 4 * 1024 * 1024
        config.maxIoBytesPerSecond = maxIoBytesPerSecond
        let tp = self.tp
        let cleaner = LogCleaner(
            config: config, logDirs: [directory.path], logs: { [tp: log] }, time: time ?? self.time,
            logger: Logger(label: "kafka.log.LogCleaner"), sleep: sleep)
        log.cleanerManager.withLock { $0 = cleaner.manager }
        return cleaner
    }

    /// Appends `records` (key, value; nil value = tombstone) in batches of 20 at the next offsets.
    func append(_ log: Log, _ records: [(String, String?)]) throws {
        var next = log.logEndOffset
        for chunk in stride(from: 0, to: records.count, by: 20).map({ Array(records[$0..<min($0 + 20, records.count)]) }) {
            var builder = MemoryRecordsBuilder(baseOffset: next, partitionLeaderEpoch: 0)
            for (index, record) in chunk.enumerated() {
                try builder.append(
                    offset: next + Int64(index), timestamp: time.milliseconds, key: ByteBuffer(string: record.0),
                    value: record.1.map { ByteBuffer(string: $0) })
            }
            _ = try log.appendAsFollower(try builder.buildRecords())
            next += Int64(chunk.count)
        }
    }

    /// Everything a reader gets from the log start on, through `Log.read`: offset → (key, value).
    func readAll(_ log: Log) throws -> [Int64: (key: String, value: String?)] {
        var result: [Int64: (key: String, value: String?)] = [:]
        var next = log.logStartOffset
        let end = log.logEndOffset
        while next < end {
            let fetched = try log.read(startOffset: next, maxLength: 1 << 20, minOneMessage: true)
            let bytes = try log.readBytes(fetched)
            var advanced = false
            for batch in MemoryRecords(bytes).batches {
                for record in try batch.decodeRecords() {
                    result[record.offset] = (String(buffer: record.key!), record.value.map { String(buffer: $0) })
                }
                next = batch.lastOffset + 1
                advanced = true
            }
            if !advanced { break }
        }
        return result
    }

    /// The latest record of each key among `written` (offset order).
    static func latest(_ written: [Int64: (String, String?)]) -> [Int64: (key: String, value: String?)] {
        var latestOffset: [String: Int64] = [:]
        for (offset, record) in written where offset > latestOffset[record.0, default: -1] { latestOffset[record.0] = offset }
        return Dictionary(uniqueKeysWithValues: latestOffset.values.map { ($0, (written[$0]!.0, written[$0]!.1)) })
    }

    static func same(_ a: [Int64: (key: String, value: String?)], _ b: [Int64: (key: String, value: String?)]) -> Bool {
        a.count == b.count && a.allSatisfy { offset, record in b[offset].map { $0.key == record.key && $0.value == record.value } ?? false }
    }

    func checkpoint() throws -> [TopicPartition: Int64] {
        Dictionary(
            try CheckpointFile<TopicPartitionOffset>(path: directory.appendingPathComponent("cleaner-offset-checkpoint").path).read()
                .map { ($0.topicPartition, $0.offset) }, uniquingKeysWith: { $1 })
    }

    @Test func aRandomWorkloadKeepsTheLatestValuePerKeyAndLosesItsTombstonesAfterTheHorizon() throws {
        let log = try openLog()
        defer { try? log.close() }
        var generator = SystemRandomNumberGenerator()
        var written: [Int64: (String, String?)] = [:]
        var records: [(String, String?)] = []
        for number in 0..<10_000 {
            let key = "k\(Int.random(in: 0..<2_000, using: &generator))"
            let value: String? = Int.random(in: 0..<10, using: &generator) == 0 ? nil : "v\(number)"
            records.append((key, value))
            written[Int64(number)] = (key, value)
        }
        try append(log, records)
        _ = try log.roll()
        let cleaner = makeCleaner(log)
        let thread = try #require(cleaner.threads.first)

        #expect(thread.cleanFilthiestLog())
        let expected = Self.latest(written)
        #expect(expected.values.contains { $0.value == nil }, "the workload has tombstones")
        // The first cleaning keeps tombstones (no segment was clean before: the horizon is 0).
        #expect(Self.same(try readAll(log), expected))
        #expect(try checkpoint()[tp] == 10_000)
        #expect(cleaner.manager.cleaningState(tp) == nil)
        // Nothing is dirty any more.
        #expect(!thread.cleanFilthiestLog())

        // delete.retention.ms (0 here) has passed since the clean segments were last written;
        // a later cleaning discards their tombstones.
        try log.withLock { local in for segment in local.segments { try segment.setLastModified(time.milliseconds - 10_000) } }
        var updates: [(String, String?)] = []
        let live = expected.filter { $0.value.value != nil }.map(\.value.key).sorted().prefix(100)
        for (index, key) in live.enumerated() {
            updates.append((key, "w\(index)"))
            written[10_000 + Int64(index)] = (key, "w\(index)")
        }
        try append(log, updates)
        _ = try log.roll()
        #expect(thread.cleanFilthiestLog())
        let after = try readAll(log)
        #expect(Self.same(after, Self.latest(written).filter { $0.value.value != nil }))
        #expect(!after.values.contains { $0.value == nil }, "no tombstone remains")
        #expect(try checkpoint()[tp] == 10_000 + Int64(updates.count))
    }

    /// A clock whose monotonic reading moves a second at each look, so that the throttler
    /// measures a rate at its every call.
    final class SteppingTime: Time {
        let base: MockTime
        let nanos = Mutex<UInt64>(0)
        init(_ base: MockTime) { self.base = base }
        var milliseconds: Int64 { base.milliseconds }
        var nanoseconds: UInt64 { nanos.withLock { $0 += 1_000_000_000; return $0 } }
    }

    /// Blocks the first throttled read of the cleaner until released.
    final class Gate: Sendable {
        let reached = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let used = Mutex(false)
        func pass() {
            guard !used.withLock({ used in defer { used = true }; return used }) else { return }
            reached.signal()
            release.wait()
        }
    }

    @Test func aTruncationDuringACleaningAbortsItAndTheLogStaysReadable() throws {
        let log = try openLog()
        defer { try? log.close() }
        var written: [Int64: (String, String?)] = [:]
        var records: [(String, String?)] = []
        for number in 0..<3_000 {
            records.append(("k\(number % 300)", "v\(number)"))
            written[Int64(number)] = ("k\(number % 300)", "v\(number)")
        }
        try append(log, records)
        _ = try log.roll()
        let gate = Gate()
        let cleaner = makeCleaner(log, maxIoBytesPerSecond: 1, time: SteppingTime(time)) { _ in gate.pass() }
        let thread = try #require(cleaner.threads.first)

        let cleaning = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            thread.cleanFilthiestLog()
            cleaning.signal()
        }
        // The cleaner is reading (outside the log's lock) when the truncation comes.
        #expect(gate.reached.wait(timeout: .now() + 60) == .success)
        #expect(cleaner.manager.cleaningState(tp) == .inProgress)
        let truncated = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? log.withCleaningPaused(truncatingTo: 1_500) { try log.truncateTo(1_500) }
            truncated.signal()
        }
        let deadline = Date(timeIntervalSinceNow: 60)
        while cleaner.manager.cleaningState(tp) != .aborted, Date() < deadline { usleep(1_000) }
        #expect(cleaner.manager.cleaningState(tp) == .aborted)
        // The truncation waits for the cleaner to let go of the log.
        #expect(truncated.wait(timeout: .now() + 0.2) == .timedOut)
        gate.release.signal()
        #expect(cleaning.wait(timeout: .now() + 60) == .success)
        #expect(truncated.wait(timeout: .now() + 60) == .success)

        #expect(cleaner.manager.cleaningState(tp) == nil)
        #expect(log.logEndOffset == 1_500)
        #expect(try checkpoint()[tp] == nil, "an aborted cleaning records no checkpoint")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: log.dir).filter { $0.hasSuffix(".cleaned") || $0.hasSuffix(".swap") }
        #expect(leftovers.isEmpty)
        #expect(Self.same(try readAll(log), written.filter { $0.key < 1_500 }.mapValues { ($0.0, $0.1) }))

        // The next cleaning goes through (once the truncated tail is out of the active segment).
        _ = try log.roll()
        #expect(thread.cleanFilthiestLog())
        #expect(Self.same(try readAll(log), Self.latest(written.filter { $0.key < 1_500 })))
    }
}
