import Foundation
import KafkaCommon
import KafkaRecords
import Logging
import Testing

@testable import KafkaStorage

/// The cleaner checkpoint in Kafka's format, and the load-time rules for a swap a crash
/// interrupted, on the fixture's group {4405, 4580}, which Kafka's first pass cleaned into one
/// 276-byte segment 4405.
extension CleanerFixtureTests {
    @Test func cleanerCheckpointReadsAndWritesKafkasFiles() throws {
        let disk = fixtures.deletingLastPathComponent()
        let final = CheckpointFile<TopicPartitionOffset>(path: disk.appendingPathComponent("checkpoints/\(CheckpointFileName.cleanerOffset)").path)
        #expect(try final.read() == [TopicPartitionOffset(TopicPartition("fx-compact", 0), 5180)])
        let pass1 = CheckpointFile<TopicPartitionOffset>(path: fixtures.appendingPathComponent("after-pass1/\(CheckpointFileName.cleanerOffset)").path)
        #expect(try pass1.read() == [TopicPartitionOffset(TopicPartition("fx-compact", 0), 4930)])
        // Before the first cleaning the file exists with 0 bytes.
        let empty = fixtures.appendingPathComponent("before/\(CheckpointFileName.cleanerOffset)").path
        #expect(fileSize(empty) == 0)
        #expect(try CheckpointFile<TopicPartitionOffset>(path: empty).read() == [])

        let written = directory.appendingPathComponent(CheckpointFileName.cleanerOffset).path
        try CheckpointFile<TopicPartitionOffset>(path: written).write([TopicPartitionOffset(TopicPartition("fx-compact", 0), 5180)])
        #expect(try fileBytes(written) == fileBytes(final.path))
    }

    /// Where a crash can leave the swap of {4405, 4580} → 4405.
    enum SwapCrash: CaseIterable {
        /// Cleaned files written, not yet renamed: the old segments stay.
        case cleanedNotSwapped
        /// `.cleaned` → `.swap` done (step 1): the swap is completed at load.
        case renamedToSwap
        /// Old segment 4405 renamed `.deleted`, 4580 not yet (step 3 under way).
        case firstOldSegmentDeleted
        /// Both old segments `.deleted`, the `.swap` suffix still there (before step 4).
        case allOldSegmentsDeleted
    }

    @Test(arguments: SwapCrash.allCases)
    func aSwapInterruptedByACrashEndsOldOrNewNeverMixed(_ crash: SwapCrash) throws {
        let before = fixtures.appendingPathComponent("before/\(Self.partition)")
        for base in try Self.baseOffsets(in: before) { try copySegment(from: before, baseOffset: base) }
        let cleaned = fixtures.appendingPathComponent("after-pass1/\(Self.partition)/00000000000000004405.log")
        let suffix = crash == .cleanedNotSwapped ? LogFileName.cleanedSuffix : LogFileName.swapSuffix
        try Data(contentsOf: cleaned).write(to: URL(fileURLWithPath: LogFileName.logFile(logDirectory, 4405, suffix: suffix)))
        for path in [LogFileName.indexFile(logDirectory, 4405, suffix: suffix), LogFileName.timeIndexFile(logDirectory, 4405, suffix: suffix)] {
            _ = FileManager.default.createFile(atPath: path, contents: Data())
        }
        func markDeleted(_ base: Int64) throws {
            for path in [LogFileName.logFile(logDirectory, base), LogFileName.indexFile(logDirectory, base), LogFileName.timeIndexFile(logDirectory, base)] {
                try FileManager.default.moveItem(atPath: path, toPath: path + LogFileName.deletedSuffix)
            }
        }
        switch crash {
        case .cleanedNotSwapped, .renamedToSwap: break
        case .firstOldSegmentDeleted: try markDeleted(4405)
        case .allOldSegmentsDeleted:
            try markDeleted(4405)
            try markDeleted(4580)
        }

        let log = try openLog()
        defer { _ = try? log.withLock { try $0.close() } }
        let names = try FileManager.default.contentsOfDirectory(atPath: logDirectory)
        #expect(!names.contains { $0.hasSuffix(LogFileName.cleanedSuffix) || $0.hasSuffix(LogFileName.swapSuffix) }, "\(names.sorted())")
        let bases = segmentBases(log)
        if crash == .cleanedNotSwapped {
            #expect(bases == (try Self.baseOffsets(in: before)))
            try expectSegment(4405, matches: before.appendingPathComponent("00000000000000004405.log").path)
            try expectSegment(4580, matches: before.appendingPathComponent("00000000000000004580.log").path)
        } else {
            #expect(bases == (try Self.baseOffsets(in: before)).filter { $0 != 4580 })
            try expectSegment(4405, matches: cleaned.path)
            #expect(!names.contains("00000000000000004580.log"))
        }
        // Every other segment is untouched, and the log still ends where it did.
        try expectSegment(4055, matches: before.appendingPathComponent("00000000000000004055.log").path)
        try expectSegment(4755, matches: before.appendingPathComponent("00000000000000004755.log").path)
        #expect(log.withLock { $0.logEndOffset } == 5000)
    }
}

