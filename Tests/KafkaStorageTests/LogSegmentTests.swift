import Foundation
import KafkaCommon
import KafkaStorage
import KafkaTestKit
import Logging
import Testing

@Suite struct FileRecordsTests {
    let directory: URL
    init() throws { directory = try makeTemporaryDirectory(prefix: "filerecords") }

    @Test func appendWritesTheBatchBytesAsTheyAre() throws {
        let path = directory.appendingPathComponent("00000000000000000000.log").path
        let file = try FileRecords(path: path)
        let first = try makeBatch(baseOffset: 0, count: 3)
        let second = try makeBatch(baseOffset: 3, count: 2, timestamp: 5_000)
        try file.append(first)
        try file.append(second)
        #expect(file.sizeInBytes == first.sizeInBytes + second.sizeInBytes)
        try file.flush()
        let expected = Array(first.buffer.readableBytesView) + Array(second.buffer.readableBytesView)
        #expect(try fileBytes(path) == expected)
        #expect(Array(try file.read(position: 0, size: 1 << 20).readableBytesView) == expected)

        let hit = try #require(try file.searchForOffset(4, startingAt: 0))
        #expect(hit.offset == 3 && hit.position == first.sizeInBytes && hit.size == second.sizeInBytes)
        #expect(try file.searchForOffset(1, startingAt: 0)?.position == 0)
        #expect(try file.searchForOffset(5, startingAt: 0) == nil)
        #expect(try file.searchForTimestamp(5_001, startingPosition: 0, startingOffset: 0)! == (5_001, 4))
        #expect(try file.searchForTimestamp(1_001, startingPosition: 0, startingOffset: 0)! == (1_001, 1))
        #expect(try file.searchForTimestamp(9_000, startingPosition: 0, startingOffset: 0) == nil)

        let slice = try file.slice(position: hit.position, size: 1 << 20)
        #expect(slice.channel === file.channel && slice.position == first.sizeInBytes && slice.size == second.sizeInBytes)
        #expect(Array(try slice.read().readableBytesView) == Array(second.buffer.readableBytesView))

        #expect(try file.truncate(to: first.sizeInBytes) == second.sizeInBytes)
        #expect(fileSize(path) == first.sizeInBytes)
        try file.rename(to: path + ".deleted")
        #expect(fileExists(path + ".deleted") && !fileExists(path))
        #expect(try file.deleteIfExists())
        #expect(!fileExists(path + ".deleted"))
    }
}

@Suite struct LogSegmentTests {
    let directory: URL
    let time = MockTime()
    let logger = Logger(label: "test")
    init() throws { directory = try makeTemporaryDirectory(prefix: "segment") }

    func segment(_ base: Int64 = 40, indexInterval: Int = 1, maxIndexSize: Int = 1024) throws -> LogSegment {
        try LogSegment.open(directory: directory.path, baseOffset: base, indexIntervalBytes: indexInterval, maxIndexSize: maxIndexSize, time: time)
    }

