import Foundation
import Glibc
import KafkaCommon
import KafkaRecords
import KafkaTestKit
import Logging
import NIOCore
import Testing

@testable import KafkaStorage

/// The cleaner's passes on logs written here: what a rewritten batch keeps, producers' empty
/// batches, keyless records, the tombstone rule, a map that fills up, and a random workload.
@Suite struct CleanerTests {
    let directory: URL
    let time = MockTime()
    var logDirectory: String { directory.appendingPathComponent("compacted-0").path }

    init() throws { directory = try makeTemporaryDirectory(prefix: "cleaner") }

    func openLog() throws -> Log {
        var config = LogConfig()
        config.cleanupPolicy = ["compact"]
        config.segmentBytes = 1 << 20
        return try Log(dir: logDirectory, config: config, hadCleanShutdown: true, scheduler: MockScheduler(time: time), time: time,
                       logger: Logger(label: "cleaner-test"))
    }

    func cleaner(memory: Int = 1 << 16) -> Cleaner { Cleaner(offsetMap: SkimpyOffsetMap(memory: memory), logger: Logger(label: "cleaner")) }

    /// One batch of `(key, value)` records at consecutive offsets from `baseOffset`.
    static func batch(
        _ baseOffset: Int64, _ records: [(String?, String?)], compression: CompressionType = .none, producerId: Int64 = -1,
        producerEpoch: Int16 = -1, baseSequence: Int32 = -1, timestamp: Int64 = 1_000
    ) throws -> MemoryRecords {
        var builder = MemoryRecordsBuilder(
            baseOffset: baseOffset, compression: compression, producerId: producerId, producerEpoch: producerEpoch,
            baseSequence: baseSequence, partitionLeaderEpoch: 0)
        for (index, record) in records.enumerated() {
            try builder.append(
                offset: baseOffset + Int64(index), timestamp: timestamp + Int64(index), key: record.0.map { ByteBuffer(string: $0) },
                value: record.1.map { ByteBuffer(string: $0) })
        }
        return try builder.buildRecords()
    }

    func append(_ log: Log, _ records: MemoryRecords) throws {
        _ = try log.withLock { try $0.appendAsFollower(records) }
    }

    func roll(_ log: Log) throws { try log.withLock { _ = try $0.roll() } }

