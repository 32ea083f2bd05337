@testable import KafkaRecords
import NIOCore
import Testing

/// Down-conversion of v2 batches to magic 0 and 1 message sets, checked by reading the output back
/// with the legacy readers (which verify every CRC-32, outer and inner).
@Suite struct RecordsDownConverterTests {
    static let records: [(key: ByteBuffer?, value: ByteBuffer?, timestamp: Int64)] = [
        (bytes("k1"), bytes("value one"), 1_700_000_000_100),
        (nil, bytes("value two"), 1_700_000_000_300),
        (bytes("k3"), nil, 1_700_000_000_200),
    ]

    /// A v2 batch of `records` from `baseOffset`; the second record has headers (dropped on the
    /// way down).
    static func batch(
        baseOffset: Int64,
        compression: CompressionType = .none,
        timestampType: TimestampType = .createTime,
        logAppendTime: Int64 = RecordBatch.noTimestamp
    ) throws -> ByteBuffer {
        var builder = MemoryRecordsBuilder(
            baseOffset: baseOffset, compression: compression, timestampType: timestampType, logAppendTime: logAppendTime)
        for (index, record) in records.enumerated() {
            builder.append(
                timestamp: record.timestamp, key: record.key, value: record.value,
                headers: index == 1 ? [RecordHeader(key: "trace", value: [1, 2, 3])] : [])
        }
        return try builder.build()
    }

    static func concatenate(_ parts: ByteBuffer...) -> ByteBuffer {
        var buffer = ByteBuffer()
        for var part in parts { buffer.writeBuffer(&part) }
        return buffer
    }

    /// Every message of a legacy set, wrappers opened, all CRCs checked.
    static func deepRecords(_ set: ByteBuffer) throws -> [LegacyRecord] {
        try LegacyMessageSet.entries(set).flatMap { try LegacyMessageSet.deepRecords(of: $0) }
    }

    static let magics: [Int8] = [0, 1]
    static let codecsAndMagics: [(CompressionType, Int8)] = [.gzip, .snappy, .lz4].flatMap { codec in magics.map { (codec, $0) } }

    @Test(arguments: magics)
    func uncompressedBatchBecomesOneMessagePerRecord(_ magic: Int8) throws {
        let converted = try RecordsDownConverter.downConvert(try Self.batch(baseOffset: 100), toMagic: magic, firstOffset: 100)
        #expect(converted.recordsConverted == 3)
        let entries = try LegacyMessageSet.entries(converted.records)
        #expect(entries.map(\.offset) == [100, 101, 102])
        #expect(entries.allSatisfy { $0.magic == magic && !$0.isCompressed && $0.isChecksumValid })
        #expect(entries.map { $0.key?.utf8String } == ["k1", nil, "k3"])
        #expect(entries.map { $0.value?.utf8String } == ["value one", "value two", nil])
        if magic == 0 {
            #expect(entries.allSatisfy { $0.timestamp == RecordBatch.noTimestamp && $0.timestampType == .noTimestampType })
        } else {
            #expect(entries.map(\.timestamp) == Self.records.map(\.timestamp))
            #expect(entries.allSatisfy { $0.timestampType == .createTime })
        }
    }

    @Test(arguments: codecsAndMagics)
    func compressedBatchBecomesOneWrapper(_ codec: CompressionType, _ magic: Int8) throws {
        let converted = try RecordsDownConverter.downConvert(
            try Self.batch(baseOffset: 200, compression: codec), toMagic: magic, firstOffset: 200)
        #expect(converted.recordsConverted == 3)
        let wrappers = try LegacyMessageSet.entries(converted.records)
        let wrapper = try #require(wrappers.first)
        #expect(wrappers.count == 1)
        #expect(wrapper.magic == magic && wrapper.isChecksumValid && wrapper.key == nil)
        #expect(try wrapper.compressionType() == codec)
        #expect(wrapper.offset == 202, "the wrapper carries the last inner offset")
        let inner = try LegacyMessageSet.deepRecords(of: wrapper)
        #expect(inner.map(\.offset) == [200, 201, 202])
        #expect(inner.map(\.storedOffset) == (magic == 1 ? [0, 1, 2] : [200, 201, 202]))
        #expect(inner.allSatisfy { $0.magic == magic && !$0.isCompressed })
        #expect(inner.map { $0.key?.utf8String } == ["k1", nil, "k3"])
        #expect(inner.map { $0.value?.utf8String } == ["value one", "value two", nil])
        if magic == 1 {
            #expect(inner.map(\.timestamp) == Self.records.map(\.timestamp))
            #expect(wrapper.timestamp == 1_700_000_000_300, "the wrapper carries the largest timestamp")
            #expect(wrapper.timestampType == .createTime)
        } else {
            #expect(inner.allSatisfy { $0.timestamp == RecordBatch.noTimestamp })
        }
    }