    @Test func fileNamesAreTwentyDigitsZeroPadded() throws {
        #expect(LogFileName.filenamePrefix(0) == "00000000000000000000")
        #expect(LogFileName.filenamePrefix(368_769) == "00000000000000368769")
        #expect(LogFileName.filenamePrefix(Int64.max) == "09223372036854775807")
        #expect(LogFileName.offset(fromFileName: "00000000000000368769.timeindex") == 368_769)
        #expect(LogFileName.offset(fromFileName: "/a/b/00000000000000000042.log.deleted") == 42)
        #expect(LogFileName.offset(fromFileName: "leader-epoch-checkpoint") == nil)
        #expect(LogFileName.topicPartition(fromDirectoryName: "my-topic-12")! == ("my-topic", 12))
        #expect(LogFileName.topicPartition(fromDirectoryName: "topic-x") == nil)
        #expect(LogFileName.topicPartition(fromDirectoryName: "-3") == nil)
        _ = try segment(40)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["00000000000000000040.index", "00000000000000000040.log", "00000000000000000040.timeindex"])
    }

    @Test func appendAndReadWithIndexes() throws {
        let segment = try segment(40)
        var positions: [Int] = []
        for step in 0..<10 {
            let batch = try makeBatch(baseOffset: 40 + Int64(step * 2), count: 2, timestamp: 1_000 + Int64(step * 10))
            positions.append(segment.size)
            try segment.append(largestOffset: 41 + Int64(step * 2), largestTimestamp: 1_001 + Int64(step * 10),
                               shallowOffsetOfMaxTimestamp: 41 + Int64(step * 2), records: batch)
        }
        #expect(segment.offsetIndex.entries == 9, "an entry before every append but the first (interval 1 byte)")
        #expect(segment.offsetIndex.lookup(45) == (45, Int32(positions[2])), "entry: largest offset of the append, at its position")
        #expect(segment.offsetIndex.lookup(44) == (43, Int32(positions[1])))
        #expect(try segment.readNextOffset() == 60)

        let read = try #require(try segment.read(startOffset: 45, maxSize: 1 << 20))
        #expect(read.fetchOffsetMetadata == LogOffsetMetadata(messageOffset: 45, segmentBaseOffset: 40, relativePositionInSegment: positions[2]))
        #expect(read.records.size == segment.size - positions[2])
        #expect(try segment.read(startOffset: 60, maxSize: 100) == nil, "past the end")

        let batchSize = positions[1]
        let small = try #require(try segment.read(startOffset: 40, maxSize: 10))
        #expect(small.records.size == 10 && small.firstEntryIncomplete)
        let whole = try #require(try segment.read(startOffset: 40, maxSize: 10, minOneMessage: true))
        #expect(whole.records.size == batchSize && !whole.firstEntryIncomplete)
        let bounded = try #require(try segment.read(startOffset: 40, maxSize: 1 << 20, maxPosition: positions[3]))
        #expect(bounded.records.size == positions[3])

        #expect(try segment.findOffsetByTimestamp(1_035)! == (1_040, 48))
        #expect(try segment.findOffsetByTimestamp(1_041)! == (1_041, 49))
        #expect(segment.largestTimestamp == 1_091)

        let sizeBeforeTruncation = segment.size
        #expect(try segment.truncateTo(offset: 50) == sizeBeforeTruncation - positions[5])
        #expect(try segment.readNextOffset() == 50)
        #expect(segment.size == positions[5])
        #expect(segment.largestTimestamp == 1_041)
        #expect(segment.offsetIndex.lastEntry.offset < 50)
    }

    @Test func recoveryRebuildsIndexesAndCutsATornTail() throws {
        let segment = try segment(0, indexInterval: 100)
        var next: Int64 = 0
        for step in 0..<20 {
            try segment.append(largestOffset: next + 2, largestTimestamp: 2_000 + Int64(step), shallowOffsetOfMaxTimestamp: next + 2,
                               records: makeBatch(baseOffset: next, count: 3, timestamp: 2_000 + Int64(step) - 2))
            next += 3
        }
        let entriesBefore = segment.offsetIndex.entries
        let sizeBefore = segment.size
        #expect(try segment.recover(maxMessageSize: 1 << 20, logger: logger) == 0)
        #expect(segment.offsetIndex.entries == entriesBefore)
        #expect(segment.size == sizeBefore)
        #expect(try segment.readNextOffset() == 60)
        try segment.close()

        let logPath = LogFileName.logFile(directory.path, 0)
        try truncateFile(logPath, to: sizeBefore - 7)
        let reopened = try self.segment(0, indexInterval: 100)
        let lastBatchSize = try makeBatch(baseOffset: 57, count: 3).sizeInBytes
        #expect(try reopened.recover(maxMessageSize: 1 << 20, logger: logger) == lastBatchSize - 7)
        #expect(reopened.size == sizeBefore - lastBatchSize)
        #expect(try reopened.readNextOffset() == 57)
    }

    @Test func recoveryCutsAtACorruptedByte() throws {
        let segment = try segment(0)
        var positions: [Int] = []
        for step in 0..<5 {
            positions.append(segment.size)
            try segment.append(largestOffset: Int64(step), largestTimestamp: 100, shallowOffsetOfMaxTimestamp: Int64(step),
                               records: makeBatch(baseOffset: Int64(step), count: 1, timestamp: 100))
        }
        try segment.flush()
        let logPath = LogFileName.logFile(directory.path, 0)
        let flipAt = positions[4] + 70
        var bytes = try fileBytes(logPath)
        try overwrite(logPath, at: flipAt, with: [bytes[flipAt] ^ 0xFF])
        #expect(try segment.recover(maxMessageSize: 1 << 20, logger: logger) == bytes.count - positions[4])
        #expect(segment.size == positions[4])
        #expect(try segment.readNextOffset() == 4)
        bytes = try fileBytes(logPath)
        #expect(bytes.count == positions[4])
    }

    @Test func garbageInAPreallocatedIndexIsRebuilt() throws {
        do {
            let segment = try segment(0, indexInterval: 1)
            for step in 0..<6 {
                try segment.append(largestOffset: Int64(step), largestTimestamp: 10 + Int64(step), shallowOffsetOfMaxTimestamp: Int64(step),
                                   records: makeBatch(baseOffset: Int64(step), timestamp: 10 + Int64(step)))
            }
            try segment.flush()
            // A crash: the indexes keep their preallocated size.
        }
        let indexPath = LogFileName.indexFile(directory.path, 0)
        #expect(fileSize(indexPath) == 1024)
        try overwrite(indexPath, at: 16, with: Array(repeating: 0xA7, count: 200))
        let reopened = try segment(0, indexInterval: 1)
        try reopened.recover(maxMessageSize: 1 << 20, logger: logger)
        #expect(reopened.offsetIndex.entries == 5)
        for offset in Int64(0)..<6 {
            let read = try #require(try reopened.read(startOffset: offset, maxSize: 1 << 20))
            let bytes = try read.records.read()
            #expect(MemoryRecords(bytes).firstBatch?.baseOffset == offset)
        }
    }

    @Test func shouldRollOnSizeTimeFullIndexAndOffsetOverflow() throws {
        let segment = try segment(0, indexInterval: 1, maxIndexSize: 8 * 3)
        func params(bytes: Int = 1_000_000, ms: Int64 = 1_000_000, timestamp: Int64 = 5_000, offset: Int64 = 1, size: Int = 100) -> RollParams {
            RollParams(maxSegmentMs: ms, maxSegmentBytes: bytes, maxTimestampInMessages: timestamp, maxOffsetInMessages: offset, messagesSize: size, now: time.milliseconds)
        }
        #expect(!segment.shouldRoll(params()))
        let batch = try makeBatch(baseOffset: 0, timestamp: 5_000)
        try segment.append(largestOffset: 0, largestTimestamp: 5_000, shallowOffsetOfMaxTimestamp: 0, records: batch)
        #expect(!segment.shouldRoll(params()))
        #expect(segment.shouldRoll(params(bytes: batch.sizeInBytes + 50)), "segment.bytes")
        #expect(segment.shouldRoll(params(ms: 100, timestamp: 5_101)), "segment.ms from the first batch's timestamp")
        #expect(!segment.shouldRoll(params(ms: 100, timestamp: 5_100)))
        #expect(segment.shouldRoll(params(offset: Int64(Int32.max) + 1)), "relative offset overflow")
        for offset in Int64(1)...2 {
            try segment.append(largestOffset: offset, largestTimestamp: 5_000 + offset, shallowOffsetOfMaxTimestamp: offset,
                               records: makeBatch(baseOffset: offset, timestamp: 5_000 + offset))
        }
        #expect(segment.timeIndex.isFull, "12-byte entries: 2 fit in 24 bytes")
        #expect(segment.shouldRoll(params()), "full index")
    }

    @Test func changeFileSuffixesAndDelete() throws {
        let segment = try segment(7)
        try segment.append(largestOffset: 7, largestTimestamp: 1, shallowOffsetOfMaxTimestamp: 7, records: makeBatch(baseOffset: 7))
        try segment.changeFileSuffixes("", LogFileName.deletedSuffix)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["00000000000000000007.index.deleted", "00000000000000000007.log.deleted", "00000000000000000007.timeindex.deleted"])
        try segment.deleteIfExists()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}
