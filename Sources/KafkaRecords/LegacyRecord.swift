import NIOCore

/// A message of the legacy formats, magic 0 (Kafka 0.8–0.9) and magic 1 (0.10, with a
/// timestamp), as old producers still send them (Produce v0–v2). Kafka's `LegacyRecord` together
/// with the log overhead of its `AbstractLegacyRecordBatch`.
///
/// Format (big-endian):
///
/// ```
/// offset      int64    log overhead: absolute offset (for an inner message of a magic 1
/// size        int32    wrapper, the offset relative to the wrapper's first message)
/// crc         uint32   CRC-32 (IEEE, zlib's) of magic … end of value
/// magic       int8     0 or 1
/// attributes  int8     bits 0–2 compression (none, gzip, snappy, lz4; no zstd),
///                      bit 3 timestamp type (magic 1 only)
/// timestamp   int64    magic 1 only
/// key         int32 length (−1 null) + bytes
/// value       int32 length (−1 null) + bytes
/// ```
///
/// A compressed message is a **wrapper**: key null, value = the compressed bytes of an inner
/// message set of uncompressed messages of the same magic. With magic 1 the wrapper's offset is
/// that of its last inner message, and the inner offsets are relative (0, 1, …); with magic 0 the
/// inner offsets are absolute. With magic 1 and LogAppendTime, the wrapper's timestamp stands for
/// every inner message.
///
/// Key and value are slices of the input; nothing is copied.
public struct LegacyRecord: Sendable {
    /// Smallest message after the log overhead: crc, magic, attributes, two lengths.
    public static let minimumSizeV0 = 14
    /// Same, with the timestamp.
    public static let minimumSizeV1 = 22
    /// Offset of the crc within the entry.
    static let crcOffset = 12
    /// Offset of the magic within the entry (the CRC covers from here).
    static let magicOffset = 16

    /// The offset this record has in the set it came from: the stored offset for a top-level
    /// entry; the absolute offset (wrapper's offset resolved) for an inner message.
    public internal(set) var offset: Int64
    /// The offset field as stored (relative inside a magic 1 wrapper).
    public let storedOffset: Int64
    public let magic: Int8
    public let attributes: Int8
    /// The record's timestamp: the stored one, or the wrapper's for an inner message of a
    /// LogAppendTime wrapper; `RecordBatch.noTimestamp` for magic 0.
    public internal(set) var timestamp: Int64
    /// CreateTime or LogAppendTime (magic 1, inherited from a LogAppendTime wrapper), or
    /// noTimestampType (magic 0).
    public internal(set) var timestampType: TimestampType
    public let storedChecksum: UInt32
    public let key: ByteBuffer?
    public let value: ByteBuffer?
    /// The entry's bytes, log overhead included.
    public let bytes: ByteBuffer

    public var sizeInBytes: Int { bytes.readableBytes }
    public var compressionId: Int { Int(attributes & 0x07) }
    public var isCompressed: Bool { compressionId != 0 }
    public var hasKey: Bool { key != nil }

    /// The codec of a wrapper; throws for ids that magic 0/1 cannot carry (zstd and 5–7).
    public func compressionType() throws(RecordBatchError) -> CompressionType {
        guard let type = CompressionType(id: compressionId), type.minimumMagic <= magic else {
            throw .unsupportedCompressionType(compressionId)
        }
        return type
    }

    /// CRC-32 of magic … end.
    public func computeChecksum() -> UInt32 {
        CRC32.checksum(bytes, at: bytes.readerIndex + Self.magicOffset, length: sizeInBytes - Self.magicOffset) ?? 0
    }

    public var isChecksumValid: Bool { storedChecksum == computeChecksum() }

    /// Throws CORRUPT_MESSAGE when the stored CRC does not match.
    public func ensureValid() throws(RecordBatchError) {
        let computed = computeChecksum()
        guard computed == storedChecksum else {
            throw .corruptMessage(
                "message at offset \(offset) is corrupt (stored crc 0x\(String(storedChecksum, radix: 16)), computed 0x\(String(computed, radix: 16)))"
            )
        }
    }

