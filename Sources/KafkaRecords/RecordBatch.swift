import NIOCore

/// A RecordBatch v2 (magic 2): a read-only **view** over the bytes of one batch, as it travels in a
/// Produce request, sits in a `.log` segment and goes out in a Fetch response. Kafka's
/// `DefaultRecordBatch`.
///
/// Wire and disk format (big-endian, 61-byte header, then the records):
///
/// | offset | field                | type   | notes |
/// |-------:|----------------------|--------|-------|
/// |  0     | baseOffset           | int64  | offset of the first record; set by the leader |
/// |  8     | batchLength          | int32  | bytes after this field: total size − 12 |
/// | 12     | partitionLeaderEpoch | int32  | set by the leader; −1 from producers |
/// | 16     | magic                | int8   | 2 |
/// | 17     | crc                  | uint32 | CRC-32C of bytes 21 … end |
/// | 21     | attributes           | int16  | bits 0–2 compression, 3 timestamp type, 4 transactional, 5 control |
/// | 23     | lastOffsetDelta      | int32  | offset of the last record − baseOffset |
/// | 27     | baseTimestamp        | int64  | Kafka's `firstTimestamp`; record timestamps are deltas from it |
/// | 35     | maxTimestamp         | int64  | largest record timestamp, or the append time (LogAppendTime) |
/// | 43     | producerId           | int64  | −1 without idempotence |
/// | 51     | producerEpoch        | int16  | |
/// | 53     | baseSequence         | int32  | −1 without idempotence |
/// | 57     | recordCount          | int32  | |
/// | 61     | records              | …      | `DefaultRecord`s, compressed as a whole when bits 0–2 ≠ 0 |
///
/// Invariants of a value of this type: `bytes` holds exactly one batch (`batchLength + 12` bytes,
/// at least 61) and its magic is 2. Nothing else is trusted until `ensureValid()` (the checksum)
/// and `records()` (the record structure) say so. The CRC does not cover baseOffset,
/// partitionLeaderEpoch and magic, so a leader assigns offsets and epochs without recomputing it.
///
/// `bytes` is a slice sharing storage with the buffer it came from: creating the view copies
/// nothing. Mutations go through `MemoryRecords`, which owns the record set.
public struct RecordBatch: Sendable {
    public static let currentMagic: Int8 = 2
    /// Size of the header before the first record (Kafka's RECORD_BATCH_OVERHEAD).
    public static let headerSize = 61
    /// baseOffset + batchLength: the bytes not counted by batchLength (Kafka's LOG_OVERHEAD).
    public static let logOverhead = 12
    public static let noTimestamp: Int64 = -1
    public static let noProducerId: Int64 = -1
    public static let noProducerEpoch: Int16 = -1
    public static let noSequence: Int32 = -1
    public static let noPartitionLeaderEpoch: Int32 = -1

    // Field offsets within the batch.
    static let batchLengthOffset = 8
    static let partitionLeaderEpochOffset = 12
    static let magicOffset = 16
    static let crcOffset = 17
    static let attributesOffset = 21
    static let lastOffsetDeltaOffset = 23
    static let baseTimestampOffset = 27
    static let maxTimestampOffset = 35
    static let producerIdOffset = 43
    static let producerEpochOffset = 51
    static let baseSequenceOffset = 53
    static let recordCountOffset = 57

    static let transactionalFlag: Int16 = 0x10
    static let controlFlag: Int16 = 0x20

    /// The batch's bytes, exactly `sizeInBytes` of them (readable bytes of the slice).
    public let bytes: ByteBuffer
    /// Where the batch starts within the record set it was found in (0 for a standalone batch).
    public let position: Int

    /// Views `bytes` as one batch, checking only what makes the view safe to read: at least 61
    /// bytes, magic 2, and a batchLength that matches the buffer. The checksum is not checked.
    public init(_ bytes: ByteBuffer) throws(RecordBatchError) {
        try self.init(bytes, position: 0)
    }

    init(_ bytes: ByteBuffer, position: Int) throws(RecordBatchError) {
        guard bytes.readableBytes >= Self.headerSize else {
            throw .corruptMessage("record batch of \(bytes.readableBytes) bytes is shorter than its 61-byte header")
        }
        let magic: Int8 = bytes.getInteger(at: bytes.readerIndex + Self.magicOffset) ?? -1
        guard magic == Self.currentMagic else { throw .unsupportedMagic(magic) }
        let length: Int32 = bytes.getInteger(at: bytes.readerIndex + Self.batchLengthOffset) ?? -1
        guard Int(length) + Self.logOverhead == bytes.readableBytes else {
            throw .corruptMessage("batchLength \(length) does not match the \(bytes.readableBytes) bytes of the batch")
        }
        self.bytes = bytes
        self.position = position
    }

    /// Reads a header field; the initialiser guarantees the 61 header bytes exist.
    @inline(__always)
    func field<T: FixedWidthInteger>(_ offset: Int, as type: T.Type = T.self) -> T {
        bytes.getInteger(at: bytes.readerIndex + offset, as: T.self) ?? 0
    }

    // MARK: Header fields

