import NIOCore

/// Down-conversion of fetched records for clients that cannot read RecordBatch v2 (Fetch v0–v3):
/// the record set of one partition, as read from the log, rewritten as a legacy message set of
/// magic 0 or 1. Kafka's `RecordsUtil.downConvert`, with the legacy write path of its
/// `MemoryRecordsBuilder` and the size rule of its `LazyDownConversionRecords`.
///
/// Each entry of the input, in order, becomes:
///
/// - a **control batch** (transaction marker): nothing — magic 0/1 has no way to carry it;
/// - a **legacy entry** whose magic is at most the target: itself, byte for byte;
/// - an **uncompressed batch** (v2, or a magic 1 message going to magic 0): one message per record
///   at its absolute offset. Records below `firstOffset` are dropped: a consumer that asks for
///   offset 105 of a batch holding 100–109 gets 105–109 (some librdkafka versions rely on it);
/// - a **compressed batch**: one wrapper message with the batch's codec, holding every record of
///   the batch (those below `firstOffset` too: the client skips them). Magic 1 inner messages carry
///   offsets relative to the first record (0, 1, … unless compaction left gaps) and the wrapper the
///   absolute offset of the last record; magic 0 inner messages carry absolute offsets. A magic 0
///   LZ4 wrapper gets the pre-KIP-57 frame header checksum, as Kafka writes it;
/// - a **partial batch** at the end (a fetch reads up to a byte limit, not a batch boundary):
///   nothing.
///
/// Timestamps (magic 1 only; magic 0 has none): CreateTime messages keep the record's; with
/// LogAppendTime every message, inner or not, carries the batch's append time (its maxTimestamp)
/// and the LogAppendTime attribute bit. A wrapper carries the largest inner timestamp. Record
/// headers, producer ids, sequences and leader epochs have no legacy form and are dropped.
///
/// **Failures.** zstd cannot be expressed below magic 2. When a batch cannot be converted (zstd,
/// corrupt bytes), and nothing has been converted before it, the error is thrown — for zstd
/// `.unsupportedCompressionType`, which the partition reports as UNSUPPORTED_COMPRESSION_TYPE;
/// when something has, the output ends before that batch, and the client meets the error when it
/// fetches from there. That is what Kafka's lazy, chunked conversion does.
///
/// **Size.** The output is capped at the larger of the input's size and the size of what the
/// first converted batch became: the first batch always goes out whole (so a consumer always
/// progresses), and the response is never larger than what the fetch accounted for otherwise.
/// Messages past the cap are left out (at a message boundary; Kafka cuts the last one short, which
/// old clients ignore as a partial message).
///
/// **Memory.** Down-conversion needs the records in memory — the input, the decompressed records
/// of one batch at a time, and the output — so fetches of old clients are not zero copy. Kafka
/// too reads records into the heap to down-convert them.
public enum RecordsDownConverter {
    /// The result of a down-conversion.
    public struct ConvertedRecords: Sendable {
        /// The legacy message set (magic 0 or 1 top-level entries).
        public var records: ByteBuffer
        /// Records re-encoded (Kafka's `RecordConversionStats.numRecordsConverted`); legacy entries
        /// copied as they are do not count.
        public var recordsConverted: Int
    }

    /// Converts `records` (a record set read from a log: v2 batches, maybe legacy entries, maybe a
    /// partial batch at the end) into magic `toMagic` (0 or 1) for a fetch from `firstOffset`.
    public static func downConvert(
        _ records: ByteBuffer,
        toMagic: Int8,
        firstOffset: Int64,
        decompressionLimit: Int = CompressionCodec.defaultDecompressionLimit
    ) throws(RecordBatchError) -> ConvertedRecords {
        guard toMagic == 0 || toMagic == 1 else { throw .unsupportedMagic(toMagic) }
        var writer = LegacyWriter(magic: toMagic, limit: records.readableBytes)
        var input = records
        while !writer.isFull {
            writer.beginBatch()
            do throws(RecordBatchError) {
                guard let entry = try nextEntry(&input) else { break }
                try writer.append(entry, firstOffset: firstOffset, decompressionLimit: decompressionLimit)
            } catch {
                guard writer.isEmpty else { break }
                throw error
            }
            writer.endBatch()
        }
        return ConvertedRecords(records: writer.buffer, recordsConverted: writer.recordsConverted)
    }

    /// One top-level entry of a record set.
    enum Entry {
        case batch(RecordBatch)
        case legacy(LegacyRecord)
    }

    /// Reads the entry at the reader index of `input` and moves past it; nil at the end of the
    /// set or before a partial entry. Every entry starts `offset int64, size int32` and has its
    /// magic at byte 16, whatever its format.
    static func nextEntry(_ input: inout ByteBuffer) throws(RecordBatchError) -> Entry? {
        let start = input.readerIndex
        guard let length: Int32 = input.getInteger(at: start + RecordBatch.batchLengthOffset) else { return nil }
        guard length >= Int32(LegacyRecord.minimumSizeV0) else {
            throw .corruptMessage("entry size \(length) is smaller than the minimum \(LegacyRecord.minimumSizeV0)")
        }
        let size = Int(length) + RecordBatch.logOverhead
        guard input.readableBytes >= size, let magic: Int8 = input.getInteger(at: start + RecordBatch.magicOffset) else {
            return nil
        }
        switch magic {
        case RecordBatch.currentMagic:
            let slice = input.readSlice(length: size) ?? ByteBuffer()
            return .batch(try RecordBatch(slice))
        case 0, 1:
            return .legacy(try LegacyRecord.read(from: &input))
        default:
            throw .unsupportedMagic(magic)
        }
    }
}

