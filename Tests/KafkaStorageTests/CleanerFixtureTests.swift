import Foundation
import Glibc
import KafkaCommon
import KafkaRecords
import KafkaTestKit
import Logging
import NIOCore
import Testing

@testable import KafkaStorage

/// The cleaner against Apache Kafka 2.3's own compaction of `fx-compact-0`
/// (`shared/fixtures/kafka-2.3.0/disk/compaction/`, see its README): given the segments Kafka
/// had before cleaning, each pass must leave exactly the segments Kafka's cleaner left.
///
/// Segment modification times drive the delete horizon; the copies' times are lost, so each
/// copied segment gets the largest timestamp of its batches, which is when the broker last wrote
/// to it (the producer stamped CreateTime on the same machine).
@Suite struct CleanerFixtureTests {
    static let partition = "fx-compact-0"

    /// `$KAFKA_FIXTURES_DIR/disk/compaction`, else `shared/fixtures/kafka-2.3.0/disk/compaction`
    /// beside the repository, else the copy of the files used here in `Fixtures/disk/compaction`.
    static func fixturesDirectory(file: String = #filePath) throws -> URL {
        let (relative, copy) = ("disk/compaction", "Tests/KafkaStorageTests/Fixtures/disk/compaction")
        return try #require(
            KafkaFixtures.directory(relative, localCopy: copy, holding: "before/\(partition)/00000000000000000000.log", testFile: file),
            "no compaction fixtures among \(KafkaFixtures.candidates(relative, localCopy: copy, testFile: file).map(\.path))")
    }

    let fixtures: URL
    let directory: URL
    let time = MockTime(milliseconds: 1_796_246_700_000)
    var logDirectory: String { directory.appendingPathComponent(Self.partition).path }

    init() throws {
        fixtures = try Self.fixturesDirectory()
        directory = try makeTemporaryDirectory(prefix: "cleaner-fixture")
        try FileManager.default.createDirectory(atPath: directory.appendingPathComponent(Self.partition).path, withIntermediateDirectories: true)
    }

    /// `fx-compact`'s overrides: segment.bytes=20000, delete.retention.ms=1000.
    static var config: LogConfig {
        var config = LogConfig()
        config.segmentBytes = 20_000
        config.deleteRetentionMs = 1_000
        config.segmentMs = 1_000
        config.cleanupPolicy = ["compact"]
        return config
    }

    /// Copies one segment's files (writable), from `name` + `sourceSuffix`, and sets its
    /// modification time to its largest batch timestamp.
    func copySegment(from folder: URL, baseOffset: Int64, sourceSuffix: String = "") throws {
        for suffix in [LogFileName.logSuffix, LogFileName.indexSuffix, LogFileName.timeIndexSuffix] {
            let name = LogFileName.filenamePrefix(baseOffset) + suffix
            let source = folder.appendingPathComponent(name + sourceSuffix)
            guard FileManager.default.fileExists(atPath: source.path) else { continue }
            try Data(contentsOf: source).write(to: URL(fileURLWithPath: "\(logDirectory)/\(name)"))
        }
        let logPath = LogFileName.logFile(logDirectory, baseOffset)
        let batches = try Self.batches(ofFile: logPath)
        if let newest = batches.map(\.maxTimestamp).max() { try Self.setModificationTime(logPath, newest) }
    }

    static func setModificationTime(_ path: String, _ milliseconds: Int64) throws {
        let seconds = milliseconds / 1000
        let time = timespec(tv_sec: Int(seconds), tv_nsec: Int((milliseconds % 1000) * 1_000_000))
        #expect(utimensat(AT_FDCWD, path, [time, time], 0) == 0)
    }

    static func batches(ofFile path: String) throws -> [RecordBatch] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var iterator = MemoryRecords(ByteBuffer(bytes: data)).batches
        var result: [RecordBatch] = []
        while let batch = iterator.next() { result.append(batch) }
        #expect(iterator.end == .complete, "\(path)")
        return result
    }

    /// The segment base offsets of a fixture folder.
    static func baseOffsets(in folder: URL, suffix: String = LogFileName.logSuffix) throws -> [Int64] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(suffix) }
            .compactMap { LogFileName.offset(fromFileName: $0) }
            .sorted()
    }

    func openLog() throws -> Log {
        try Log(
            dir: logDirectory, config: Self.config, hadCleanShutdown: true, scheduler: MockScheduler(time: time), time: time,
            logger: Logger(label: "cleaner-fixture"))
    }

    /// One record as the comparisons see it: offset, key, value (nil for a tombstone), timestamp.
    struct RecordView: Equatable, CustomStringConvertible {
        var offset: Int64
        var key: String?
        var value: String?
        var timestamp: Int64
        var description: String { "\(offset) \(key ?? "-") \(value ?? "<null>") @\(timestamp)" }
    }

    /// One batch's fields that the cleaner must keep or set as Kafka does, and its records.
    struct BatchView: Equatable, CustomStringConvertible {
        var baseOffset: Int64
        var lastOffset: Int64
        var count: Int32
        var baseTimestamp: Int64
        var maxTimestamp: Int64
        var producerId: Int64
        var producerEpoch: Int16
        var baseSequence: Int32
        var attributes: Int16
        var partitionLeaderEpoch: Int32
        var records: [RecordView]
        var description: String {
            "batch \(baseOffset)...\(lastOffset) count \(count) ts \(baseTimestamp)/\(maxTimestamp) pid \(producerId) epoch \(producerEpoch) seq \(baseSequence) attrs \(attributes) ple \(partitionLeaderEpoch): \(records)"
        }
    }

    static func view(_ batch: RecordBatch) throws -> BatchView {
        let records = try batch.decodeRecords().map { record in
            RecordView(
                offset: record.offset, key: record.key.map { String(buffer: $0) }, value: record.value.map { String(buffer: $0) },
                timestamp: record.timestamp)
        }
        return BatchView(
            baseOffset: batch.baseOffset, lastOffset: batch.lastOffset, count: batch.recordCount, baseTimestamp: batch.baseTimestamp,
            maxTimestamp: batch.maxTimestamp, producerId: batch.producerId, producerEpoch: batch.producerEpoch,
            baseSequence: batch.baseSequence, attributes: batch.attributes, partitionLeaderEpoch: batch.partitionLeaderEpoch,
            records: records)
    }

    /// Asserts that the log's segment at `baseOffset` holds the same batches, records and bytes
    /// as the Kafka file at `expectedPath`.
    func expectSegment(_ baseOffset: Int64, matches expectedPath: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let actualPath = LogFileName.logFile(logDirectory, baseOffset)
        let actual = try Self.batches(ofFile: actualPath).map(Self.view)
        let expected = try Self.batches(ofFile: expectedPath).map(Self.view)
        #expect(actual.count == expected.count, "segment \(baseOffset): batch count", sourceLocation: sourceLocation)
        for (mine, kafka) in zip(actual, expected) {
            #expect(mine == kafka, "segment \(baseOffset)", sourceLocation: sourceLocation)
        }
        #expect(try fileBytes(actualPath) == fileBytes(expectedPath), "segment \(baseOffset): bytes", sourceLocation: sourceLocation)
    }

    func clean(_ log: Log, _ cleaner: Cleaner, from firstDirty: Int64, to firstUncleanable: Int64) throws -> (Int64, CleanerStats) {
        try log.withLock { local in
            let result = try cleaner.clean(local, firstDirtyOffset: firstDirty, firstUncleanableOffset: firstUncleanable)
            return (result.endOffset, result.stats)
        }
    }

    func segmentBases(_ log: Log) -> [Int64] { log.withLock { $0.segments.map(\.baseOffset) } }

    @Test func firstPassKeepsWhatKafkasCleanerKept() throws {
        let before = fixtures.appendingPathComponent("before/\(Self.partition)")
        for base in try Self.baseOffsets(in: before) { try copySegment(from: before, baseOffset: base) }
        let log = try openLog()
        defer { _ = try? log.withLock { try $0.close() } }
        let cleaner = Cleaner(offsetMap: SkimpyOffsetMap(memory: 1 << 20), logger: Logger(label: "cleaner"))

        // Kafka: dirty range [0, 4930), 4,930 messages → 200, first pass keeps tombstones.
        let (endOffset, stats) = try clean(log, cleaner, from: 0, to: 4930)
        #expect(endOffset == 4930)
        #expect(stats.messagesRead == 4930 && stats.messagesWritten == 200)
        #expect(cleaner.offsetMap.size == 200)

        let after = fixtures.appendingPathComponent("after-pass1/\(Self.partition)")
        let expectedBases = try Self.baseOffsets(in: after)
        #expect(segmentBases(log) == expectedBases)
        for base in expectedBases {
            try expectSegment(base, matches: after.appendingPathComponent(LogFileName.filenamePrefix(base) + ".log").path)
        }
        // The replaced segments wait as .deleted files; no .cleaned or .swap file is left.
        let names = try FileManager.default.contentsOfDirectory(atPath: logDirectory)
        #expect(!names.contains { $0.hasSuffix(LogFileName.cleanedSuffix) || $0.hasSuffix(LogFileName.swapSuffix) })
        #expect(names.contains("00000000000000004230.log.deleted") && names.contains("00000000000000004580.log.deleted"))
        #expect(!names.contains("00000000000000004230.log") && !names.contains("00000000000000004580.log"))
    }

    /// Passes 2 to 5 after wave 2 (README, "after-wave2"): the wave-2 segments 5000, 5060 and
    /// 5120 survive in the fixture as the `.deleted` files Kafka left, and so does pass 4's output.
    @Test func laterPassesReachKafkasFinalSegment() throws {
        let before = fixtures.appendingPathComponent("before/\(Self.partition)")
        for base in try Self.baseOffsets(in: before) { try copySegment(from: before, baseOffset: base) }
        let cleaner = Cleaner(offsetMap: SkimpyOffsetMap(memory: 1 << 20), logger: Logger(label: "cleaner"))
        do {
            let log = try openLog()
            #expect(try clean(log, cleaner, from: 0, to: 4930).0 == 4930)
            try log.withLock { try $0.close() }
        }
        let wave2 = fixtures.appendingPathComponent("after-wave2/\(Self.partition)")
        for base: Int64 in [5000, 5060, 5120] { try copySegment(from: wave2, baseOffset: base, sourceSuffix: LogFileName.deletedSuffix) }
        try copySegment(from: wave2, baseOffset: 5180)
        let log = try openLog()
        defer { _ = try? log.withLock { try $0.close() } }
        #expect(log.withLock { $0.logEndOffset } == 5181)

        // Pass 2, dirty [4930, 5000): every segment before 5000 becomes segment 0, and the
        // tombstones of 3600 (older than the horizon) are gone: "270 messages → 180".
        let (end2, stats2) = try clean(log, cleaner, from: 4930, to: 5000)
        #expect(end2 == 5000)
        #expect(stats2.messagesRead == 270 && stats2.messagesWritten == 180)
        #expect(segmentBases(log) == [0, 5000, 5060, 5120, 5180])
        let segment0 = LogFileName.logFile(logDirectory, 0)
        #expect(fileSize(segment0) == 8106)
        let records = try Self.batches(ofFile: segment0).flatMap { try Self.view($0).records }
        // Phase B wrote key j % 180 at offset 4020 + j, j < 980: the latest of each key.
        let expected = (0..<180).map { key -> Int64 in 4020 + Int64((0..<980).last { $0 % 180 == key }!) }.sorted()
        #expect(records.map(\.offset) == expected)
        #expect(records.allSatisfy { $0.value != nil })
        #expect(Set(records.compactMap(\.key)).count == 180)

        // Pass 3 folds 5000 in (same size: 60 records replace 60).
        #expect(try clean(log, cleaner, from: 5000, to: 5060).0 == 5060)
        #expect(fileSize(segment0) == 8106)
        #expect(segmentBases(log) == [0, 5060, 5120, 5180])
        // Pass 4's output is the `.deleted` segment 0 Kafka left behind.
        #expect(try clean(log, cleaner, from: 5060, to: 5120).0 == 5120)
        try expectSegment(0, matches: wave2.appendingPathComponent("00000000000000000000.log.deleted").path)
        // Pass 5: offsets 5000–5179 in the producer's three batches, copied as they were.
        #expect(try clean(log, cleaner, from: 5120, to: 5180).0 == 5180)
        try expectSegment(0, matches: wave2.appendingPathComponent("00000000000000000000.log").path)
        #expect(segmentBases(log) == [0, 5180])
    }
}
