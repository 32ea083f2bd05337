import NIOCore

/// Encodes one RecordBatch v2: records are appended one by one, then `build()` compresses them
/// and writes the header with its CRC. Kafka's `MemoryRecordsBuilder` (magic 2 only: this broker
/// stores nothing older).
///
/// Used by tests, by `LogValidator` when it must re-encode (recompression to the topic's codec,
/// up-conversion of magic 0/1 messages), and by the broker for what it writes itself (control
/// batches with transaction markers, coordinator records).
///
/// Invariants kept: offsets strictly increase and fit the batch's int32 deltas; baseTimestamp is
/// the first record's timestamp; maxTimestamp is the largest record timestamp (CreateTime) or
/// `logAppendTime` (LogAppendTime); recordCount = number of appended records.
public struct MemoryRecordsBuilder: Sendable {
    public let baseOffset: Int64
    public let compression: CompressionType
    public let timestampType: TimestampType
    /// The broker's clock for LogAppendTime batches (ignored for CreateTime).
    public let logAppendTime: Int64
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var isTransactional: Bool
    public var isControlBatch: Bool
    public var partitionLeaderEpoch: Int32

    /// The encoded, uncompressed records appended so far.
    private var records: ByteBuffer
    private var firstTimestamp: Int64?
    private var maxRecordTimestamp = RecordBatch.noTimestamp
    private var lastOffset: Int64?
    /// The lastOffsetDelta to write instead of the last appended record's (see `overrideLastOffset`).
    private var lastOffsetOverride: Int64?
    public private(set) var recordCount = 0
    /// Offset of the record with the largest timestamp (the first one, on ties), -1 before any.
    public private(set) var offsetOfMaxTimestamp: Int64 = -1

    public init(
        baseOffset: Int64 = 0,
        compression: CompressionType = .none,
        timestampType: TimestampType = .createTime,
        logAppendTime: Int64 = RecordBatch.noTimestamp,
        producerId: Int64 = RecordBatch.noProducerId,
        producerEpoch: Int16 = RecordBatch.noProducerEpoch,
        baseSequence: Int32 = RecordBatch.noSequence,
        isTransactional: Bool = false,
        isControlBatch: Bool = false,
        partitionLeaderEpoch: Int32 = RecordBatch.noPartitionLeaderEpoch,
        expectedRecordsSize: Int = 1024
    ) {
        self.baseOffset = baseOffset
        self.compression = compression
        self.timestampType = timestampType == .noTimestampType ? .createTime : timestampType
        self.logAppendTime = logAppendTime
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.isTransactional = isTransactional
        self.isControlBatch = isControlBatch
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.records = ByteBufferAllocator().buffer(capacity: expectedRecordsSize)
    }

    /// The offset the next `append(timestamp:…)` uses.
    public var nextOffset: Int64 { (lastOffset ?? (baseOffset - 1)) + 1 }

    /// Bytes of uncompressed records so far.
    public var uncompressedBytesWritten: Int { records.readableBytes }

    /// Appends a record at the next offset.
    public mutating func append(timestamp: Int64, key: ByteBuffer?, value: ByteBuffer?, headers: [RecordHeader] = []) {
        // nextOffset is always valid: it is at most one past an accepted offset.
        try? append(offset: nextOffset, timestamp: timestamp, key: key, value: value, headers: headers)
    }

    /// Appends a record at `offset`, which must be above the previous one and within an int32
    /// delta of baseOffset.
    public mutating func append(
        offset: Int64,
        timestamp: Int64,
        key: ByteBuffer?,
        value: ByteBuffer?,
        headers: [RecordHeader] = []
    ) throws(RecordBatchError) {
        var encodedHeaders = ByteBuffer()
        for header in headers {
            let key = Array(header.key.utf8)
            encodedHeaders.writeVarint(Int32(key.count))
            encodedHeaders.writeBytes(key)
            Self.writeBytes(header.value, into: &encodedHeaders)
        }
        try append(offset: offset, timestamp: timestamp, key: key, value: value, headerCount: headers.count, encodedHeaders: encodedHeaders)
    }

    /// Appends a record decoded from another batch, keeping its timestamp, key, value and
    /// encoded headers as they are; `offset` defaults to the next one.
    public mutating func append(_ record: DefaultRecord, offset: Int64? = nil, timestamp: Int64? = nil) throws(RecordBatchError) {
        try append(
            offset: offset ?? nextOffset, timestamp: timestamp ?? record.timestamp, key: record.key, value: record.value,
            headerCount: record.headerCount, encodedHeaders: record.encodedHeaders)
    }

