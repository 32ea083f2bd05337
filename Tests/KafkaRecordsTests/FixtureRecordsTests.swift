import KafkaRecords
import NIOCore
import Testing

/// Record batches exactly as kcat (librdkafka 2.0.2), confluent-kafka (librdkafka 2.16),
/// kafka-python and Kafka 2.3's Java producer sent them, one batch per codec, each holding keys
/// k1…k3 and values "<codec>-v<i> lorem ipsum …".
@Suite struct FixtureRecordsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var client: String
        var file: String
        var codec: CompressionType
        var testDescription: String { "\(client) \(codec)" }
    }

    static let cases = FixtureFrames.producesByCodec.map { Case(client: $0.client, file: $0.file, codec: $0.codec) }

    static func records(_ fixture: Case) throws -> MemoryRecords {
        MemoryRecords(try FixtureFrames.produceRecords(try FixtureFrames.load(fixture.client, fixture.file)))
    }

    @Test(arguments: cases)
    func decodesProducedBatch(_ fixture: Case) throws {
        let records = try Self.records(fixture)
        var iterator = records.batches
        let first = iterator.next()
        let batch = try #require(first)
        let second = iterator.next()
        #expect(second == nil)
        #expect(iterator.end == .complete)
        try batch.ensureValid()
        #expect(batch.compressionType == fixture.codec)
        #expect(batch.baseOffset == 0 && batch.lastOffsetDelta == 2 && batch.recordCount == 3)
        #expect(batch.timestampType == .createTime && !batch.isControlBatch && !batch.isTransactional)
        // kafka-python's producer is idempotent by default.
        #expect(batch.hasProducerId == (fixture.client == "kafka-python"))

        let decoded = try batch.decodeRecords()
        #expect(decoded.map(\.offset) == [0, 1, 2])
        #expect(decoded.map { $0.key?.utf8String } == ["k1", "k2", "k3"])
        for (index, record) in decoded.enumerated() {
            let value = try #require(record.value?.utf8String)
            #expect(value.hasPrefix("\(fixture.codec.name)-v\(index + 1) lorem ipsum"), "\(value)")
            #expect(record.headers.isEmpty)
            #expect(record.timestamp <= batch.maxTimestamp && record.timestamp > 1_700_000_000_000)
        }
        #expect(decoded.map(\.timestamp).max() == batch.maxTimestamp)
    }

    /// What librdkafka and the Java client put on the wire for each codec (the reason the reader
    /// accepts both snappy framings).
    @Test(arguments: cases)
    func compressedSectionFormat(_ fixture: Case) throws {
        let section = Array(try #require(try Self.records(fixture).firstBatch).recordsSection.readableBytesView)
        switch fixture.codec {
        case .none: break
        case .gzip: #expect(section.prefix(2) == [0x1F, 0x8B])
        case .snappy:
            let xerial = section.prefix(8) == [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
            #expect(xerial == (fixture.client == "java" || fixture.client == "kafka-python"))
        case .lz4: #expect(section.prefix(4) == [0x04, 0x22, 0x4D, 0x18])
        case .zstd: #expect(section.prefix(4) == [0x28, 0xB5, 0x2F, 0xFD])
        }
    }

    /// The leader's append: offsets and epoch assigned in place, CRC still valid, the record bytes
    /// as the client sent them.
    @Test(arguments: cases)
    func leaderAppendRewritesInPlace(_ fixture: Case) throws {
        let input = try Self.records(fixture)
        let originalBatch = try #require(input.firstBatch)
        let originalSection = Array(originalBatch.recordsSection.readableBytesView)
        let originalMax = originalBatch.maxTimestamp
        let now = originalMax + 1000
        let result = try LogValidator.validateMessagesAndAssignOffsets(
            input, offsetCounter: 500, now: now, partitionLeaderEpoch: 3,
            config: LogValidator.Config(messageTimestampDifferenceMaxMs: 3_600_000))
        #expect(!result.messageSizeMaybeChanged)
        #expect(result.firstOffset == 500 && result.lastOffset == 502 && result.recordCount == 3)
        #expect(result.maxTimestamp == originalMax)
        #expect(result.sourceCompression == fixture.codec && result.targetCompression == fixture.codec)
        let batch = try #require(result.validatedRecords.firstBatch)
        try batch.ensureValid()
        #expect(batch.baseOffset == 500 && batch.partitionLeaderEpoch == 3)
        #expect(batch.storedChecksum == originalBatch.storedChecksum)
        #expect(Array(batch.recordsSection.readableBytesView) == originalSection)
        #expect(try batch.decodeRecords().map(\.offset) == [500, 501, 502])
        #expect(result.validatedRecords.sizeInBytes == input.sizeInBytes)
    }

    /// A topic with its own codec recompresses every client's batch; the records survive.
    @Test(arguments: cases)
    func leaderAppendRecompressesForTheTopicCodec(_ fixture: Case) throws {
        let input = try Self.records(fixture)
        let originalRecords = try #require(input.firstBatch).decodeRecords()
        let target: CompressionType = fixture.codec == .zstd ? .snappy : .zstd
        let now = try #require(input.firstBatch).maxTimestamp
        let result = try LogValidator.validateMessagesAndAssignOffsets(
            input, offsetCounter: 7, now: now, partitionLeaderEpoch: 1,
            config: LogValidator.Config(compressionType: .type(target)))
        #expect(result.messageSizeMaybeChanged && result.targetCompression == target)
        let batch = try #require(result.validatedRecords.firstBatch)
        try batch.ensureValid()
        let producerId = try #require(input.firstBatch).producerId
        #expect(batch.compressionType == target && batch.baseOffset == 7 && batch.producerId == producerId)
        let records = try batch.decodeRecords()
        #expect(records.map(\.offset) == [7, 8, 9])
        #expect(records.map { $0.key?.utf8String } == originalRecords.map { $0.key?.utf8String })
        #expect(records.map { $0.value?.utf8String } == originalRecords.map { $0.value?.utf8String })
        #expect(records.map(\.timestamp) == originalRecords.map(\.timestamp))
    }

    @Test func idempotentAndTransactionalBatches() throws {
        let idempotent = MemoryRecords(try FixtureFrames.produceRecords(try FixtureFrames.load("confluent-kafka", "017_Produce_v7.req.bin")))
        let batch = try #require(idempotent.firstBatch)
        try batch.ensureValid()
        #expect(batch.producerId == 0 && batch.producerEpoch == 0 && batch.baseSequence == 0 && batch.lastSequence == 1)
        #expect(try batch.decodeRecords().map { $0.value?.utf8String } == ["idem-v1", "idem-v2"])

        let transactional = MemoryRecords(try FixtureFrames.produceRecords(try FixtureFrames.load("confluent-kafka", "045_Produce_v7.req.bin")))
        let txnBatch = try #require(transactional.firstBatch)
        try txnBatch.ensureValid()
        #expect(txnBatch.isTransactional && !txnBatch.isControlBatch && txnBatch.producerId == 1)
        #expect(try txnBatch.decodeRecords().map { $0.key?.utf8String } == ["tk1"])
    }

    /// Kafka 2.3's Fetch response holding the Java producer's five batches: the broker changed
    /// only baseOffset (and partitionLeaderEpoch); from the attributes on, each batch is the
    /// produced one, byte for byte.
    @Test func fetchResponseHoldsTheProducedBatches() throws {
        let fetched = MemoryRecords(try FixtureFrames.fetchRecords(try FixtureFrames.load("java", "014_Fetch_v11.resp.bin")))
        var iterator = fetched.batches
        var batches: [RecordBatch] = []
        while let batch = iterator.next() { batches.append(batch) }
        #expect(iterator.end == .complete)
        #expect(batches.map(\.baseOffset) == [0, 3, 6, 9, 12])
        #expect(batches.compactMap(\.compressionType) == [CompressionType.none, .gzip, .snappy, .lz4, .zstd])
        let produced = FixtureFrames.producesByCodec.filter { $0.client == "java" }
        for (batch, source) in zip(batches, produced) {
            try batch.ensureValid()
            let original = try #require(MemoryRecords(try FixtureFrames.produceRecords(try FixtureFrames.load(source.client, source.file))).firstBatch)
            let fetchedTail = Array(batch.bytes.readableBytesView.dropFirst(21))
            let producedTail = Array(original.bytes.readableBytesView.dropFirst(21))
            #expect(fetchedTail == producedTail)
            #expect(try batch.decodeRecords().map(\.offset) == [0, 1, 2].map { batch.baseOffset + $0 })
        }

        // A fetch cut short (a byte limit inside the last batch) ends with a partial batch.
        let cut = fetched.buffer.getSlice(at: 0, length: fetched.sizeInBytes - 40)!
        let info = try LogValidator.analyzeAndValidateRecords(MemoryRecords(cut), origin: .replication, maxMessageBytes: 1 << 20)
        #expect(info.shallowCount == 4 && info.firstOffset == 0 && info.lastOffset == 11 && info.offsetsMonotonic)
        #expect(info.validBytes == batches.prefix(4).reduce(0) { $0 + $1.sizeInBytes })
        #expect(info.validRecords.sizeInBytes == info.validBytes)
        #expect(info.sourceCompression == .lz4)
        guard case .partialBatch(let position, let size, _) = info.end else { Issue.record("no partial batch"); return }
        #expect(position == info.validBytes && size == batches[4].sizeInBytes)
    }

    /// The read_committed fetch after a committed and an aborted transaction: data batches and the
    /// COMMIT / ABORT control batches written by the broker.
    @Test func transactionMarkersInAFetch() throws {
        let fetched = MemoryRecords(try FixtureFrames.fetchRecords(try FixtureFrames.load("confluent-kafka", "050_Fetch_v11.resp.bin")))
        var batches: [RecordBatch] = []
        var iterator = fetched.batches
        while let batch = iterator.next() { batches.append(batch) }
        #expect(iterator.end == .complete)
        #expect(batches.map(\.baseOffset) == [15, 17, 18, 19, 20])
        #expect(batches.map(\.isControlBatch) == [false, false, true, false, true])
        #expect(batches.map(\.isTransactional) == [false, true, true, true, true])
        for batch in batches { try batch.ensureValid() }
        #expect(try batches[2].controlRecordType() == .commit)
        #expect(try batches[4].controlRecordType() == .abort)
        let marker = try EndTransactionMarker(try #require(try batches[4].decodeRecords().first))
        #expect(marker == EndTransactionMarker(type: .abort, coordinatorEpoch: 0))
        #expect(try batches[3].decodeRecords().map { $0.value?.utf8String } == ["txn-aborted"])

        // Clients may not write control batches; the coordinator may.
        let control = MemoryRecords(batches[2].bytes)
        #expect(throws: RecordBatchError.self) {
            try LogValidator.validateMessagesAndAssignOffsets(control, offsetCounter: 0, now: 0, partitionLeaderEpoch: 0)
        }
        let result = try LogValidator.validateMessagesAndAssignOffsets(
            control, offsetCounter: 30, now: 0, partitionLeaderEpoch: 0, origin: .coordinator,
            config: LogValidator.Config(compressionType: .type(.gzip)))
        #expect(result.targetCompression == .none && result.lastOffset == 30)
    }
}