    /// Every batch of every segment, in order.
    func batches(_ log: Log) throws -> [RecordBatch] {
        try log.withLock { $0.segments.map(\.log.path) }.flatMap { path in
            Array(MemoryRecords(ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: path)))).batches)
        }
    }

    func records(_ log: Log) throws -> [(offset: Int64, key: String?, value: String?)] {
        try batches(log).flatMap { try $0.decodeRecords() }.map { ($0.offset, $0.key.map { String(buffer: $0) }, $0.value.map { String(buffer: $0) }) }
    }

    func clean(_ log: Log, _ cleaner: Cleaner, from: Int64, horizon: Int64? = nil) throws -> (Int64, CleanerStats) {
        try log.withLock { local in
            let upTo = local.activeSegment.baseOffset
            let result = if let horizon {
                try cleaner.doClean(local, firstDirtyOffset: from, firstUncleanableOffset: upTo, deleteHorizonMs: horizon)
            } else {
                try cleaner.clean(local, firstDirtyOffset: from, firstUncleanableOffset: upTo)
            }
            return (result.endOffset, result.stats)
        }
    }

    @Test(arguments: CompressionType.allCases)
    func aFilteredBatchKeepsItsHeaderAndCodec(_ codec: CompressionType) throws {
        let log = try openLog()
        try append(log, try Self.batch(0, [("k0", "a"), ("k1", "b"), ("k2", "c")], compression: codec, producerId: 7, producerEpoch: 3, baseSequence: 10))
        try append(log, try Self.batch(3, [("k1", "B")], producerId: 7, producerEpoch: 3, baseSequence: 13))
        try roll(log)
        try append(log, try Self.batch(4, [("k1", "active")]))
        let (end, stats) = try clean(log, cleaner(), from: 0)
        #expect(end == 4)
        #expect(stats.messagesRead == 4 && stats.messagesWritten == 3)

        let found = try batches(log)
        try #require(found.count == 3)
        let rewritten = found[0]
        #expect(rewritten.compressionType == codec)
        #expect(rewritten.baseOffset == 0 && rewritten.lastOffset == 2, "the last offset, and with it the last sequence, is kept")
        #expect(rewritten.recordCount == 2 && rewritten.producerId == 7 && rewritten.producerEpoch == 3 && rewritten.baseSequence == 10)
        #expect(rewritten.lastSequence == 12 && rewritten.partitionLeaderEpoch == 0 && !rewritten.isTransactional)
        #expect(rewritten.isChecksumValid)
        #expect(rewritten.baseTimestamp == 1_000 && rewritten.maxTimestamp == 1_002)
        #expect(try rewritten.decodeRecords().map { "\($0.offset):\(String(buffer: $0.key!))=\(String(buffer: $0.value!))" } == ["0:k0=a", "2:k2=c"])
        // The untouched batch is copied as it was; the active segment is not cleaned.
        #expect(found[1].baseOffset == 3 && found[1].producerId == 7 && found[1].recordCount == 1)
        #expect(found[2].baseOffset == 4)
    }

    @Test(arguments: [true, false])
    func aProducersLastBatchIsKeptEmpty(_ producerIsActive: Bool) throws {
        let log = try openLog()
        try append(log, try Self.batch(0, [("a", "1"), ("b", "1")], producerId: 5, producerEpoch: 1, baseSequence: 0, timestamp: 500))
        try append(log, try Self.batch(2, [("a", "2"), ("b", "2")]))
        try roll(log)
        // The producer state has producer 5's last batch at offset 1 until the producer expires.
        if !producerIsActive { #expect(log.removeExpiredProducers(now: .max / 2) == 1) }
        _ = try clean(log, cleaner(), from: 0)
        let found = try batches(log)
        if producerIsActive {
            try #require(found.count == 2)
            let empty = found[0]
            #expect(empty.sizeInBytes == RecordBatch.headerSize && empty.recordCount == 0 && empty.isChecksumValid)
            #expect(empty.baseOffset == 0 && empty.lastOffset == 1)
            #expect(empty.producerId == 5 && empty.producerEpoch == 1 && empty.baseSequence == 0 && empty.lastSequence == 1)
            #expect(empty.maxTimestamp == 501 && empty.baseTimestamp == 501 && empty.partitionLeaderEpoch == 0)
        } else {
            #expect(found.map(\.baseOffset) == [2])
        }
        #expect(try records(log).map(\.offset) == [2, 3])
    }

    @Test func keylessRecordsAreDroppedAndTombstonesFollowTheHorizon() throws {
        let log = try openLog()
        try append(log, try Self.batch(0, [(nil, "no key"), ("k", "v"), ("gone", nil)]))
        try roll(log)
        let modified = log.withLock { $0.segments[0].lastModified }
        // Last modified after the horizon: the tombstone stays.
        let (_, stats) = try clean(log, cleaner(), from: 0, horizon: modified - 1)
        #expect(stats.invalidMessagesRead == 1)
        #expect(try records(log).map(\.offset) == [1, 2])
        // Not after it: the tombstone goes (the next cleaning of the segment).
        _ = try clean(log, cleaner(), from: 0, horizon: modified)
        #expect(try records(log).map { "\($0.offset):\($0.key!)" } == ["1:k"])
    }

    @Test func aFullMapEndsTheCleanedRangeWhereItStopped() throws {
        let log = try openLog()
        for offset in 0..<20 { try append(log, try Self.batch(Int64(offset), [("k\(offset)", "first")])) }
        for offset in 20..<40 { try append(log, try Self.batch(Int64(offset), [("k\(offset - 20)", "second")])) }
        try roll(log)
        // 10 slots at load factor 0.9: 9 keys, offsets 0–8.
        let small = cleaner(memory: SkimpyOffsetMap.bytesPerEntry * 10)
        let (end, _) = try clean(log, small, from: 0)
        #expect(end == 9 && small.offsetMap.size == 9)
        #expect(try records(log).count == 40, "nothing past the mapped range is judged")
        // A map large enough for the rest keeps only the second round.
        let (next, _) = try clean(log, cleaner(), from: 0)
        #expect(next == 40)
        #expect(try records(log).map(\.offset) == Array(20..<40))
    }

    /// A few thousand records over a few hundred keys, some deleted, in batches of random size and
    /// codec over several segments: one cleaning leaves exactly the latest record per key at its
    /// offset; a later one past the delete horizon leaves no tombstone.
    @Test func randomWorkloadKeepsTheLatestRecordOfEachKey() throws {
        var generator = SystemRandomNumberGenerator()
        let log = try openLog()
        var latest: [String: (offset: Int64, value: String?)] = [:]
        var offset: Int64 = 0
        for batchIndex in 0..<300 {
            let count = Int.random(in: 1...15, using: &generator)
            var records: [(String?, String?)] = []
            for index in 0..<count {
                let key = "key-\(Int.random(in: 0..<400, using: &generator))"
                let value: String? = Int.random(in: 0..<10, using: &generator) == 0 ? nil : "v\(offset + Int64(index))-\(key)"
                records.append((key, value))
                latest[key] = (offset + Int64(index), value)
            }
            let codec = CompressionType.allCases.randomElement(using: &generator)!
            try append(log, try Self.batch(offset, records, compression: codec, timestamp: 1_000 + offset))
            offset += Int64(count)
            if batchIndex % 40 == 39 { try roll(log) }
        }
        try roll(log)
        let (end, stats) = try clean(log, cleaner(), from: 0)
        #expect(end == offset)
        #expect(stats.messagesRead == Int(offset))
        let expected = latest.map { ($0.value.offset, $0.key, $0.value.value) }.sorted { $0.0 < $1.0 }
        let found = try records(log)
        #expect(found.map(\.offset) == expected.map(\.0))
        #expect(found.map(\.key) == expected.map(\.1))
        #expect(found.map(\.value) == expected.map(\.2))
        #expect(found.contains { $0.value == nil }, "the first cleaning keeps tombstones")
        #expect(try batches(log).allSatisfy(\.isChecksumValid))

        // More writes, then a cleaning whose horizon is past every segment: no tombstone left.
        try append(log, try Self.batch(offset, [("key-0", "late")]))
        try roll(log)
        _ = try clean(log, cleaner(), from: end, horizon: .max)
        let live = try records(log)
        #expect(!live.contains { $0.value == nil })
        latest["key-0"] = (offset, "late")
        #expect(live.map(\.offset) == latest.filter { $0.value.value != nil }.map(\.value.offset).sorted())
    }
}