    private mutating func append(
        offset: Int64,
        timestamp: Int64,
        key: ByteBuffer?,
        value: ByteBuffer?,
        headerCount: Int,
        encodedHeaders: ByteBuffer
    ) throws(RecordBatchError) {
        if let lastOffset, offset <= lastOffset {
            throw .invalidRecord("offset \(offset) does not follow \(lastOffset)")
        }
        guard offset >= baseOffset, offset - baseOffset <= Int64(Int32.max) else {
            throw .invalidRecord("offset \(offset) is not within an int32 delta of base offset \(baseOffset)")
        }
        let firstTimestamp = self.firstTimestamp ?? timestamp
        let offsetDelta = Int32(offset - baseOffset)
        let timestampDelta = timestamp &- firstTimestamp
        let bodySize = 1 + VarintSize.zigzag(timestampDelta) + VarintSize.zigzag(Int64(offsetDelta))
            + Self.sizeOfBytes(key) + Self.sizeOfBytes(value)
            + VarintSize.zigzag(Int64(headerCount)) + encodedHeaders.readableBytes
        records.writeVarint(Int32(truncatingIfNeeded: bodySize))
        records.writeInteger(Int8(0))
        records.writeVarlong(timestampDelta)
        records.writeVarint(offsetDelta)
        Self.writeBytes(key, into: &records)
        Self.writeBytes(value, into: &records)
        records.writeVarint(Int32(truncatingIfNeeded: headerCount))
        var headers = encodedHeaders
        records.writeBuffer(&headers)

        self.firstTimestamp = firstTimestamp
        self.lastOffset = offset
        recordCount += 1
        if timestamp > maxRecordTimestamp {
            maxRecordTimestamp = timestamp
            offsetOfMaxTimestamp = offset
        }
    }

    private static func sizeOfBytes(_ bytes: ByteBuffer?) -> Int {
        guard let bytes else { return VarintSize.zigzag(-1) }
        return VarintSize.zigzag(Int64(bytes.readableBytes)) + bytes.readableBytes
    }

    private static func writeBytes(_ bytes: ByteBuffer?, into buffer: inout ByteBuffer) {
        guard var bytes else {
            buffer.writeVarint(-1)
            return
        }
        buffer.writeVarint(Int32(truncatingIfNeeded: bytes.readableBytes))
        buffer.writeBuffer(&bytes)
    }

    /// Makes `build()` write `offset` as the batch's last offset even when no record has it:
    /// the log cleaner keeps a filtered batch's original last offset so that the producer's last
    /// sequence number survives compaction (Kafka's `overrideLastOffset`). Must not be below the
    /// last appended offset.
    public mutating func overrideLastOffset(_ offset: Int64) {
        lastOffsetOverride = offset
    }

    /// The batch's maxTimestamp as `build()` writes it.
    public var maxTimestamp: Int64 {
        timestampType == .logAppendTime ? logAppendTime : maxRecordTimestamp
    }

    /// The attributes field as `build()` writes it.
    public var attributes: Int16 {
        var attributes = Int16(compression.rawValue)
        if timestampType == .logAppendTime { attributes |= TimestampType.attributeMask }
        if isTransactional { attributes |= RecordBatch.transactionalFlag }
        if isControlBatch { attributes |= RecordBatch.controlFlag }
        return attributes
    }

    /// The encoded batch; empty when no record was appended (Kafka writes no empty batches here).
    public func build() throws(RecordBatchError) -> ByteBuffer {
        guard recordCount > 0, let lastOffset else { return ByteBuffer() }
        var batch = ByteBufferAllocator().buffer(capacity: RecordBatch.headerSize + records.readableBytes)
        batch.writeInteger(baseOffset)
        batch.writeInteger(Int32(0))  // batchLength, set below
        batch.writeInteger(partitionLeaderEpoch)
        batch.writeInteger(RecordBatch.currentMagic)
        batch.writeInteger(UInt32(0))  // crc, set below
        batch.writeInteger(attributes)
        batch.writeInteger(Int32(max(lastOffset, lastOffsetOverride ?? lastOffset) - baseOffset))
        batch.writeInteger(firstTimestamp ?? RecordBatch.noTimestamp)
        batch.writeInteger(maxTimestamp)
        batch.writeInteger(producerId)
        batch.writeInteger(producerEpoch)
        batch.writeInteger(baseSequence)
        batch.writeInteger(Int32(recordCount))
        try CompressionCodec.withReadableBytes(of: records) { (bytes) throws(RecordBatchError) in
            try CompressionCodec.compress(bytes, with: compression, into: &batch)
        }
        let size = batch.readableBytes
        guard size - RecordBatch.logOverhead <= Int(Int32.max) else {
            throw .messageTooLarge(size: size, limit: Int(Int32.max))
        }
        batch.setInteger(Int32(size - RecordBatch.logOverhead), at: RecordBatch.batchLengthOffset)
        let checksum = CRC32C.checksum(batch, at: RecordBatch.attributesOffset, length: size - RecordBatch.attributesOffset) ?? 0
        batch.setInteger(checksum, at: RecordBatch.crcOffset)
        return batch
    }

    /// The encoded batch as a one-batch record set.
    public func buildRecords() throws(RecordBatchError) -> MemoryRecords {
        MemoryRecords(try build())
    }
}
