import KafkaRecords
import NIOCore
import Testing

@Suite struct LegacyRecordTests {
    static let messages: [(key: ByteBuffer?, value: ByteBuffer?, timestamp: Int64)] = [
        (bytes("k1"), bytes("value one"), 1_600_000_000_001),
        (nil, bytes("value two"), 1_600_000_000_003),
        (bytes("k3"), nil, 1_600_000_000_002),
    ]

    static func uncompressedSet(magic: Int8, firstOffset: Int64 = 0) -> ByteBuffer {
        var buffer = ByteBuffer()
        for (index, message) in messages.enumerated() {
            LegacyRecord.write(
                offset: firstOffset + Int64(index), magic: magic, timestamp: message.timestamp,
                key: message.key, value: message.value, into: &buffer)
        }
        return buffer
    }

    @Test func messageLayout() throws {
        var buffer = ByteBuffer()
        LegacyRecord.write(offset: 5, magic: 0, key: bytes("k"), value: bytes("v"), into: &buffer)
        // offset 8, size 4, crc 4, magic 1, attributes 1, key 4+1, value 4+1
        #expect(buffer.readableBytes == 12 + 4 + 1 + 1 + 5 + 5)
        #expect(buffer.getInteger(at: 8, as: Int32.self) == 16)
        let crc = CRC32.checksum(buffer, at: 16, length: 12)
        #expect(buffer.getInteger(at: 12, as: UInt32.self) == crc)
        var v1 = ByteBuffer()
        LegacyRecord.write(offset: 5, magic: 1, timestamp: 77, key: nil, value: nil, into: &v1)
        #expect(v1.readableBytes == 12 + LegacyRecord.minimumSizeV1)
        #expect(v1.getInteger(at: 18, as: Int64.self) == 77)
    }

    @Test(arguments: [Int8(0), 1])
    func parsesUncompressedMessages(_ magic: Int8) throws {
        let entries = try LegacyMessageSet.entries(Self.uncompressedSet(magic: magic, firstOffset: 40))
        #expect(entries.map(\.offset) == [40, 41, 42])
        #expect(entries.map { $0.key?.utf8String } == ["k1", nil, "k3"])
        #expect(entries.map { $0.value?.utf8String } == ["value one", "value two", nil])
        if magic == 0 {
            #expect(entries.allSatisfy { $0.timestamp == RecordBatch.noTimestamp && $0.timestampType == .noTimestampType })
        } else {
            #expect(entries.map(\.timestamp) == Self.messages.map(\.timestamp))
            #expect(entries.allSatisfy { $0.timestampType == .createTime })
        }
    }

    @Test(arguments: [Int8(0), 1])
    func upConvertsUncompressedMessages(_ magic: Int8) throws {
        let converted = try LegacyMessageSet.upConvert(Self.uncompressedSet(magic: magic), baseOffset: 100, partitionLeaderEpoch: 4)
        let batch = try #require(converted.firstBatch)
        try batch.ensureValid()
        #expect(batch.baseOffset == 100 && batch.lastOffset == 102 && batch.partitionLeaderEpoch == 4)
        #expect(batch.compressionType == CompressionType.none && !batch.hasProducerId)
        let records = try batch.decodeRecords()
        #expect(records.map(\.offset) == [100, 101, 102])
        #expect(records.map { $0.key?.utf8String } == ["k1", nil, "k3"])
        #expect(records.map { $0.value?.utf8String } == ["value one", "value two", nil])
        let expected: [Int64] = magic == 0 ? [-1, -1, -1] : Self.messages.map(\.timestamp)
        #expect(records.map(\.timestamp) == expected)
        #expect(batch.maxTimestamp == expected.max())
    }

    static let wrapperCases: [(Int8, CompressionType)] = [(0, .gzip), (0, .snappy), (0, .lz4), (1, .gzip), (1, .snappy), (1, .lz4)]

    @Test(arguments: wrapperCases)
    func upConvertsCompressedWrappers(_ magic: Int8, _ codec: CompressionType) throws {
        var set = ByteBuffer()
        try LegacyMessageSet.writeWrapper(messages: Self.messages, magic: magic, compression: codec, lastOffset: 2, into: &set)
        let wrapper = try #require(try LegacyMessageSet.entries(set).first)
        #expect(wrapper.isCompressed && wrapper.key == nil && wrapper.offset == 2)
        let inner = try LegacyMessageSet.deepRecords(of: wrapper)
        #expect(inner.map(\.offset) == [0, 1, 2])

        let converted = try LegacyMessageSet.upConvert(set, baseOffset: 10)
        let batch = try #require(converted.firstBatch)
        try batch.ensureValid()
        #expect(batch.compressionType == codec)
        let records = try batch.decodeRecords()
        #expect(records.map(\.offset) == [10, 11, 12])
        #expect(records.map { $0.value?.utf8String } == ["value one", "value two", nil])
        #expect(records.map(\.timestamp) == (magic == 0 ? [-1, -1, -1] : Self.messages.map(\.timestamp)))

        let toZstd = try LegacyMessageSet.upConvert(set, compression: .zstd)
        #expect(try #require(toZstd.firstBatch).compressionType == .zstd)
    }

