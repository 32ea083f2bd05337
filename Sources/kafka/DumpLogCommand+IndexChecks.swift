import Foundation
import KafkaRecords
import KafkaStorage

/// What Kafka 2.3's `DumpLogSegments` prints to standard error once every file is dumped, in its
/// order and wording:
///
///     Mismatches in :/abs/path/00000000000000000000.index
///       Index offset: 149, log offset: 150
///     Found timestamp mismatch in :/abs/path/00000000000000000000.timeindex
///       Index timestamp: 1796246633928, log timestamp: 1796246633927
///     Found out of order timestamp in :/abs/path/00000000000000000000.timeindex
///       Index timestamp: 5, Previously indexed timestamp: 9
///     The following indexed offsets are not found in the log.
///     Indexed offset: 130, found log offset: 149
///
/// An offset index entry must point at the batch that ends at its offset. A time index entry
/// must name the last offset of a batch (Kafka's brokers index the offset of the record with the
/// largest timestamp, which sits inside the batch when it is compressed or not the last: 2.3's
/// tool complains about those, see the fixtures' README) whose largest record timestamp is the
/// entry's timestamp, and timestamps must grow. Offset index mismatches print newest first, as
/// Kafka's list is built by prepending.
struct DumpLogSegmentsErrors {
    private var indexMismatches: [(path: String, entries: [(Int64, Int64)])] = []
    private var timestampMismatches: [(path: String, entries: [(Int64, Int64)])] = []
    private var outOfOrderTimestamps: [(path: String, entries: [(Int64, Int64)])] = []
    private var shallowOffsetsNotFound: [(path: String, entries: [(Int64, Int64)])] = []

    mutating func recordIndexMismatch(_ path: String, indexOffset: Int64, logOffset: Int64) {
        Self.add(&indexMismatches, path, (indexOffset, logOffset))
    }

    mutating func recordTimestampMismatch(_ path: String, indexTimestamp: Int64, logTimestamp: Int64) {
        Self.add(&timestampMismatches, path, (indexTimestamp, logTimestamp))
    }

    mutating func recordOutOfOrderTimestamp(_ path: String, indexTimestamp: Int64, previousTimestamp: Int64) {
        Self.add(&outOfOrderTimestamps, path, (indexTimestamp, previousTimestamp))
    }

    mutating func recordShallowOffsetNotFound(_ path: String, indexOffset: Int64, logOffset: Int64) {
        Self.add(&shallowOffsetsNotFound, path, (indexOffset, logOffset))
    }

    private static func add(_ table: inout [(path: String, entries: [(Int64, Int64)])], _ path: String, _ entry: (Int64, Int64)) {
        if let index = table.firstIndex(where: { $0.path == path }) {
            table[index].entries.append(entry)
        } else {
            table.append((path, [entry]))
        }
    }

    var isEmpty: Bool { lines.isEmpty }

    /// The lines for standard error.
    var lines: [String] {
        var lines: [String] = []
        for (path, entries) in indexMismatches {
            lines.append("Mismatches in :\(path)")
            lines += entries.reversed().map { "  Index offset: \($0.0), log offset: \($0.1)" }
        }
        for (path, entries) in timestampMismatches {
            lines.append("Found timestamp mismatch in :\(path)")
            lines += entries.map { "  Index timestamp: \($0.0), log timestamp: \($0.1)" }
        }
        for (path, entries) in outOfOrderTimestamps {
            lines.append("Found out of order timestamp in :\(path)")
            lines += entries.map { "  Index timestamp: \($0.0), Previously indexed timestamp: \($0.1)" }
        }
        for (_, entries) in shallowOffsetsNotFound {
            lines.append("The following indexed offsets are not found in the log.")
            lines += entries.map { "Indexed offset: \($0.0), found log offset: \($0.1)" }
        }
        return lines
    }
}

extension DumpLogCommand {
    /// An index file and the segment files beside it that its checks read.
    struct SegmentFiles {
        let baseOffset: Int64
        let absolutePath: String
        /// The segment's `.log` bytes; nil when there is no such file (the entries are printed
        /// unchecked).
        let log: Data?
        let offsetIndexPath: String

        init(indexPath: String) throws {
            baseOffset = try DumpLogCommand.baseOffset(of: indexPath)
            let url = URL(fileURLWithPath: indexPath).standardizedFileURL
            absolutePath = url.path
            let directory = url.deletingLastPathComponent()
            let prefix = LogFileName.filenamePrefix(baseOffset)
            log = try? Data(contentsOf: directory.appendingPathComponent(prefix + LogFileName.logSuffix))
            offsetIndexPath = directory.appendingPathComponent(prefix + LogFileName.indexSuffix).path
        }
    }

    /// The first whole batch at `position` of a segment's bytes.
    static func firstBatch(in log: Data, from position: Int) -> RecordBatch? {
        batches(in: log, from: position).first { _ in true }
    }

    static func batches(in log: Data, from position: Int) -> RecordBatchIterator {
        guard position >= 0, position <= log.count else { return MemoryRecords(ByteBuffer()).batches }
        return MemoryRecords(ByteBuffer(bytes: log[log.startIndex + position..<log.endIndex])).batches
    }

    /// Kafka 2.3's time index check: from the offset index's position for the entry's offset,
    /// the first batch ending at or after it must end exactly there, its records' largest
    /// timestamp must be the entry's, and the entry's timestamp must exceed the previous one.
    static func checkTimeIndexEntry(
        timestamp: Int64, offset: Int64, previousTimestamp: Int64, log: Data, offsetIndexPath: String,
        errors: inout DumpLogSegmentsErrors, path: String
    ) throws {
        let position = try offsetIndexPosition(offsetIndexPath, for: offset)
        guard let batch = batches(in: log, from: position).first(where: { $0.lastOffset >= offset }) else {
            errors.recordShallowOffsetNotFound(path, indexOffset: offset, logOffset: -1)
            return
        }
        guard batch.lastOffset == offset else {
            errors.recordShallowOffsetNotFound(path, indexOffset: offset, logOffset: batch.lastOffset)
            return
        }
        let largest = try batch.decodeRecords().map(\.timestamp).max() ?? TimeIndex.noTimestamp
        if largest != timestamp {
            errors.recordTimestampMismatch(path, indexTimestamp: timestamp, logTimestamp: largest)
        }
        if previousTimestamp >= timestamp {
            errors.recordOutOfOrderTimestamp(path, indexTimestamp: timestamp, previousTimestamp: previousTimestamp)
        }
    }

    /// The position the offset index gives for `offset` (0 without an index or an entry).
    static func offsetIndexPosition(_ indexPath: String, for offset: Int64) throws -> Int {
        guard FileManager.default.fileExists(atPath: indexPath) else { return 0 }
        let base = try baseOffset(of: indexPath)
        var position = 0
        _ = try withIndexCopy(of: indexPath) { copy, size in
            position = Int(try OffsetIndex(path: copy, baseOffset: base, maxIndexSize: size).lookup(offset).position)
            return ""
        }
        return position
    }
}