    public var baseOffset: Int64 { field(0) }
    public var batchLength: Int32 { field(Self.batchLengthOffset) }
    public var partitionLeaderEpoch: Int32 { field(Self.partitionLeaderEpochOffset) }
    public var magic: Int8 { field(Self.magicOffset) }
    /// The CRC stored in the header.
    public var storedChecksum: UInt32 { field(Self.crcOffset) }
    public var attributes: Int16 { field(Self.attributesOffset) }
    public var lastOffsetDelta: Int32 { field(Self.lastOffsetDeltaOffset) }
    /// Kafka's `firstTimestamp`: the timestamp record deltas are relative to.
    public var baseTimestamp: Int64 { field(Self.baseTimestampOffset) }
    public var maxTimestamp: Int64 { field(Self.maxTimestampOffset) }
    public var producerId: Int64 { field(Self.producerIdOffset) }
    public var producerEpoch: Int16 { field(Self.producerEpochOffset) }
    public var baseSequence: Int32 { field(Self.baseSequenceOffset) }
    public var recordCount: Int32 { field(Self.recordCountOffset) }

    // MARK: Derived

    /// Total size, header included.
    public var sizeInBytes: Int { bytes.readableBytes }
    /// Offset of the last record (the batch keeps it even when compaction removed that record).
    public var lastOffset: Int64 { baseOffset &+ Int64(lastOffsetDelta) }
    public var nextOffset: Int64 { lastOffset &+ 1 }
    /// The codec id in bits 0–2 (5–7 name no codec).
    public var compressionId: Int { Int(attributes & CompressionType.attributeMask) }
    /// The codec, or nil when bits 0–2 hold 5, 6 or 7.
    public var compressionType: CompressionType? { CompressionType(id: compressionId) }
    public var timestampType: TimestampType {
        attributes & TimestampType.attributeMask != 0 ? .logAppendTime : .createTime
    }
    public var isTransactional: Bool { attributes & Self.transactionalFlag != 0 }
    public var isControlBatch: Bool { attributes & Self.controlFlag != 0 }
    public var hasProducerId: Bool { producerId > Self.noProducerId }
    /// Sequence number of the last record: baseSequence + lastOffsetDelta, wrapping from
    /// Int32.max to 0 as producers do.
    public var lastSequence: Int32 {
        let base = baseSequence
        guard base != Self.noSequence else { return Self.noSequence }
        let delta = lastOffsetDelta
        return base > Int32.max &- delta ? delta &- (Int32.max &- base) &- 1 : base &+ delta
    }

    /// The records section (compressed or not): a slice, no copy.
    public var recordsSection: ByteBuffer {
        bytes.getSlice(at: bytes.readerIndex + Self.headerSize, length: bytes.readableBytes - Self.headerSize) ?? ByteBuffer()
    }

    // MARK: Validation

    /// The CRC-32C of bytes 21 … end, as it should be stored.
    public func computeChecksum() -> UInt32 {
        CRC32C.checksum(bytes, at: bytes.readerIndex + Self.attributesOffset, length: sizeInBytes - Self.attributesOffset) ?? 0
    }

    public var isChecksumValid: Bool { storedChecksum == computeChecksum() }

    /// Kafka's `ensureValid`: throws CORRUPT_MESSAGE when the stored CRC does not match the bytes.
    public func ensureValid() throws(RecordBatchError) {
        let computed = computeChecksum()
        guard computed == storedChecksum else {
            throw .corruptMessage(
                "record batch at offset \(baseOffset) is corrupt (stored crc 0x\(String(storedChecksum, radix: 16)), computed 0x\(String(computed, radix: 16)))"
            )
        }
    }

    // MARK: Records

    /// The records section decompressed (or, when uncompressed, a slice of it), at most `limit`
    /// bytes after decompression.
    public func uncompressedRecordsSection(limit: Int = CompressionCodec.defaultDecompressionLimit) throws(RecordBatchError) -> ByteBuffer {
        guard let type = compressionType else { throw .unsupportedCompressionType(compressionId) }
        let section = recordsSection
        if type == .none { return section }
        return try CompressionCodec.decompress(section, with: type, limit: limit)
    }

    /// An iterator over the batch's records, decoding each on demand. Decompresses first when
    /// the batch is compressed (bounded by `decompressionLimit`).
    public func records(decompressionLimit: Int = CompressionCodec.defaultDecompressionLimit) throws(RecordBatchError) -> DefaultRecordIterator {
        let count = recordCount
        guard count >= 0 else { throw .corruptMessage("negative record count \(count)") }
        return DefaultRecordIterator(
            buffer: try uncompressedRecordsSection(limit: decompressionLimit),
            count: Int(count),
            baseOffset: baseOffset,
            baseTimestamp: baseTimestamp,
            logAppendTime: timestampType == .logAppendTime ? maxTimestamp : nil)
    }

    /// All records, decoded and structurally checked (count, sizes, nothing left over).
    public func decodeRecords(decompressionLimit: Int = CompressionCodec.defaultDecompressionLimit) throws(RecordBatchError) -> [DefaultRecord] {
        var iterator = try records(decompressionLimit: decompressionLimit)
        var result: [DefaultRecord] = []
        result.reserveCapacity(min(Int(recordCount), 4096))
        while let record = try iterator.next() { result.append(record) }
        return result
    }
}

extension RecordBatch: CustomStringConvertible {
    public var description: String {
        "RecordBatch(baseOffset: \(baseOffset), lastOffset: \(lastOffset), count: \(recordCount), "
            + "compression: \(compressionType?.name ?? "id \(compressionId)"), \(timestampType), "
            + "maxTimestamp: \(maxTimestamp), producerId: \(producerId), producerEpoch: \(producerEpoch), "
            + "baseSequence: \(baseSequence), transactional: \(isTransactional), control: \(isControlBatch), "
            + "partitionLeaderEpoch: \(partitionLeaderEpoch), size: \(sizeInBytes))"
    }
}
