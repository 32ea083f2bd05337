import CCRC32C
import CKafkaCompression
import NIOCore

/// CRC-32C (Castagnoli), the checksum of RecordBatch v2: it covers the batch from its attributes
/// field (byte 21) to the end, so that a broker may rewrite `baseOffset` and
/// `partitionLeaderEpoch` without recomputing it. Kafka's `Crc32C`.
///
/// Backed by `CCRC32C`: the CPU's CRC32C instruction where there is one (SSE4.2, ARMv8 CRC), a
/// slicing-by-8 table otherwise. Check value: "123456789" → 0xE3069283.
public enum CRC32C {
    /// The checksum of `bytes`.
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        extend(0, bytes)
    }

    /// Continues `crc` (the checksum of earlier bytes, 0 for none) over `bytes`.
    @inlinable
    public static func extend(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return ccrc32c_extend(crc, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    /// The checksum of a buffer's bytes, read in place.
    @inlinable
    public static func checksum(_ view: ByteBufferView) -> UInt32 {
        view.withUnsafeBytes { checksum($0) }
    }

    /// The checksum of `length` bytes of `buffer` starting at `index`, or nil when that range is
    /// not readable.
    @inlinable
    public static func checksum(_ buffer: ByteBuffer, at index: Int, length: Int) -> UInt32? {
        guard length >= 0, index >= buffer.readerIndex, index <= buffer.writerIndex - length else { return nil }
        return buffer.withUnsafeReadableBytes { bytes in
            checksum(UnsafeRawBufferPointer(rebasing: bytes[(index - buffer.readerIndex)...].prefix(length)))
        }
    }

    /// The checksum computed with the portable tables, whatever the CPU: for tests and benchmarks.
    public static func tableChecksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        return ccrc32c_extend_table(0, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    /// True when `checksum` uses the CPU's CRC32C instruction.
    public static var isHardwareAccelerated: Bool { ccrc32c_is_hardware_accelerated() != 0 }
}

/// CRC-32 (IEEE 802.3, zlib's), the checksum of legacy (magic 0 and 1) messages: it covers a
/// message from its magic byte to the end of its value. Computed by zlib's `crc32`.
public enum CRC32 {
    /// The checksum of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        extend(0, bytes)
    }

    /// Continues `crc` over `bytes` (zlib takes at most 4 GiB a call; lengths here are int32).
    public static func extend(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        var value = UInt(crc)
        var offset = 0
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, Int(UInt32.max))
            value = crc32(value, base.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(chunk))
            offset += chunk
        }
        return UInt32(truncatingIfNeeded: value)
    }

    /// The checksum of `length` bytes of `buffer` starting at `index`, or nil when that range is
    /// not readable.
    public static func checksum(_ buffer: ByteBuffer, at index: Int, length: Int) -> UInt32? {
        guard length >= 0, index >= buffer.readerIndex, index <= buffer.writerIndex - length else { return nil }
        return buffer.withUnsafeReadableBytes { bytes in
            checksum(UnsafeRawBufferPointer(rebasing: bytes[(index - buffer.readerIndex)...].prefix(length)))
        }
    }
}
