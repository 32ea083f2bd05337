import Foundation
import KafkaCommon
import KafkaStorage
import KafkaTestKit
import Testing

@Suite struct OffsetIndexTests {
    let directory: URL
    init() throws { directory = try makeTemporaryDirectory(prefix: "index") }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @Test func appendLookupAndFormat() throws {
        let index = try OffsetIndex(path: path("00000000000000001000.index"), baseOffset: 1000, maxIndexSize: 8 * 100)
        #expect(index.entries == 0)
        #expect(index.lookup(1500) == (1000, 0), "empty: start at the segment's first byte")
        for step in 1...10 { try index.append(offset: 1000 + Int64(step * 10), position: Int32(step * 4096)) }
        #expect(index.lookup(999) == (1000, 0))
        #expect(index.lookup(1010) == (1010, 4096))
        #expect(index.lookup(1015) == (1010, 4096))
        #expect(index.lookup(1099) == (1090, 9 * 4096))
        #expect(index.lookup(5000) == (1100, 10 * 4096))
        #expect(throws: StorageError.self) { try index.append(offset: 1100, position: 50_000) }
        try index.close()

        let bytes = try Array(Data(contentsOf: directory.appendingPathComponent("00000000000000001000.index")))
        #expect(bytes.count == 80, "closing trims the preallocated file to its entries")
        #expect(Array(bytes[0..<8]) == [0, 0, 0, 10, 0, 0, 0x10, 0], "relative offset 10, position 4096, big-endian")
    }

    @Test func reopensWithEntriesAndIgnoresUnwrittenSpace() throws {
        let file = path("00000000000000000000.index")
        do {
            let index = try OffsetIndex(path: file, baseOffset: 0, maxIndexSize: 1024)
            try index.append(offset: 5, position: 5000)
            try index.append(offset: 9, position: 9000)
            try index.flush()
            // No close: like a crash, the file keeps its preallocated, zero-filled tail.
        }
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int == 1024)
        let reopened = try OffsetIndex(path: file, baseOffset: 0, maxIndexSize: 1024)
        #expect(reopened.entries == 2)
        #expect(reopened.lastEntry == (9, 9000))
        try reopened.append(offset: 12, position: 12000)
        #expect(reopened.entries == 3)
    }

    @Test func truncateAndFull() throws {
        let index = try OffsetIndex(path: path("t.index"), baseOffset: 0, maxIndexSize: 8 * 4 + 5)
        #expect(!index.isFull)
        for offset in [10, 20, 30, 40] { try index.append(offset: Int64(offset), position: Int32(offset * 100)) }
        #expect(index.isFull, "max size is rounded down to whole entries")
        #expect(throws: StorageError.indexFull(path: index.path)) { try index.append(offset: 50, position: 5000) }
        index.truncate(to: 30)
        #expect(index.entries == 2)
        #expect(index.lastEntry == (20, 2000))
        index.truncate(to: 25)
        #expect(index.entries == 2)
        try index.append(offset: 21, position: 2100)
        index.truncateAll()
        #expect(index.entries == 0)
    }

    @Test func rejectsOffsetsOutsideTheSegmentRange() throws {
        let index = try OffsetIndex(path: path("r.index"), baseOffset: 100, maxIndexSize: 64)
        #expect(throws: StorageError.self) { try index.append(offset: 99, position: 0) }
        #expect(throws: StorageError.self) { try index.append(offset: 100 + Int64(Int32.max) + 1, position: 0) }
    }
}

@Suite struct TimeIndexTests {
    let directory: URL
    init() throws { directory = try makeTemporaryDirectory(prefix: "timeindex") }

    @Test func appendsOnlyGrowingTimestampsAndLooksUp() throws {
        let file = directory.appendingPathComponent("00000000000000000100.timeindex").path
        let index = try TimeIndex(path: file, baseOffset: 100, maxIndexSize: 12 * 50)
        #expect(index.lookup(5) == (TimeIndex.noTimestamp, 100))
        try index.maybeAppend(timestamp: 1000, offset: 100)
        try index.maybeAppend(timestamp: 1000, offset: 105)
        try index.maybeAppend(timestamp: 900, offset: 106)
        try index.maybeAppend(timestamp: 2000, offset: 110)
        try index.maybeAppend(timestamp: 3000, offset: 120)
        #expect(index.entries == 3, "equal or smaller timestamps add nothing")
        #expect(index.lookup(999) == (TimeIndex.noTimestamp, 100))
        #expect(index.lookup(1000) == (1000, 100))
        #expect(index.lookup(2500) == (2000, 110))
        #expect(index.lookup(9999) == (3000, 120))
        #expect(throws: StorageError.self) { try index.maybeAppend(timestamp: 4000, offset: 119) }
        index.truncate(to: 110)
        #expect(index.lastEntry == (1000, 100))
        try index.close()
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(bytes == [0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0, 0, 0, 0], "timestamp 1000 as int64, relative offset 0")
        let reopened = try TimeIndex(path: file, baseOffset: 100, maxIndexSize: 12 * 50)
        #expect(reopened.entries == 1)
    }
}

@Suite struct CheckpointFileTests {
    @Test func kafkaTextFormatRoundTrip() throws {
        let directory = try makeTemporaryDirectory(prefix: "checkpoint")
        let path = directory.appendingPathComponent(CheckpointFileName.recoveryPoint).path
        let file = CheckpointFile<TopicPartitionOffset>(path: path)
        #expect(try file.read() == [])
        let entries = [TopicPartitionOffset(TopicPartition("orders", 0), 1200),
                       TopicPartitionOffset(TopicPartition("payments", 3), 77)]
        try file.write(entries)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "0\n2\norders 0 1200\npayments 3 77\n")
        #expect(try file.read() == entries)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))

        let epochs = CheckpointFile<EpochEntry>(path: directory.appendingPathComponent(CheckpointFileName.leaderEpoch).path)
        try epochs.write([EpochEntry(epoch: 0, startOffset: 0), EpochEntry(epoch: 3, startOffset: 150)])
        #expect(try String(contentsOfFile: epochs.path, encoding: .utf8) == "0\n2\n0 0\n3 150\n")
        #expect(try epochs.read().last == EpochEntry(epoch: 3, startOffset: 150))
    }

    @Test(arguments: [
        ("1\n0\n", "unrecognized version"),
        ("0\nx\n", "malformed entry count"),
        ("0\n2\norders 0 5\n", "expected 2 entries"),
        ("0\n1\norders zero 5\n", "line 3: malformed entry"),
        ("0\n", "missing version or count"),
    ])
    func malformedFilesNameTheProblem(_ text: String, _ message: String) throws {
        let directory = try makeTemporaryDirectory(prefix: "checkpoint")
        let path = directory.appendingPathComponent("cp").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try CheckpointFile<TopicPartitionOffset>(path: path).read()
            Issue.record("no error for \(text.debugDescription)")
        } catch let StorageError.corrupt(errorPath, errorMessage) {
            #expect(errorPath == path)
            #expect(errorMessage.contains(message))
        }
    }

    /// Kafka reads a 0-byte checkpoint as no entries (`cleaner-offset-checkpoint` is one until
    /// the first cleaning).
    @Test func anEmptyFileHasNoEntries() throws {
        let directory = try makeTemporaryDirectory(prefix: "checkpoint")
        let path = directory.appendingPathComponent("cp").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        #expect(try CheckpointFile<TopicPartitionOffset>(path: path).read() == [])
    }
}