    /// LogAppendTime: every message of magic 1, inner or not, carries the batch's append time and
    /// the LogAppendTime bit.
    @Test(arguments: [CompressionType.none, .gzip])
    func logAppendTimeBatch(_ codec: CompressionType) throws {
        let appendTime: Int64 = 1_750_000_000_000
        let source = try Self.batch(baseOffset: 7, compression: codec, timestampType: .logAppendTime, logAppendTime: appendTime)
        let converted = try RecordsDownConverter.downConvert(source, toMagic: 1, firstOffset: 7)
        let entries = try LegacyMessageSet.entries(converted.records)
        #expect(entries.allSatisfy { $0.timestampType == .logAppendTime && $0.timestamp == appendTime })
        let stored = try entries.flatMap { entry in
            entry.isCompressed ? try LegacyMessageSet.deepRecords(of: entry) : [entry]
        }
        #expect(stored.map(\.offset) == [7, 8, 9])
        #expect(stored.allSatisfy { $0.timestamp == appendTime && Int16($0.attributes) & TimestampType.attributeMask != 0 })
    }

    /// Kafka drops the records below the fetch offset from uncompressed batches only; a wrapper
    /// keeps all of its batch's records (the client skips them).
    @Test(arguments: magics)
    func recordsBelowTheFetchOffset(_ magic: Int8) throws {
        let plain = try RecordsDownConverter.downConvert(try Self.batch(baseOffset: 100), toMagic: magic, firstOffset: 102)
        #expect(try LegacyMessageSet.entries(plain.records).map(\.offset) == [102])
        #expect(plain.recordsConverted == 1)
        let compressed = try RecordsDownConverter.downConvert(
            try Self.batch(baseOffset: 100, compression: .gzip), toMagic: magic, firstOffset: 102)
        #expect(try Self.deepRecords(compressed.records).map(\.offset) == [100, 101, 102])

        // A whole uncompressed batch below the fetch offset leaves nothing; the next batch is
        // then the first one.
        let twoBatches = Self.concatenate(try Self.batch(baseOffset: 0), try Self.batch(baseOffset: 3))
        let skipped = try RecordsDownConverter.downConvert(twoBatches, toMagic: magic, firstOffset: 4)
        #expect(try LegacyMessageSet.entries(skipped.records).map(\.offset) == [4, 5])
    }

    @Test(arguments: magics)
    func consecutiveBatchesOfMixedCodecs(_ magic: Int8) throws {
        let set = Self.concatenate(
            try Self.batch(baseOffset: 0), try Self.batch(baseOffset: 3, compression: .snappy), try Self.batch(baseOffset: 6))
        let converted = try RecordsDownConverter.downConvert(set, toMagic: magic, firstOffset: 0)
        let offsets = try LegacyMessageSet.entries(converted.records).map(\.offset)
        let deepOffsets = try Self.deepRecords(converted.records).map(\.offset)
        if magic == 0 {
            #expect(offsets == [0, 1, 2, 5, 6, 7, 8])
            #expect(deepOffsets == Array(0...8))
            #expect(converted.recordsConverted == 9)
        } else {
            // Magic 1 messages of these small records take more room than the v2 batches: the
            // output stops at the input's size, after the first batch, at a message boundary.
            #expect(converted.records.readableBytes <= set.readableBytes)
            #expect(offsets == Array([0, 1, 2, 5, 6, 7, 8].prefix(offsets.count)) && offsets.count >= 4)
            #expect(deepOffsets == Array(0..<Int64(deepOffsets.count)))
            #expect(converted.recordsConverted == deepOffsets.count)
        }
    }

