import KafkaRecords
import NIOCore
import Testing

@Suite struct RecordBatchTests {
    static func sampleBuilder(compression: CompressionType = .none, baseOffset: Int64 = 0) -> MemoryRecordsBuilder {
        var builder = MemoryRecordsBuilder(
            baseOffset: baseOffset, compression: compression, producerId: 4242, producerEpoch: 3, baseSequence: 17,
            isTransactional: true, partitionLeaderEpoch: 9)
        builder.append(timestamp: 1_700_000_000_000, key: bytes("k1"), value: bytes("v1"))
        builder.append(
            timestamp: 1_700_000_000_500, key: nil, value: bytes(String(repeating: "payload ", count: 50)),
            headers: [RecordHeader(key: "trace", value: [1, 2, 3]), RecordHeader(key: "empty", value: nil as [UInt8]?)])
        builder.append(timestamp: 1_699_999_999_000, key: bytes("k3"), value: nil)
        return builder
    }

    @Test(arguments: CompressionCodecTests.codecs)
    func builderRoundTrip(_ codec: CompressionType) throws {
        let encoded = try Self.sampleBuilder(compression: codec, baseOffset: 1000).build()
        let batch = try RecordBatch(encoded)
        try batch.ensureValid()
        #expect(batch.magic == 2)
        #expect(batch.baseOffset == 1000)
        #expect(batch.lastOffsetDelta == 2)
        #expect(batch.lastOffset == 1002)
        #expect(batch.nextOffset == 1003)
        #expect(batch.recordCount == 3)
        #expect(batch.compressionType == codec)
        #expect(batch.timestampType == .createTime)
        #expect(batch.isTransactional && !batch.isControlBatch)
        #expect(batch.producerId == 4242 && batch.producerEpoch == 3 && batch.baseSequence == 17)
        #expect(batch.lastSequence == 19)
        #expect(batch.partitionLeaderEpoch == 9)
        #expect(batch.baseTimestamp == 1_700_000_000_000)
        #expect(batch.maxTimestamp == 1_700_000_000_500)
        #expect(batch.batchLength == Int32(encoded.readableBytes - 12))

        let records = try batch.decodeRecords()
        #expect(records.map(\.offset) == [1000, 1001, 1002])
        #expect(records.map(\.offsetDelta) == [0, 1, 2])
        #expect(records.map(\.timestamp) == [1_700_000_000_000, 1_700_000_000_500, 1_699_999_999_000])
        #expect(records.map(\.timestampDelta) == [0, 500, -1000])
        #expect(records[0].key?.utf8String == "k1" && records[0].value?.utf8String == "v1")
        #expect(records[1].key == nil && records[1].value?.readableBytes == 400)
        #expect(records[2].value == nil)
        #expect(records[1].headers == [RecordHeader(key: "trace", value: [1, 2, 3]), RecordHeader(key: "empty", value: nil as [UInt8]?)])
        #expect(records[0].headers.isEmpty)
        if codec == .none {
            #expect(records.reduce(0) { $0 + $1.sizeInBytes } == encoded.readableBytes - RecordBatch.headerSize)
        }
    }

    /// Header fields sit where the format says (checked on raw bytes, not through the view).
    @Test func headerLayout() throws {
        let encoded = try Self.sampleBuilder(compression: .gzip, baseOffset: 0x0102_0304_0506_0708).build()
        #expect(encoded.getInteger(at: 0, as: Int64.self) == 0x0102_0304_0506_0708)
        #expect(encoded.getInteger(at: 12, as: Int32.self) == 9)
        #expect(encoded.getInteger(at: 16, as: Int8.self) == 2)
        #expect(encoded.getInteger(at: 21, as: Int16.self) == 0x11)  // gzip | transactional
        #expect(encoded.getInteger(at: 43, as: Int64.self) == 4242)
        #expect(encoded.getInteger(at: 57, as: Int32.self) == 3)
        let crc = CRC32C.checksum(encoded, at: 21, length: encoded.readableBytes - 21)
        #expect(encoded.getInteger(at: 17, as: UInt32.self) == crc)
    }

    @Test func emptyBuilderBuildsNothing() throws {
        #expect(try MemoryRecordsBuilder().build().readableBytes == 0)
    }

    @Test func builderRefusesBackwardsOffsets() throws {
        var builder = MemoryRecordsBuilder(baseOffset: 10)
        try builder.append(offset: 12, timestamp: 1, key: nil, value: nil)
        #expect(throws: RecordBatchError.self) { try builder.append(offset: 12, timestamp: 1, key: nil, value: nil) }
        #expect(throws: RecordBatchError.self) { try builder.append(offset: 9, timestamp: 1, key: nil, value: nil) }
        builder.append(timestamp: 2, key: nil, value: nil)
        let batch = try RecordBatch(try builder.build())
        #expect(batch.lastOffsetDelta == 3 && batch.recordCount == 2)
        #expect(try batch.decodeRecords().map(\.offset) == [12, 13])
    }

