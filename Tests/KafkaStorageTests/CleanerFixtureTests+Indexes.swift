import Foundation
import KafkaCommon
import Logging
import Testing

@testable import KafkaStorage

/// The `.index` and `.timeindex` files the cleaner writes, against the ones Kafka 2.3's cleaner
/// wrote for the same segments: byte for byte, once the log is closed (Kafka's files come from
/// a stopped broker, so their indexes are trimmed to their entries).
extension CleanerFixtureTests {
    static let indexSuffixes = [LogFileName.indexSuffix, LogFileName.timeIndexSuffix]

    /// Asserts that segment `baseOffset`'s indexes hold Kafka's bytes (`expectedSuffix` names
    /// Kafka's files, `.deleted` for the ones its cleaner replaced later).
    func expectIndexes(_ baseOffset: Int64, in folder: URL, expectedSuffix: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws {
        for suffix in Self.indexSuffixes {
            let name = LogFileName.filenamePrefix(baseOffset) + suffix
            let kafka = try fileBytes(folder.appendingPathComponent(name + expectedSuffix).path)
            let mine = try fileBytes("\(logDirectory)/\(name)")
            #expect(mine == kafka, "\(name): \(mine.count) bytes, Kafka's \(kafka.count)", sourceLocation: sourceLocation)
        }
    }

    @Test func firstPassWritesKafkasIndexes() throws {
        let before = fixtures.appendingPathComponent("before/\(Self.partition)")
        for base in try Self.baseOffsets(in: before) { try copySegment(from: before, baseOffset: base) }
        let log = try openLog()
        let cleaner = Cleaner(offsetMap: SkimpyOffsetMap(memory: 1 << 20), logger: Logger(label: "cleaner"))
        #expect(try clean(log, cleaner, from: 0, to: 4930).0 == 4930)
        try log.withLock { try $0.close() }

        let after = fixtures.appendingPathComponent("after-pass1/\(Self.partition)")
        let bases = try Self.baseOffsets(in: after)
        #expect(bases.count == 13)
        for base in bases { try expectIndexes(base, in: after) }
    }

    /// Pass 4's segment 0 (kept by Kafka as `.deleted` files) and pass 5's final one.
    @Test func laterPassesWriteKafkasIndexes() throws {
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
        #expect(try clean(log, cleaner, from: 4930, to: 5000).0 == 5000)
        #expect(try clean(log, cleaner, from: 5000, to: 5060).0 == 5060)
        #expect(try clean(log, cleaner, from: 5060, to: 5120).0 == 5120)
        // A cleaned segment is inactive: its indexes are trimmed as soon as it is swapped in.
        try expectIndexes(0, in: wave2, expectedSuffix: LogFileName.deletedSuffix)
        #expect(try clean(log, cleaner, from: 5120, to: 5180).0 == 5180)
        try log.withLock { try $0.close() }
        try expectIndexes(0, in: wave2)
    }
}
