import NIOCore

/// A record set of legacy messages (magic 0 or 1): reading it, flattening compressed wrappers, and
/// **up-converting** it to one RecordBatch v2, as a Kafka broker whose log format is v2 does when
/// an old producer writes to it.
///
/// Reading checks every entry's CRC-32 (outer entries, and inner messages of wrappers), the
/// structure of each message, that inner messages are uncompressed and of the wrapper's magic, and
/// that decompression stays within its limit.
public enum LegacyMessageSet {
    /// The top-level entries of `records` (wrappers stay wrapped), CRC-checked. Every byte must
    /// belong to a complete entry.
    public static func entries(_ records: ByteBuffer) throws(RecordBatchError) -> [LegacyRecord] {
        var buffer = records
        var result: [LegacyRecord] = []
        while buffer.readableBytes > 0 {
            let record = try LegacyRecord.read(from: &buffer)
            try record.ensureValid()
            result.append(record)
        }
        return result
    }

    /// The messages a top-level entry stands for: itself when uncompressed; else its inner
    /// messages, CRC-checked, with absolute offsets, and the wrapper's timestamp when the wrapper
    /// is LogAppendTime.
    public static func deepRecords(
        of entry: LegacyRecord,
        decompressionLimit: Int = CompressionCodec.defaultDecompressionLimit
    ) throws(RecordBatchError) -> [LegacyRecord] {
        guard entry.isCompressed else { return [entry] }
        let type = try entry.compressionType()
        guard let compressed = entry.value else { throw .corruptMessage("compressed message at offset \(entry.offset) has a null value") }
        var inner = try CompressionCodec.decompress(
            compressed, with: type, limit: decompressionLimit,
            ignoreLZ4HeaderChecksum: entry.magic == 0)
        var records: [LegacyRecord] = []
        while inner.readableBytes > 0 {
            let record = try LegacyRecord.read(from: &inner)
            try record.ensureValid()
            guard !record.isCompressed else {
                throw .invalidRecord("compressed message at offset \(entry.offset) holds a compressed message")
            }
            guard record.magic == entry.magic else {
                throw .invalidRecord("inner message of magic \(record.magic) in a wrapper of magic \(entry.magic)")
            }
            records.append(record)
        }
        guard let last = records.last else { throw .invalidRecord("compressed message at offset \(entry.offset) is empty") }
        if entry.magic >= 1 {
            let absoluteBase = entry.offset &- last.storedOffset
            for index in records.indices {
                records[index].offset = absoluteBase &+ records[index].storedOffset
                if entry.timestampType == .logAppendTime {
                    records[index].timestamp = entry.timestamp
                    records[index].timestampType = .logAppendTime
                }
            }
        }
        return records
    }

    /// A legacy set read in full: its messages in order, the magic, and the codec of its
    /// wrapper(s) (`.none` when uncompressed).
    public struct Contents: Sendable {
        public var magic: Int8
        public var sourceCompression: CompressionType
        /// Number of top-level entries (wrappers count once).
        public var shallowCount: Int
        public var records: [LegacyRecord]
    }

    /// Reads all messages of `records`. All top-level entries must share one magic.
    public static func read(
        _ records: ByteBuffer,
        decompressionLimit: Int = CompressionCodec.defaultDecompressionLimit
    ) throws(RecordBatchError) -> Contents {
        let shallow = try entries(records)
        guard let first = shallow.first else { throw .invalidRecord("empty legacy message set") }
        var contents = Contents(magic: first.magic, sourceCompression: .none, shallowCount: shallow.count, records: [])
        var budget = decompressionLimit
        for entry in shallow {
            guard entry.magic == first.magic else {
                throw .invalidRecord("message magic \(entry.magic) differs from the first message's \(first.magic)")
            }
            if entry.isCompressed { contents.sourceCompression = try entry.compressionType() }
            let deep = try deepRecords(of: entry, decompressionLimit: budget)
            if entry.isCompressed {
                budget -= deep.reduce(0) { $0 + $1.sizeInBytes }
            }
            contents.records.append(contentsOf: deep)
        }
        return contents
    }

    /// Converts `records` (magic 0 or 1) into one RecordBatch v2 holding the same keys, values and
    /// timestamps (magic 0 has none: `RecordBatch.noTimestamp`) at offsets `baseOffset`,
    /// `baseOffset + 1`, …, compressed with `compression` (nil: the source's codec). No producer
    /// id, no headers. Kafka's up-conversion in `LogValidator`.
    public static func upConvert(
        _ records: ByteBuffer,
        baseOffset: Int64 = 0,
        compression: CompressionType? = nil,
        timestampType: TimestampType = .createTime,
        logAppendTime: Int64 = RecordBatch.noTimestamp,
        partitionLeaderEpoch: Int32 = RecordBatch.noPartitionLeaderEpoch,
        decompressionLimit: Int = CompressionCodec.defaultDecompressionLimit
    ) throws(RecordBatchError) -> MemoryRecords {
        let contents = try read(records, decompressionLimit: decompressionLimit)
        return try build(
            contents.records, baseOffset: baseOffset, compression: compression ?? contents.sourceCompression,
            timestampType: timestampType, logAppendTime: logAppendTime, partitionLeaderEpoch: partitionLeaderEpoch)
    }

    /// Encodes legacy messages as one v2 batch with consecutive offsets from `baseOffset`.
    static func build(
        _ records: [LegacyRecord],
        baseOffset: Int64,
        compression: CompressionType,
        timestampType: TimestampType,
        logAppendTime: Int64,
        partitionLeaderEpoch: Int32
    ) throws(RecordBatchError) -> MemoryRecords {
        var builder = MemoryRecordsBuilder(
            baseOffset: baseOffset, compression: compression, timestampType: timestampType, logAppendTime: logAppendTime,
            partitionLeaderEpoch: partitionLeaderEpoch,
            expectedRecordsSize: records.reduce(0) { $0 + $1.sizeInBytes })
        for record in records {
            builder.append(timestamp: record.timestamp, key: record.key, value: record.value)
        }
        return try builder.buildRecords()
    }

    /// Appends a compressed wrapper holding `messages` (key, value, timestamp) as inner messages
    /// of `magic`: for magic 1 with relative inner offsets and the wrapper at `lastOffset`, for
    /// magic 0 with absolute offsets ending at `lastOffset`. For tests, and for down-conversion.
    public static func writeWrapper(
        messages: [(key: ByteBuffer?, value: ByteBuffer?, timestamp: Int64)],
        magic: Int8,
        compression: CompressionType,
        lastOffset: Int64,
        timestampType: TimestampType = .createTime,
        wrapperTimestamp: Int64? = nil,
        into buffer: inout ByteBuffer
    ) throws(RecordBatchError) {
        var inner = ByteBuffer()
        let firstOffset = magic >= 1 ? 0 : lastOffset - Int64(messages.count) + 1
        for (index, message) in messages.enumerated() {
            LegacyRecord.write(
                offset: firstOffset + Int64(index), magic: magic, timestamp: message.timestamp,
                key: message.key, value: message.value, into: &inner)
        }
        let compressed = try CompressionCodec.compress(inner, with: compression)
        var attributes = Int8(compression.rawValue)
        if magic >= 1 && timestampType == .logAppendTime { attributes |= Int8(TimestampType.attributeMask) }
        let timestamp = wrapperTimestamp ?? messages.map(\.timestamp).max() ?? RecordBatch.noTimestamp
        LegacyRecord.write(
            offset: lastOffset, magic: magic, attributes: attributes, timestamp: timestamp,
            key: nil, value: compressed, into: &buffer)
    }
}