/// What a legacy message is made of, whatever record it comes from.
private struct LegacyMessageContent {
    var offset: Int64
    var timestamp: Int64
    var key: ByteBuffer?
    var value: ByteBuffer?

    init(_ record: DefaultRecord) {
        self.init(offset: record.offset, timestamp: record.timestamp, key: record.key, value: record.value)
    }

    init(_ record: LegacyRecord) {
        self.init(offset: record.offset, timestamp: record.timestamp, key: record.key, value: record.value)
    }

    init(offset: Int64, timestamp: Int64, key: ByteBuffer?, value: ByteBuffer?) {
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
    }
}

/// The output of a down-conversion: legacy messages of one magic, appended within a size cap.
///
/// Batches go in one at a time between `beginBatch` and `endBatch`. The first batch that writes
/// anything is exempt from the cap and raises it to its own size; after it, the first message
/// that would pass the cap makes the writer full, and nothing more is written.
private struct LegacyWriter {
    let magic: Int8
    private(set) var buffer: ByteBuffer
    private var limit: Int
    private(set) var recordsConverted = 0
    private(set) var isFull = false
    /// The batch being written is the first to write anything.
    private var isExempt = false

    init(magic: Int8, limit: Int) {
        self.magic = magic
        self.limit = limit
        buffer = ByteBufferAllocator().buffer(capacity: limit + limit / 2)
    }

    var isEmpty: Bool { buffer.readableBytes == 0 }

    mutating func beginBatch() { isExempt = isEmpty }

    mutating func endBatch() {
        if isExempt { limit = max(limit, buffer.readableBytes) }
    }

    /// Whether a message of `size` bytes may be appended; when not, the writer is full.
    private mutating func reserve(_ size: Int) -> Bool {
        guard !isFull else { return false }
        if isExempt || buffer.readableBytes + size <= limit { return true }
        isFull = true
        return false
    }

    /// Size of an encoded message, log overhead included.
    private func messageSize(key: ByteBuffer?, value: ByteBuffer?) -> Int {
        RecordBatch.logOverhead + (magic == 0 ? LegacyRecord.minimumSizeV0 : LegacyRecord.minimumSizeV1)
            + (key?.readableBytes ?? 0) + (value?.readableBytes ?? 0)
    }

    mutating func append(
        _ entry: RecordsDownConverter.Entry,
        firstOffset: Int64,
        decompressionLimit: Int
    ) throws(RecordBatchError) {
        switch entry {
        case .batch(let batch):
            guard !batch.isControlBatch else { return }
            guard let codec = batch.compressionType, codec.minimumMagic <= magic else {
                throw .unsupportedCompressionType(batch.compressionId)
            }
            var records = try batch.records(decompressionLimit: decompressionLimit)
            var messages: [LegacyMessageContent] = []
            while let record = try records.next() {
                if codec != .none || record.offset >= firstOffset { messages.append(LegacyMessageContent(record)) }
            }
            let logAppendTime = batch.timestampType == .logAppendTime ? batch.maxTimestamp : nil
            try append(messages, compression: codec, logAppendTime: logAppendTime)
        case .legacy(let message) where message.magic <= magic:
            guard reserve(message.sizeInBytes) else { return }
            var bytes = message.bytes
            buffer.writeBuffer(&bytes)
        case .legacy(let message):
            let codec = try message.compressionType()
            var messages: [LegacyMessageContent]
            if codec == .none {
                messages = message.offset >= firstOffset ? [LegacyMessageContent(message)] : []
            } else {
                messages = try LegacyMessageSet.deepRecords(of: message, decompressionLimit: decompressionLimit)
                    .map(LegacyMessageContent.init)
            }
            let logAppendTime = message.timestampType == .logAppendTime ? message.timestamp : nil
            try append(messages, compression: codec, logAppendTime: logAppendTime)
        }
    }

    /// Appends the records of one source batch: one message each when uncompressed, else one
    /// wrapper. `logAppendTime` is the batch's append time when it is LogAppendTime.
    private mutating func append(
        _ messages: [LegacyMessageContent],
        compression: CompressionType,
        logAppendTime: Int64?
    ) throws(RecordBatchError) {
        guard let first = messages.first, let last = messages.last else { return }
        // Magic 0 has no timestamp type: its attributes hold the codec only.
        let timestampBits: Int8 = magic >= 1 && logAppendTime != nil ? Int8(TimestampType.attributeMask) : 0
        if compression == .none {
            for message in messages {
                guard reserve(messageSize(key: message.key, value: message.value)) else { return }
                LegacyRecord.write(
                    offset: message.offset, magic: magic, attributes: timestampBits,
                    timestamp: logAppendTime ?? message.timestamp, key: message.key, value: message.value, into: &buffer)
                recordsConverted += 1
            }
            return
        }
        var inner = ByteBufferAllocator().buffer(capacity: messages.reduce(0) { $0 + messageSize(key: $1.key, value: $1.value) })
        var maxTimestamp = RecordBatch.noTimestamp
        for message in messages {
            let timestamp = logAppendTime ?? message.timestamp
            maxTimestamp = max(maxTimestamp, timestamp)
            LegacyRecord.write(
                offset: magic >= 1 ? message.offset &- first.offset : message.offset, magic: magic,
                attributes: timestampBits, timestamp: timestamp, key: message.key, value: message.value, into: &inner)
        }
        let compressed = try CompressionCodec.compress(inner, with: compression, magic: magic)
        guard reserve(messageSize(key: nil, value: compressed)) else { return }
        LegacyRecord.write(
            offset: last.offset, magic: magic, attributes: Int8(compression.rawValue) | timestampBits,
            timestamp: logAppendTime ?? maxTimestamp, key: nil, value: compressed, into: &buffer)
        recordsConverted += messages.count
    }
}
