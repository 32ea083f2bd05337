import NIOCore

/// Variable-length integers of the Kafka protocol, little-endian base-128 (7 bits a byte, the high
/// bit set on every byte but the last):
///
/// - **unsigned varints** (`UNSIGNED_VARINT`): lengths of compact strings, arrays and bytes in
///   flexible versions (stored as length + 1, 0 meaning null) and tagged-field tags and sizes;
/// - **zigzag varints / varlongs** (`VARINT`, `VARLONG`): the fields of records inside a
///   RecordBatch v2, where `n` is stored as `(n << 1) ^ (n >> 31)` (or `>> 63`) so that small
///   negative numbers stay short.
///
/// Readers throw `KafkaProtocolError.truncated` when the buffer ends early and `.malformed` when a
/// varint runs over 5 (or 10) bytes.
extension ByteBuffer {
    @inlinable
    public mutating func writeUnsignedVarint(_ value: UInt32) {
        var remaining = value
        while remaining >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        writeInteger(UInt8(remaining))
    }

    @inlinable
    public mutating func writeUnsignedVarlong(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        writeInteger(UInt8(remaining))
    }

    @inlinable
    public mutating func writeVarint(_ value: Int32) {
        writeUnsignedVarint(UInt32(bitPattern: (value << 1) ^ (value >> 31)))
    }

    @inlinable
    public mutating func writeVarlong(_ value: Int64) {
        writeUnsignedVarlong(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inlinable
    public mutating func readUnsignedVarint() throws(KafkaProtocolError) -> UInt32 {
        var result: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            guard let byte = readInteger(as: UInt8.self) else { throw .truncated("unsigned varint") }
            if shift == 28 && byte > 0x0F { throw .malformed("unsigned varint longer than 5 bytes") }
            result |= UInt32(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    @inlinable
    public mutating func readUnsignedVarlong() throws(KafkaProtocolError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard let byte = readInteger(as: UInt8.self) else { throw .truncated("unsigned varlong") }
            if shift == 63 && byte > 0x01 { throw .malformed("unsigned varlong longer than 10 bytes") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    @inlinable
    public mutating func readVarint() throws(KafkaProtocolError) -> Int32 {
        let raw = try readUnsignedVarint()
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    @inlinable
    public mutating func readVarlong() throws(KafkaProtocolError) -> Int64 {
        let raw = try readUnsignedVarlong()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }
}

/// How many bytes a value takes as a varint, for sizing records before writing them.
public enum VarintSize {
    @inlinable
    public static func unsigned(_ value: UInt64) -> Int {
        var size = 1
        var remaining = value >> 7
        while remaining != 0 {
            size += 1
            remaining >>= 7
        }
        return size
    }

    @inlinable
    public static func zigzag(_ value: Int64) -> Int {
        unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }
}