    @Test func sequenceWrapsAtInt32Max() throws {
        var builder = MemoryRecordsBuilder(producerId: 1, producerEpoch: 0, baseSequence: Int32.max - 1)
        for _ in 0..<4 { builder.append(timestamp: 0, key: nil, value: nil) }
        #expect(try RecordBatch(try builder.build()).lastSequence == 1)
    }

    // MARK: Record sets

    @Test func iteratesConcatenatedBatchesAndReportsAPartialTail() throws {
        var set = ByteBuffer()
        var sizes: [Int] = []
        for (index, codec) in CompressionCodecTests.codecs.enumerated() {
            var batch = try Self.sampleBuilder(compression: codec, baseOffset: Int64(index * 3)).build()
            sizes.append(batch.readableBytes)
            set.writeBuffer(&batch)
        }
        var iterator = MemoryRecords(set).batches
        var found: [RecordBatch] = []
        while let batch = iterator.next() { found.append(batch) }
        #expect(iterator.end == .complete)
        #expect(found.map(\.baseOffset) == [0, 3, 6, 9, 12])
        #expect(found.map(\.position) == [0, sizes[0], sizes[0] + sizes[1], sizes[0] + sizes[1] + sizes[2], sizes[0] + sizes[1] + sizes[2] + sizes[3]])
        #expect(iterator.validBytes == set.readableBytes)

        for cut in [1, 11, 12, 17, 60, sizes[4] - 1] {
            let truncated = set.getSlice(at: 0, length: set.readableBytes - cut)!
            var partial = MemoryRecords(truncated).batches
            var count = 0
            while partial.next() != nil { count += 1 }
            #expect(count == 4)
            let lastStart = set.readableBytes - sizes[4]
            let available = sizes[4] - cut
            #expect(partial.end == .partialBatch(position: lastStart, sizeInBytes: available >= 12 ? sizes[4] : nil, availableBytes: available))
            #expect(partial.validBytes == lastStart)
        }
    }

    @Test func iteratorStopsAtCorruptOrLegacyEntries() throws {
        var tooSmall = try Self.sampleBuilder().build()
        tooSmall.setInteger(Int32(5), at: 8)
        var iterator = MemoryRecords(tooSmall).batches
        #expect(iterator.next() == nil)
        guard case .corrupt(0, _) = iterator.end else { Issue.record("expected corrupt, got \(String(describing: iterator.end))"); return }

        var badMagic = try Self.sampleBuilder().build()
        badMagic.setInteger(Int8(7), at: 16)
        iterator = MemoryRecords(badMagic).batches
        #expect(iterator.next() == nil)
        #expect(iterator.end == .corrupt(position: 0, .unsupportedMagic(7)))

        var legacy = ByteBuffer()
        LegacyRecord.write(offset: 0, magic: 1, timestamp: 5, key: nil, value: bytes("v"), into: &legacy)
        iterator = MemoryRecords(legacy).batches
        #expect(iterator.next() == nil)
        #expect(iterator.end == .legacyFormat(position: 0, magic: 1))
    }

    // MARK: Validation of a single batch

    @Test func viewRefusesInconsistentBytes() throws {
        let good = try Self.sampleBuilder().build()
        #expect(throws: RecordBatchError.self) { try RecordBatch(good.getSlice(at: 0, length: 60)!) }
        #expect(throws: RecordBatchError.self) { try RecordBatch(good.getSlice(at: 0, length: good.readableBytes - 1)!) }
        var wrongLength = good
        wrongLength.setInteger(Int32(good.readableBytes), at: 8)
        #expect(throws: RecordBatchError.self) { try RecordBatch(wrongLength) }
        var magic1 = good
        magic1.setInteger(Int8(1), at: 16)
        #expect(throws: RecordBatchError.unsupportedMagic(1)) { try RecordBatch(magic1) }
    }

    @Test func corruptedBytesFailTheChecksum() throws {
        let good = try Self.sampleBuilder(compression: .lz4).build()
        for position in [21, 30, 61, good.readableBytes - 1] {
            var bad = good
            bad.setInteger((bad.getInteger(at: position, as: UInt8.self) ?? 0) ^ 0x40, at: position)
            let batch = try RecordBatch(bad)
            #expect(!batch.isChecksumValid)
            #expect(throws: RecordBatchError.self) { try batch.ensureValid() }
            do { try batch.ensureValid() } catch { #expect(error.kafkaErrorCode == 2) }
        }
        // Offsets and the leader epoch are outside the CRC.
        var rewritten = good
        rewritten.setInteger(Int64(77), at: 0)
        rewritten.setInteger(Int32(5), at: 12)
        #expect(try RecordBatch(rewritten).isChecksumValid)
    }

    /// Records whose declared sizes lie are caught while decoding, without trapping.
    @Test func malformedRecordsAreCorrupt() throws {
        var builder = MemoryRecordsBuilder()
        builder.append(timestamp: 1, key: bytes("key"), value: bytes("value"))
        builder.append(timestamp: 2, key: bytes("key2"), value: bytes("value2"))
        let good = try builder.build()
        let recordsStart = RecordBatch.headerSize
        for position in recordsStart..<good.readableBytes {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var bad = good
                bad.setInteger((bad.getInteger(at: position, as: UInt8.self) ?? 0) ^ flip, at: position)
                let batch = try RecordBatch(bad)
                _ = try? batch.decodeRecords()  // must not trap
            }
        }
        var moreRecords = good
        moreRecords.setInteger(Int32(3), at: 57)
        #expect(throws: RecordBatchError.self) { try RecordBatch(moreRecords).decodeRecords() }
        var fewerRecords = good
        fewerRecords.setInteger(Int32(1), at: 57)
        #expect(throws: RecordBatchError.self) { try RecordBatch(fewerRecords).decodeRecords() }
        var negative = good
        negative.setInteger(Int32(-1), at: 57)
        #expect(throws: RecordBatchError.self) { try RecordBatch(negative).decodeRecords() }
        var unknownCodec = good
        unknownCodec.setInteger(Int16(6), at: 21)
        #expect(throws: RecordBatchError.unsupportedCompressionType(6)) { try RecordBatch(unknownCodec).decodeRecords() }
    }