    /// Compaction can leave gaps: magic 1 inner offsets stay relative to the first record, and
    /// the reader resolves them back to the absolute ones.
    @Test(arguments: magics)
    func compactedBatchKeepsItsOffsets(_ magic: Int8) throws {
        var builder = MemoryRecordsBuilder(baseOffset: 50, compression: .lz4)
        for offset: Int64 in [51, 53, 56] {
            try builder.append(offset: offset, timestamp: 1_700_000_000_000 + offset, key: bytes("k\(offset)"), value: bytes("v"))
        }
        let converted = try RecordsDownConverter.downConvert(try builder.build(), toMagic: magic, firstOffset: 50)
        let wrapper = try #require(try LegacyMessageSet.entries(converted.records).first)
        #expect(wrapper.offset == 56)
        let inner = try LegacyMessageSet.deepRecords(of: wrapper)
        #expect(inner.map(\.offset) == [51, 53, 56])
        #expect(inner.map(\.storedOffset) == (magic == 1 ? [0, 2, 5] : [51, 53, 56]))
        #expect(inner.map { $0.key?.utf8String } == ["k51", "k53", "k56"])
    }

    @Test(arguments: magics)
    func controlBatchesAreDropped(_ magic: Int8) throws {
        let marker = try EndTransactionMarker(type: .commit, coordinatorEpoch: 3)
            .controlBatch(baseOffset: 3, timestamp: 1_700_000_000_000, producerId: 9, producerEpoch: 0).buffer
        let set = Self.concatenate(try Self.batch(baseOffset: 0), marker, try Self.batch(baseOffset: 4, compression: .gzip))
        let converted = try RecordsDownConverter.downConvert(set, toMagic: magic, firstOffset: 0)
        #expect(try Self.deepRecords(converted.records).map(\.offset) == [0, 1, 2, 4, 5, 6])

        let onlyMarker = try RecordsDownConverter.downConvert(marker, toMagic: magic, firstOffset: 3)
        #expect(onlyMarker.records.readableBytes == 0 && onlyMarker.recordsConverted == 0)
    }

