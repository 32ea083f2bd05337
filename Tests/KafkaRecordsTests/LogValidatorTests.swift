import KafkaRecords
import NIOCore
import Testing

@Suite struct LogValidatorTests {
    static let now: Int64 = 1_750_000_000_000

    static func produced(
        compression: CompressionType = .none,
        count: Int = 3,
        timestamps: [Int64]? = nil,
        keys: Bool = true,
        producerId: Int64 = -1,
        baseSequence: Int32 = -1,
        valueSize: Int = 20
    ) throws -> MemoryRecords {
        var builder = MemoryRecordsBuilder(compression: compression, producerId: producerId, producerEpoch: producerId < 0 ? -1 : 0, baseSequence: baseSequence)
        for index in 0..<count {
            let timestamp = timestamps?[index] ?? (now - 1000 + Int64(index))
            builder.append(
                timestamp: timestamp, key: keys ? bytes("key-\(index)") : nil,
                value: ByteBuffer(bytes: loremBytes(count: valueSize)))
        }
        return try builder.buildRecords()
    }

    static func validate(_ records: MemoryRecords, origin: AppendOrigin = .client, config: LogValidator.Config = .init()) throws(RecordBatchError) -> LogValidator.ValidationResult {
        try LogValidator.validateMessagesAndAssignOffsets(records, offsetCounter: 1000, now: now, partitionLeaderEpoch: 6, origin: origin, config: config)
    }