extension CleanerFixtureTests {
    /// Where the live cleaner is stopped, as by kill -9, while swapping the group {4405, 4580}.
    static let crashSteps: [SwapStep] = [
        .beforeRenameToSwap, .renamedToSwap, .oldSegmentDeleted(baseOffset: 4405), .oldSegmentDeleted(baseOffset: 4580),
    ]

    @Test(arguments: crashSteps)
    func theCleanerKilledMidSwapRecoversToOldOrNewSegments(_ step: SwapStep) throws {
        let before = fixtures.appendingPathComponent("before/\(Self.partition)")
        let after = fixtures.appendingPathComponent("after-pass1/\(Self.partition)")
        for base in try Self.baseOffsets(in: before) { try copySegment(from: before, baseOffset: base) }
        let cleaner = Cleaner(offsetMap: SkimpyOffsetMap(memory: 1 << 20), logger: Logger(label: "cleaner"))
        cleaner.swapCrashPoint = { at, base in
            if base == 4405 && at == step { throw SimulatedCrash() }
        }
        do {
            let log = try openLog()
            #expect(throws: SimulatedCrash.self) { _ = try clean(log, cleaner, from: 0, to: 4930) }
            // The process dies here: nothing is closed or flushed further.
        }

        let log = try Log(
            dir: logDirectory, config: Self.config, recoveryPoint: 0, hadCleanShutdown: false, scheduler: MockScheduler(time: time),
            time: time, logger: Logger(label: "cleaner-fixture"))
        defer { _ = try? log.withLock { try $0.close() } }
        let names = try FileManager.default.contentsOfDirectory(atPath: logDirectory)
        #expect(!names.contains { $0.hasSuffix(LogFileName.cleanedSuffix) || $0.hasSuffix(LogFileName.swapSuffix) }, "\(names.sorted())")
        // Groups cleaned before the crash are Kafka's output; 4755 was never reached.
        for base: Int64 in [0, 3600, 4055] { try expectSegment(base, matches: after.appendingPathComponent(LogFileName.filenamePrefix(base) + ".log").path) }
        try expectSegment(4755, matches: before.appendingPathComponent("00000000000000004755.log").path)
        if step == .beforeRenameToSwap {
            try expectSegment(4405, matches: before.appendingPathComponent("00000000000000004405.log").path)
            try expectSegment(4580, matches: before.appendingPathComponent("00000000000000004580.log").path)
        } else {
            try expectSegment(4405, matches: after.appendingPathComponent("00000000000000004405.log").path)
            #expect(!segmentBases(log).contains(4580))
        }
        #expect(log.withLock { $0.logEndOffset } == 5000)
    }
}

extension CleanerFixtureTests {
    /// The per-run summary of pass 1 reads as Kafka's in `log-cleaner.log`, given Kafka's timings
    /// (0.52 s in all, 0.42 s of them building the map) and its 128 MB dedupe buffer.
    @Test func passOneSummaryReadsAsKafkasLogCleanerLog() throws {
        let before = fixtures.appendingPathComponent("before/\(Self.partition)")
        for base in try Self.baseOffsets(in: before) { try copySegment(from: before, baseOffset: base) }
        let log = try openLog()
        defer { _ = try? log.withLock { try $0.close() } }
        let cleaner = Cleaner(offsetMap: SkimpyOffsetMap(memory: 128 * 1024 * 1024), logger: Logger(label: "cleaner"))
        var (_, stats) = try clean(log, cleaner, from: 0, to: 4930)
        stats.startNanos = 1_000_000_000
        stats.mapCompleteNanos = 1_420_000_000
        stats.endNanos = 1_520_000_000
        let kafka = try String(contentsOf: fixtures.appendingPathComponent("log-cleaner.log"), encoding: .utf8)
        let summary = stats.summary(threadId: 0, logName: Self.partition, from: 0, to: 0)
        #expect(kafka.contains("[kafka-log-cleaner-thread-0]: " + summary + " (kafka.log.LogCleaner)"), "\(summary)")
        // Times in the cleaner's lines print as Kafka's (a broker running in UTC) do.
        #expect(Cleaner.date(0) == "Thu Jan 01 00:00:00 UTC 1970")
        #expect(kafka.contains("(largest timestamp \(Cleaner.date(1_796_246_634_999)))"))
    }
}