    /// zstd has no legacy form: an error when nothing comes before it, else the output ends
    /// before it (the client meets the error when it fetches from there).
    @Test(arguments: magics)
    func zstdCannotGoDown(_ magic: Int8) throws {
        let zstd = try Self.batch(baseOffset: 3, compression: .zstd)
        #expect(throws: RecordBatchError.unsupportedCompressionType(4)) {
            try RecordsDownConverter.downConvert(zstd, toMagic: magic, firstOffset: 3)
        }
        do {
            _ = try RecordsDownConverter.downConvert(zstd, toMagic: magic, firstOffset: 3)
        } catch {
            #expect(error.kafkaErrorCode == 76)
        }
        let marker = try EndTransactionMarker(type: .abort, coordinatorEpoch: 1)
            .controlBatch(baseOffset: 2, timestamp: 1, producerId: 9, producerEpoch: 0).buffer
        #expect(throws: RecordBatchError.unsupportedCompressionType(4)) {
            try RecordsDownConverter.downConvert(Self.concatenate(marker, zstd), toMagic: magic, firstOffset: 2)
        }
        let afterData = try RecordsDownConverter.downConvert(
            Self.concatenate(try Self.batch(baseOffset: 0), zstd, try Self.batch(baseOffset: 6)), toMagic: magic, firstOffset: 0)
        #expect(try LegacyMessageSet.entries(afterData.records).map(\.offset) == [0, 1, 2])
    }

    /// A fetch slice ends at a byte limit: whatever is left of a batch after the last whole one
    /// is not converted, wherever the cut falls.
    @Test(arguments: magics)
    func partialTrailingBatchIsDropped(_ magic: Int8) throws {
        let first = try Self.batch(baseOffset: 0, compression: .gzip)
        let second = try Self.batch(baseOffset: 3)
        let whole = Self.concatenate(first, second)
        for cut in [1, 11, 12, 17, 61, second.readableBytes - 1] {
            let slice = try #require(whole.getSlice(at: 0, length: first.readableBytes + cut))
            let converted = try RecordsDownConverter.downConvert(slice, toMagic: magic, firstOffset: 0)
            #expect(try Self.deepRecords(converted.records).map(\.offset) == [0, 1, 2], "cut after \(cut) bytes")
        }
        let onlyPartial = try RecordsDownConverter.downConvert(
            try #require(second.getSlice(at: 0, length: 40)), toMagic: magic, firstOffset: 3)
        #expect(onlyPartial.records.readableBytes == 0)
    }

    /// The output never grows past the larger of the input's size and the first converted batch:
    /// small uncompressed records take more room as legacy messages than in a v2 batch.
    @Test func outputIsCappedAfterTheFirstBatch() throws {
        func smallBatch(_ baseOffset: Int64) throws -> ByteBuffer {
            var builder = MemoryRecordsBuilder(baseOffset: baseOffset)
            for _ in 0..<20 { builder.append(timestamp: 1_700_000_000_000, key: nil, value: bytes("x")) }
            return try builder.build()
        }
        let set = Self.concatenate(try smallBatch(0), try smallBatch(20))
        let firstAlone = try RecordsDownConverter.downConvert(try smallBatch(0), toMagic: 1, firstOffset: 0)
        #expect(firstAlone.records.readableBytes > set.readableBytes, "the first batch alone grows past the input")
        let converted = try RecordsDownConverter.downConvert(set, toMagic: 1, firstOffset: 0)
        #expect(try LegacyMessageSet.entries(converted.records).map(\.offset) == Array(0..<20))
        #expect(converted.records.readableBytes == firstAlone.records.readableBytes)

        // With room to spare, later batches come along up to the input's size, message by message.
        var large = MemoryRecordsBuilder(baseOffset: 0)
        large.append(timestamp: 1_700_000_000_000, key: nil, value: ByteBuffer(bytes: loremBytes(count: 2000)))
        let roomy = Self.concatenate(try large.build(), try smallBatch(1))
        let capped = try RecordsDownConverter.downConvert(roomy, toMagic: 1, firstOffset: 0)
        #expect(capped.records.readableBytes <= roomy.readableBytes)
        let offsets = try LegacyMessageSet.entries(capped.records).map(\.offset)
        #expect(offsets.first == 0 && offsets.count > 1 && offsets.count < 21)
        #expect(offsets == Array(0..<Int64(offsets.count)))
    }

    /// Legacy entries already stored: a magic at or below the target goes out as it is; magic 1
    /// going to magic 0 is rewritten.
    @Test func legacyEntries() throws {
        var v0 = ByteBuffer()
        LegacyRecord.write(offset: 10, magic: 0, key: bytes("a"), value: bytes("b"), into: &v0)
        #expect(try RecordsDownConverter.downConvert(v0, toMagic: 1, firstOffset: 10).records == v0)
        #expect(try RecordsDownConverter.downConvert(v0, toMagic: 0, firstOffset: 10).records == v0)

        var v1 = ByteBuffer()
        LegacyRecord.write(offset: 11, magic: 1, timestamp: 5, key: bytes("c"), value: bytes("d"), into: &v1)
        try LegacyMessageSet.writeWrapper(
            messages: LegacyRecordTests.messages, magic: 1, compression: .gzip, lastOffset: 14, into: &v1)
        #expect(try RecordsDownConverter.downConvert(v1, toMagic: 1, firstOffset: 11).records == v1)
        let down = try RecordsDownConverter.downConvert(Self.concatenate(v1, try Self.batch(baseOffset: 15)), toMagic: 0, firstOffset: 11)
        let entries = try LegacyMessageSet.entries(down.records)
        #expect(entries.map(\.offset) == [11, 14, 15, 16, 17])
        #expect(entries.allSatisfy { $0.magic == 0 })
        let deep = try Self.deepRecords(down.records)
        #expect(deep.map(\.offset) == [11, 12, 13, 14, 15, 16, 17])
        #expect(deep.map { $0.value?.utf8String } == ["d", "value one", "value two", nil, "value one", "value two", nil])
    }

    /// Kafka writes the LZ4 frame of a magic 0 wrapper with the pre-KIP-57 header checksum (the
    /// one pre-0.10 clients check); magic 1 gets the correct one.
    @Test func lz4HeaderChecksumFollowsTheMagic() throws {
        for magic in Self.magics {
            let converted = try RecordsDownConverter.downConvert(
                try Self.batch(baseOffset: 0, compression: .lz4), toMagic: magic, firstOffset: 0)
            let frame = try #require(try LegacyMessageSet.entries(converted.records).first?.value)
            let header = Array(try #require(frame.getBytes(at: frame.readerIndex, length: 7)))
            #expect(header[4] & 0x09 == 0, "no content size, no dictionary id: the descriptor is FLG and BD")
            let preKIP57 = UInt8(truncatingIfNeeded: header[0..<6].withUnsafeBytes { XXHash32.hash($0) } >> 8)
            let correct = UInt8(truncatingIfNeeded: header[4..<6].withUnsafeBytes { XXHash32.hash($0) } >> 8)
            #expect(header[6] == (magic == 0 ? preKIP57 : correct))
            // Either way, the frame reads back.
            #expect(try CompressionCodec.decompress(frame, with: .lz4).readableBytes > 0)
        }
    }
}