extension CleanerTests {
    /// A marker is never taken for data: a later plain record with the marker's key bytes does
    /// not make it redundant, and an aborted record supersedes nothing (the older committed
    /// value of its key stays) while it goes itself.
    @Test func abortedDataGoesAndItsMarkerStays() throws {
        let log = try openLog()
        try append(log, try Self.batch(0, [("k", "committed")]))
        var transactional = MemoryRecordsBuilder(baseOffset: 1, producerId: 9, producerEpoch: 0, baseSequence: 0, isTransactional: true, partitionLeaderEpoch: 0)
        try transactional.append(offset: 1, timestamp: 1_001, key: ByteBuffer(string: "k"), value: ByteBuffer(string: "aborted"))
        try append(log, try transactional.buildRecords())
        var marker = MemoryRecordsBuilder(baseOffset: 2, producerId: 9, producerEpoch: 0, isTransactional: true, isControlBatch: true, partitionLeaderEpoch: 0)
        try marker.append(offset: 2, timestamp: 1_002, key: ByteBuffer(bytes: [0, 0, 0, 0]), value: ByteBuffer(bytes: [0, 0, 0, 0, 0, 0]))
        let markerBytes = try marker.buildRecords()
        try append(log, markerBytes)
        try append(log, try Self.batch(3, [(String(decoding: [0, 0, 0, 0], as: UTF8.self), "plain")]))
        try roll(log)
        // Producer 9 gone from the producer state: its last batch need not be kept.
        #expect(log.removeExpiredProducers(now: .max / 2) == 1)
        let (end, _) = try clean(log, cleaner(), from: 0, horizon: .max)
        #expect(end == 4)
        #expect(try records(log).map(\.offset) == [0, 2, 3])
        let found = try batches(log)
        #expect(Array(found[1].bytes.readableBytesView) == Array(markerBytes.buffer.readableBytesView))
    }
}