    /// Magic 1 wrappers with LogAppendTime lend their timestamp to every inner message.
    @Test func logAppendTimeWrapper() throws {
        var set = ByteBuffer()
        try LegacyMessageSet.writeWrapper(
            messages: Self.messages, magic: 1, compression: .gzip, lastOffset: 1002, timestampType: .logAppendTime,
            wrapperTimestamp: 1_650_000_000_000, into: &set)
        let wrapper = try #require(try LegacyMessageSet.entries(set).first)
        #expect(wrapper.timestampType == .logAppendTime)
        let inner = try LegacyMessageSet.deepRecords(of: wrapper)
        #expect(inner.map(\.offset) == [1000, 1001, 1002])
        #expect(inner.map(\.storedOffset) == [0, 1, 2])
        #expect(inner.allSatisfy { $0.timestamp == 1_650_000_000_000 && $0.timestampType == .logAppendTime })
    }

    /// Kafka before 0.10 wrote LZ4 frames with a header checksum over the magic too; magic 0
    /// wrappers are read whatever their header checksum says.
    @Test func magic0LZ4WithAnyHeaderChecksum() throws {
        var inner = ByteBuffer()
        LegacyRecord.write(offset: 0, magic: 0, key: nil, value: bytes("old lz4"), into: &inner)
        var frame = Array(try CompressionCodec.compress(inner, with: .lz4).readableBytesView)
        frame[6] ^= 0x5A
        var set = ByteBuffer()
        LegacyRecord.write(offset: 0, magic: 0, attributes: 3, key: nil, value: ByteBuffer(bytes: frame), into: &set)
        let converted = try LegacyMessageSet.upConvert(set)
        #expect(try #require(converted.firstBatch).decodeRecords().map { $0.value?.utf8String } == ["old lz4"])
        var v1 = ByteBuffer()
        LegacyRecord.write(offset: 0, magic: 1, attributes: 3, timestamp: 1, key: nil, value: ByteBuffer(bytes: frame), into: &v1)
        #expect(throws: RecordBatchError.self) { try LegacyMessageSet.upConvert(v1) }
    }

    @Test func rejectsDamagedMessages() throws {
        var corrupt = Self.uncompressedSet(magic: 1)
        corrupt.setInteger(UInt8(ascii: "X"), at: corrupt.readableBytes - 3)
        #expect(throws: RecordBatchError.self) { try LegacyMessageSet.entries(corrupt) }
        do { _ = try LegacyMessageSet.entries(corrupt) } catch { #expect(error.kafkaErrorCode == 2) }

        let truncated = Self.uncompressedSet(magic: 0).getSlice(at: 0, length: 30)!
        #expect(throws: RecordBatchError.self) { try LegacyMessageSet.entries(truncated) }

        var zstd = ByteBuffer()
        LegacyRecord.write(offset: 0, magic: 1, attributes: 4, timestamp: 1, key: nil,
                           value: try CompressionCodec.compress(Self.uncompressedSet(magic: 1), with: .zstd), into: &zstd)
        #expect(throws: RecordBatchError.unsupportedCompressionType(4)) { try LegacyMessageSet.upConvert(zstd) }

        var nested = ByteBuffer()
        var innerWrapper = ByteBuffer()
        try LegacyMessageSet.writeWrapper(messages: Self.messages, magic: 1, compression: .gzip, lastOffset: 0, into: &innerWrapper)
        LegacyRecord.write(offset: 0, magic: 1, attributes: 1, timestamp: 1, key: nil,
                           value: try CompressionCodec.compress(innerWrapper, with: .gzip), into: &nested)
        #expect(throws: RecordBatchError.self) { try LegacyMessageSet.upConvert(nested) }

        var badLength = Self.uncompressedSet(magic: 0)
        badLength.setInteger(Int32(1000), at: 22)  // key length of the first message
        #expect(throws: RecordBatchError.self) { try LegacyMessageSet.entries(badLength) }
    }
}