    /// Decodes the entry at the reader index of `buffer` (which must hold all of it) and moves
    /// past it. Checks the structure, not the CRC.
    static func read(from buffer: inout ByteBuffer) throws(RecordBatchError) -> LegacyRecord {
        guard let offset: Int64 = buffer.getInteger(at: buffer.readerIndex),
              let size: Int32 = buffer.getInteger(at: buffer.readerIndex + 8)
        else { throw .corruptMessage("legacy message shorter than its 12-byte log overhead") }
        guard size >= Int32(minimumSizeV0) else { throw .corruptMessage("legacy message size \(size) below the minimum") }
        guard let entry = buffer.readSlice(length: Int(size) + RecordBatch.logOverhead) else {
            throw .corruptMessage("legacy message of \(size) bytes is truncated")
        }
        var body = entry.getSlice(at: entry.readerIndex + crcOffset, length: Int(size)) ?? ByteBuffer()
        guard let crc: UInt32 = body.readInteger(), let magic: Int8 = body.readInteger(),
              let attributes: Int8 = body.readInteger()
        else { throw .corruptMessage("legacy message header") }
        var timestamp = RecordBatch.noTimestamp
        var timestampType = TimestampType.noTimestampType
        switch magic {
        case 0: break
        case 1:
            guard Int(size) >= minimumSizeV1, let stored: Int64 = body.readInteger() else {
                throw .corruptMessage("magic 1 message size \(size) below the minimum")
            }
            timestamp = stored
            timestampType = Int16(attributes) & TimestampType.attributeMask != 0 ? .logAppendTime : .createTime
        default:
            throw .unsupportedMagic(magic)
        }
        let key = try readBytes(&body, field: "key")
        let value = try readBytes(&body, field: "value")
        guard body.readableBytes == 0 else {
            throw .corruptMessage("legacy message declares \(size) bytes but its fields end \(body.readableBytes) bytes earlier")
        }
        return LegacyRecord(
            offset: offset, storedOffset: offset, magic: magic, attributes: attributes, timestamp: timestamp,
            timestampType: timestampType, storedChecksum: crc, key: key, value: value, bytes: entry)
    }

    private static func readBytes(_ body: inout ByteBuffer, field: String) throws(RecordBatchError) -> ByteBuffer? {
        guard let length: Int32 = body.readInteger() else { throw .corruptMessage("legacy message \(field) length") }
        if length == -1 { return nil }
        guard length >= 0, let slice = body.readSlice(length: Int(length)) else {
            throw .corruptMessage("legacy message \(field) of length \(length) overruns the message")
        }
        return slice
    }

    /// Appends one encoded message, CRC included. `timestamp` is written for magic 1 only.
    public static func write(
        offset: Int64,
        magic: Int8,
        attributes: Int8 = 0,
        timestamp: Int64 = RecordBatch.noTimestamp,
        key: ByteBuffer?,
        value: ByteBuffer?,
        into buffer: inout ByteBuffer
    ) {
        let start = buffer.writerIndex
        buffer.writeInteger(offset)
        buffer.writeInteger(Int32(0))  // size, set below
        buffer.writeInteger(UInt32(0))  // crc, set below
        buffer.writeInteger(magic)
        buffer.writeInteger(attributes)
        if magic >= 1 { buffer.writeInteger(timestamp) }
        for field in [key, value] {
            if var bytes = field {
                buffer.writeInteger(Int32(bytes.readableBytes))
                buffer.writeBuffer(&bytes)
            } else {
                buffer.writeInteger(Int32(-1))
            }
        }
        let size = buffer.writerIndex - start - RecordBatch.logOverhead
        buffer.setInteger(Int32(size), at: start + 8)
        let crc = CRC32.checksum(buffer, at: start + magicOffset, length: size - 4) ?? 0
        buffer.setInteger(crc, at: start + crcOffset)
    }
}