    static func expectError(_ code: Int16, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected error \(code), got success", sourceLocation: sourceLocation)
        } catch let error as RecordBatchError {
            #expect(error.kafkaErrorCode == code, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func uncompressedInPlace() throws {
        let timestamps: [Int64] = [Self.now - 10, Self.now - 5, Self.now - 7]
        let input = try Self.produced(timestamps: timestamps)
        let section = Array(try #require(input.firstBatch).recordsSection.readableBytesView)
        let result = try Self.validate(input)
        #expect(result.firstOffset == 1000 && result.lastOffset == 1002 && result.nextOffset == 1003)
        #expect(result.maxTimestamp == Self.now - 5 && result.shallowOffsetOfMaxTimestamp == 1001)
        #expect(result.logAppendTime == -1 && !result.messageSizeMaybeChanged)
        let batch = try #require(result.validatedRecords.firstBatch)
        try batch.ensureValid()
        #expect(batch.partitionLeaderEpoch == 6 && batch.maxTimestamp == Self.now - 5)
        #expect(Array(batch.recordsSection.readableBytesView) == section)
    }

    @Test func producerMaxTimestampIsCorrected() throws {
        var bytes = try Self.produced().buffer
        bytes.setInteger(Int64(5), at: 35)  // a wrong maxTimestamp…
        let crc = CRC32C.checksum(bytes, at: 21, length: bytes.readableBytes - 21)!
        bytes.setInteger(crc, at: 17)  // …with a matching CRC
        let result = try Self.validate(MemoryRecords(bytes))
        let batch = try #require(result.validatedRecords.firstBatch)
        try batch.ensureValid()
        #expect(batch.maxTimestamp == Self.now - 998)
    }

    @Test(arguments: CompressionCodecTests.codecs)
    func logAppendTimeTopic(_ codec: CompressionType) throws {
        let input = try Self.produced(compression: codec)
        let section = Array(try #require(input.firstBatch).recordsSection.readableBytesView)
        let result = try Self.validate(input, config: .init(messageTimestampType: .logAppendTime))
        #expect(result.logAppendTime == Self.now && result.maxTimestamp == Self.now && result.shallowOffsetOfMaxTimestamp == 1002)
        let batch = try #require(result.validatedRecords.firstBatch)
        try batch.ensureValid()
        #expect(batch.timestampType == .logAppendTime && batch.maxTimestamp == Self.now)
        #expect(Array(batch.recordsSection.readableBytesView) == section)
        #expect(try batch.decodeRecords().allSatisfy { $0.timestamp == Self.now })
    }

    @Test func recompressesToTheTopicCodec() throws {
        let input = try Self.produced(compression: .gzip, producerId: 77, baseSequence: 5, valueSize: 500)
        let result = try Self.validate(input, config: .init(compressionType: .type(.lz4)))
        #expect(result.sourceCompression == .gzip && result.targetCompression == .lz4 && result.messageSizeMaybeChanged)
        let batch = try #require(result.validatedRecords.firstBatch)
        try batch.ensureValid()
        #expect(batch.compressionType == .lz4 && batch.producerId == 77 && batch.baseSequence == 5 && batch.partitionLeaderEpoch == 6)
        #expect(try batch.decodeRecords().map { $0.key?.utf8String } == ["key-0", "key-1", "key-2"])
        #expect(result.shallowOffsetOfMaxTimestamp == 1002)

        let uncompressed = try Self.validate(input, config: .init(compressionType: .type(.none)))
        #expect(try #require(uncompressed.validatedRecords.firstBatch).compressionType == CompressionType.none)
    }

    @Test func rejectsWhatKafkaRejects() throws {
        // Oversize batch (MESSAGE_TOO_LARGE), before and after recompression.
        let big = try Self.produced(valueSize: 5000)
        Self.expectError(10) { _ = try Self.validate(big, config: .init(maxMessageBytes: 4000)) }
        let compressible = try Self.produced(compression: .zstd, valueSize: 5000)
        _ = try Self.validate(compressible, config: .init(maxMessageBytes: 4000))
        Self.expectError(10) { _ = try Self.validate(compressible, config: .init(maxMessageBytes: 4000, compressionType: .type(.none))) }

        // Decompression bomb.
        Self.expectError(10) { _ = try Self.validate(compressible, config: .init(maxDecompressedBytes: 1000)) }

        // CRC (CORRUPT_MESSAGE).
        var corrupt = try Self.produced().buffer
        corrupt.setInteger(UInt8(0xEE), at: corrupt.readableBytes - 2)
        Self.expectError(2) { _ = try Self.validate(MemoryRecords(corrupt)) }

        // Truncated, or followed by a partial batch.
        let whole = try Self.produced().buffer
        Self.expectError(2) { _ = try Self.validate(MemoryRecords(whole.getSlice(at: 0, length: whole.readableBytes - 1)!)) }
        Self.expectError(2) { _ = try Self.validate(MemoryRecords(whole.getSlice(at: 0, length: 10)!)) }
        var withTail = whole
        withTail.writeBytes([0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        Self.expectError(2) { _ = try Self.validate(MemoryRecords(withTail)) }

        // Bad magic.
        var magic = whole
        magic.setInteger(Int8(3), at: 16)
        Self.expectError(2) { _ = try Self.validate(MemoryRecords(magic)) }

        // Two batches, or none (CORRUPT_MESSAGE: Kafka 2.3's InvalidRecordException).
        var two = whole
        var again = whole
        two.writeBuffer(&again)
        Self.expectError(2) { _ = try Self.validate(MemoryRecords(two)) }
        Self.expectError(2) { _ = try Self.validate(.empty) }

        // Base offset not 0 from a client.
        var based = whole
        based.setInteger(Int64(3), at: 0)
        Self.expectError(2) { _ = try Self.validate(MemoryRecords(based)) }
        _ = try Self.validate(MemoryRecords(based), origin: .coordinator)

        // Count disagreeing with lastOffsetDelta.
        var builder = MemoryRecordsBuilder()
        try builder.append(offset: 0, timestamp: Self.now, key: nil, value: nil)
        try builder.append(offset: 2, timestamp: Self.now, key: nil, value: nil)
        Self.expectError(2) { _ = try Self.validate(try builder.buildRecords()) }
        // Gapped deltas are refused from the coordinator too.
        Self.expectError(2) { _ = try Self.validate(try builder.buildRecords(), origin: .coordinator) }

        // A producer id without a sequence.
        Self.expectError(2) { _ = try Self.validate(try Self.produced(producerId: 9, baseSequence: -1)) }

        // Null key on a compacted topic.
        Self.expectError(2) { _ = try Self.validate(try Self.produced(keys: false), config: .init(isCompacted: true)) }
        _ = try Self.validate(try Self.produced(keys: true), config: .init(isCompacted: true))

        // Timestamps (INVALID_TIMESTAMP).
        let old = try Self.produced(timestamps: [Self.now, Self.now - 7_200_000, Self.now])
        Self.expectError(32) { _ = try Self.validate(old, config: .init(messageTimestampDifferenceMaxMs: 3_600_000)) }
        _ = try Self.validate(old, config: .init(messageTimestampType: .logAppendTime, messageTimestampDifferenceMaxMs: 3_600_000))
        let extreme = try Self.produced(timestamps: [Int64.min, 0, Int64.max])
        Self.expectError(32) { _ = try Self.validate(extreme, config: .init(messageTimestampDifferenceMaxMs: 1000)) }
        let claimsAppendTime = try MemoryRecordsBuilder(timestampType: .logAppendTime, logAppendTime: Self.now).buildRecords()
        #expect(claimsAppendTime.isEmpty)
        var appendTimeBuilder = MemoryRecordsBuilder(timestampType: .logAppendTime, logAppendTime: Self.now)
        appendTimeBuilder.append(timestamp: Self.now, key: nil, value: nil)
        Self.expectError(32) { _ = try Self.validate(try appendTimeBuilder.buildRecords()) }

        // Unknown codec id, CRC made consistent (UNSUPPORTED_COMPRESSION_TYPE).
        var codec = whole
        codec.setInteger(Int16(7), at: 21)
        codec.setInteger(CRC32C.checksum(codec, at: 21, length: codec.readableBytes - 21)!, at: 17)
        Self.expectError(76) { _ = try Self.validate(MemoryRecords(codec)) }
    }

    @Test(arguments: [(Int8(0), CompressionType.none), (0, .gzip), (1, .none), (1, .snappy), (1, .lz4)])
    func upConvertsLegacyProduce(_ magic: Int8, _ codec: CompressionType) throws {
        var set = ByteBuffer()
        let messages = LegacyRecordTests.messages.map { ($0.key, $0.value, Self.now - 100) }
        if codec == .none {
            for (index, message) in messages.enumerated() {
                LegacyRecord.write(offset: Int64(index), magic: magic, timestamp: message.2, key: message.0, value: message.1, into: &set)
            }
        } else {
            try LegacyMessageSet.writeWrapper(
                messages: messages.map { (key: $0.0, value: $0.1, timestamp: $0.2) }, magic: magic, compression: codec,
                lastOffset: 2, into: &set)
        }
        let result = try Self.validate(MemoryRecords(set), config: .init(messageTimestampDifferenceMaxMs: 1000))
        #expect(result.messageSizeMaybeChanged && result.sourceCompression == codec && result.targetCompression == codec)
        #expect(result.firstOffset == 1000 && result.lastOffset == 1002)
        let batch = try #require(result.validatedRecords.firstBatch)
        try batch.ensureValid()
        #expect(batch.magic == 2 && batch.partitionLeaderEpoch == 6 && batch.compressionType == codec)
        let records = try batch.decodeRecords()
        #expect(records.map(\.offset) == [1000, 1001, 1002])
        #expect(records.map { $0.value?.utf8String } == ["value one", "value two", nil])
        #expect(records.map(\.timestamp) == Array(repeating: magic == 0 ? -1 : Self.now - 100, count: 3))
        #expect(result.maxTimestamp == (magic == 0 ? -1 : Self.now - 100))

        let appendTime = try Self.validate(MemoryRecords(set), config: .init(messageTimestampType: .logAppendTime))
        #expect(try #require(appendTime.validatedRecords.firstBatch).timestampType == .logAppendTime)
        #expect(appendTime.maxTimestamp == Self.now)
    }

    @Test func legacyRulesFromKafka() throws {
        var two = ByteBuffer()
        for _ in 0..<2 {
            try LegacyMessageSet.writeWrapper(messages: LegacyRecordTests.messages, magic: 1, compression: .gzip, lastOffset: 2, into: &two)
        }
        Self.expectError(2) { _ = try Self.validate(MemoryRecords(two)) }

        var gapped = ByteBuffer()
        var inner = ByteBuffer()
        for offset: Int64 in [0, 2] {
            LegacyRecord.write(offset: offset, magic: 1, timestamp: Self.now, key: nil, value: bytes("x"), into: &inner)
        }
        LegacyRecord.write(offset: 2, magic: 1, attributes: 1, timestamp: Self.now, key: nil,
                           value: try CompressionCodec.compress(inner, with: .gzip), into: &gapped)
        Self.expectError(2) { _ = try Self.validate(MemoryRecords(gapped)) }

        var mixed = ByteBuffer()
        LegacyRecord.write(offset: 0, magic: 0, key: nil, value: bytes("a"), into: &mixed)
        LegacyRecord.write(offset: 1, magic: 1, timestamp: Self.now, key: nil, value: bytes("b"), into: &mixed)
        Self.expectError(2) { _ = try Self.validate(MemoryRecords(mixed)) }

        var appendTime = ByteBuffer()
        LegacyRecord.write(offset: 0, magic: 1, attributes: 0x08, timestamp: Self.now, key: nil, value: bytes("a"), into: &appendTime)
        Self.expectError(32) { _ = try Self.validate(MemoryRecords(appendTime)) }

        var big = ByteBuffer()
        LegacyRecord.write(offset: 0, magic: 1, timestamp: Self.now, key: nil, value: ByteBuffer(bytes: loremBytes(count: 3000)), into: &big)
        Self.expectError(10) { _ = try Self.validate(MemoryRecords(big), config: .init(maxMessageBytes: 2000)) }
    }

    @Test func analyzeForFollowers() throws {
        var set = ByteBuffer()
        for (index, codec) in [CompressionType.none, .snappy, .none].enumerated() {
            var builder = MemoryRecordsBuilder(baseOffset: Int64(index * 10), compression: codec, partitionLeaderEpoch: Int32(index))
            builder.append(timestamp: Self.now + Int64(index == 1 ? 50 : index), key: nil, value: bytes("v"))
            builder.append(timestamp: Self.now, key: nil, value: bytes("w"))
            var batch = try builder.build()
            set.writeBuffer(&batch)
        }
        let info = try LogValidator.analyzeAndValidateRecords(MemoryRecords(set), origin: .replication, maxMessageBytes: 1 << 20)
        #expect(info.firstOffset == 0 && info.lastOffset == 21 && info.shallowCount == 3 && info.offsetsMonotonic)
        #expect(info.maxTimestamp == Self.now + 50 && info.offsetOfMaxTimestamp == 11)
        #expect(info.sourceCompression == .snappy && info.lastLeaderEpoch == 2 && info.end == .complete)
        #expect(info.validBytes == set.readableBytes)
        Self.expectError(2) { _ = try LogValidator.analyzeAndValidateRecords(MemoryRecords(set), origin: .client, maxMessageBytes: 1 << 20) }
        Self.expectError(10) { _ = try LogValidator.analyzeAndValidateRecords(MemoryRecords(set), origin: .replication, maxMessageBytes: 70) }

        var backwards = ByteBuffer()
        for base: Int64 in [10, 5] {
            var builder = MemoryRecordsBuilder(baseOffset: base)
            builder.append(timestamp: 0, key: nil, value: nil)
            var batch = try builder.build()
            backwards.writeBuffer(&batch)
        }
        #expect(try !LogValidator.analyzeAndValidateRecords(MemoryRecords(backwards), origin: .replication, maxMessageBytes: 1 << 20).offsetsMonotonic)

        var corrupt = set
        corrupt.setInteger(UInt8(0x55), at: corrupt.readableBytes - 1)
        Self.expectError(2) { _ = try LogValidator.analyzeAndValidateRecords(MemoryRecords(corrupt), origin: .replication, maxMessageBytes: 1 << 20) }
    }
}

@Suite struct LogValidatorZeroCopyTests {
    /// When the caller hands over the only reference to its records, offsets are assigned in the
    /// same storage: no copy of the batch.
    @Test func inPlaceAssignmentKeepsTheStorage() throws {
        var records = try LogValidatorTests.produced(compression: .lz4, valueSize: 4000)
        let before = records.buffer.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        let result = try LogValidator.validateMessagesAndAssignOffsets(
            consume records, offsetCounter: 77, now: LogValidatorTests.now, partitionLeaderEpoch: 1,
            config: .init(messageTimestampType: .logAppendTime))
        let after = result.validatedRecords.buffer.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(before == after)
        records = result.validatedRecords
        #expect(records.firstBatch?.baseOffset == 77)
    }
}