    // MARK: In-place rewrites

    @Test(arguments: CompressionCodecTests.codecs)
    func inPlaceRewriteKeepsRecordBytesAndChecksum(_ codec: CompressionType) throws {
        let original = try Self.sampleBuilder(compression: codec).build()
        let originalRecords = Array(try RecordBatch(original).recordsSection.readableBytesView)
        var records = MemoryRecords(original)
        let setOffset = records.setBaseOffset(123_456, ofBatchAt: 0)
        let setEpoch = records.setPartitionLeaderEpoch(42, ofBatchAt: 0)
        #expect(setOffset && setEpoch)
        var batch = try #require(records.firstBatch)
        #expect(batch.baseOffset == 123_456 && batch.partitionLeaderEpoch == 42)
        #expect(batch.storedChecksum == (try RecordBatch(original)).storedChecksum)
        try batch.ensureValid()

        let setTimestamp = records.setMaxTimestamp(1_800_000_000_000, type: .logAppendTime, ofBatchAt: 0)
        #expect(setTimestamp)
        batch = try #require(records.firstBatch)
        try batch.ensureValid()
        #expect(batch.timestampType == .logAppendTime && batch.maxTimestamp == 1_800_000_000_000)
        #expect(batch.compressionType == codec && batch.isTransactional)
        #expect(Array(batch.recordsSection.readableBytesView) == originalRecords)
        #expect(try batch.decodeRecords().map(\.timestamp) == [1_800_000_000_000, 1_800_000_000_000, 1_800_000_000_000])
        #expect(try batch.decodeRecords().map(\.offset) == [123_456, 123_457, 123_458])

        // Back to CreateTime: the bit clears, the CRC follows.
        records.setMaxTimestamp(5, type: .createTime, ofBatchAt: 0)
        batch = try #require(records.firstBatch)
        try batch.ensureValid()
        #expect(batch.timestampType == .createTime && batch.maxTimestamp == 5)
        let outOfRange = records.setBaseOffset(1, ofBatchAt: 1)
        #expect(!outOfRange)
    }

    @Test func controlBatchCarriesAnEndTransactionMarker() throws {
        let marker = EndTransactionMarker(type: .commit, coordinatorEpoch: 7)
        let records = try marker.controlBatch(baseOffset: 50, timestamp: 99, producerId: 12, producerEpoch: 2)
        let batch = try #require(records.firstBatch)
        try batch.ensureValid()
        #expect(batch.isControlBatch && batch.isTransactional)
        #expect(batch.baseSequence == -1 && batch.producerId == 12)
        #expect(try batch.controlRecordType() == .commit)
        let record = try #require(try batch.decodeRecords().first)
        #expect(try EndTransactionMarker(record) == marker)
        #expect(Array(record.key!.readableBytesView) == [0, 0, 0, 1])
        #expect(Array(record.value!.readableBytesView) == [0, 0, 0, 0, 0, 7])
        #expect(try RecordBatch(try Self.sampleBuilder().build()).controlRecordType() == nil)
    }

    @Test func errorCodes() {
        #expect(RecordBatchError.corruptMessage("x").kafkaErrorCode == 2)
        #expect(RecordBatchError.messageTooLarge(size: 2, limit: 1).kafkaErrorCode == 10)
        #expect(RecordBatchError.recordListTooLarge(size: 2, limit: 1).kafkaErrorCode == 18)
        #expect(RecordBatchError.invalidTimestamp("x").kafkaErrorCode == 32)
        #expect(RecordBatchError.unsupportedCompressionType(5).kafkaErrorCode == 76)
        #expect(RecordBatchError.invalidRecord("x").kafkaErrorCode == 2, "Kafka 2.3: InvalidRecordException is a CorruptRecordException")
        #expect(RecordBatchError.unsupportedMagic(3).kafkaErrorName == "CORRUPT_MESSAGE")
    }
}
