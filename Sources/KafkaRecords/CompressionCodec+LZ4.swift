import CKafkaCompression
import NIOCore

/// LZ4 as Kafka uses it: the LZ4 **frame** format (not raw blocks), read and written with liblz4's
/// `LZ4F_*` API.
///
/// ```
/// magic 0x184D2204 (little-endian)
/// FLG  (version 01, block independence, block checksum, content size, content checksum, dict id)
/// BD   (maximum block size: 4 = 64 KiB … 7 = 4 MiB)
/// [content size: 8 bytes if FLG bit 3] [dictionary id: 4 bytes if FLG bit 0]
/// HC   header checksum: (XXH32(FLG … last descriptor byte, seed 0) >> 8) & 0xFF
/// blocks: int32 size (high bit = stored uncompressed), data, [block checksum]; int32 0 ends
/// [content checksum]
/// ```
///
/// Kafka before 0.10 computed HC over the magic bytes too (KIP-57). Kafka reads magic 0 messages
/// ignoring HC and checks it for magic ≥ 1. Here a frame whose HC equals the pre-KIP-57 value is
/// accepted as well (cheaply: the corrected header, a few bytes, is fed to liblz4 first), and
/// `ignoreHeaderChecksum` accepts any HC.
extension CompressionCodec {
    static let lz4FrameMagic: UInt32 = 0x184D_2204

    static func lz4Compress(_ input: UnsafeRawBufferPointer, into output: inout ByteBuffer) throws(RecordBatchError) {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockSizeID = LZ4F_max64KB
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        let bound = LZ4F_compressFrameBound(input.count, &preferences)
        var result = 0
        withUnsafeBytes(of: UInt8(0)) { placeholder in
            let source = input.baseAddress ?? placeholder.baseAddress
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { region in
                result = LZ4F_compressFrame(region.baseAddress, region.count, source, input.count, &preferences)
                return LZ4F_isError(result) != 0 ? 0 : result
            }
        }
        if LZ4F_isError(result) != 0 {
            throw .corruptMessage("lz4: \(String(cString: LZ4F_getErrorName(result)))")
        }
    }

    /// Rewrites the header checksum (HC) of the LZ4 frame starting at the reader index of `frame`
    /// to the pre-KIP-57 value: the hash taken from the frame's magic bytes on, not from FLG.
    /// Kafka writes LZ4 wrappers of magic 0 messages this way (its `KafkaLZ4BlockOutputStream`
    /// with the broken-checksum flag) because the pre-0.10 clients that read magic 0 check that
    /// value; later clients ignore HC for magic 0.
    static func lz4UsePreKIP57HeaderChecksum(_ frame: inout ByteBuffer) {
        let start = frame.readerIndex
        guard frame.readableBytes >= 7,
              frame.getInteger(at: start, endianness: .little, as: UInt32.self) == lz4FrameMagic,
              let flags: UInt8 = frame.getInteger(at: start + 4)
        else { return }
        var descriptorEnd = 6
        if flags & 0x08 != 0 { descriptorEnd += 8 }  // content size
        if flags & 0x01 != 0 { descriptorEnd += 4 }  // dictionary id
        guard frame.readableBytes > descriptorEnd else { return }
        let checksum = frame.withUnsafeReadableBytes { bytes in
            UInt8(truncatingIfNeeded: XXHash32.hash(UnsafeRawBufferPointer(rebasing: bytes[0..<descriptorEnd])) >> 8)
        }
        frame.setInteger(checksum, at: start + descriptorEnd)
    }

    static func lz4Decompress(
        _ input: UnsafeRawBufferPointer,
        into output: inout BoundedOutput,
        ignoreHeaderChecksum: Bool
    ) throws(RecordBatchError) {
        var contextPointer: OpaquePointer?
        guard LZ4F_isError(LZ4F_createDecompressionContext(&contextPointer, UInt32(LZ4F_VERSION))) == 0,
              let context = contextPointer
        else { throw .corruptMessage("lz4: cannot create a context") }
        defer { LZ4F_freeDecompressionContext(context) }

        var offset = 0
        if let header = try lz4CorrectedHeader(input, ignoreHeaderChecksum: ignoreHeaderChecksum) {
            // Feed the repaired header; liblz4 keeps the frame state and then reads the blocks
            // from the original bytes.
            let consumed = header.withUnsafeBytes { headerBytes in
                var sourceSize = headerBytes.count
                var targetSize = 0
                var scratch: UInt8 = 0
                let result = LZ4F_decompress(context, &scratch, &targetSize, headerBytes.baseAddress, &sourceSize, nil)
                return LZ4F_isError(result) != 0 ? -1 : sourceSize
            }
            guard consumed == header.count else { throw .corruptMessage("lz4: invalid frame header") }
            offset = header.count
        }
        while true {
            let remaining = input.count - offset
            var hint = 0
            var consumed = 0
            let (written, offered) = try output.append { region in
                var sourceSize = remaining
                var targetSize = region.count
                hint = LZ4F_decompress(context, region.baseAddress, &targetSize, input.baseAddress?.advanced(by: offset), &sourceSize, nil)
                if LZ4F_isError(hint) != 0 { return 0 }
                consumed = sourceSize
                return targetSize
            }
            if LZ4F_isError(hint) != 0 {
                throw .corruptMessage("lz4: \(String(cString: LZ4F_getErrorName(hint)))")
            }
            offset += consumed
            if hint == 0 {
                // Frame complete. Kafka's reader stops at the end mark; another frame (or a
                // skippable frame) after it is decoded, anything else ignored.
                guard input.count - offset >= 4 else { return }
                let magic = readLittleEndian32(input, at: offset)
                guard magic == lz4FrameMagic || magic & 0xFFFF_FFF0 == 0x184D_2A50 else { return }
                continue
            }
            if offset == input.count && written < offered { throw .corruptMessage("lz4: frame truncated") }
            if consumed == 0 && written == 0 { throw .corruptMessage("lz4: no progress") }
        }
    }

    /// The frame's header with a corrected HC byte when the input carries the pre-KIP-57 checksum
    /// (or any checksum, with `ignoreHeaderChecksum`); nil when the header may be fed as it is
    /// (correct checksum, or not an LZ4 frame header at all: liblz4 then reports the error).
    static func lz4CorrectedHeader(_ input: UnsafeRawBufferPointer, ignoreHeaderChecksum: Bool) throws(RecordBatchError) -> [UInt8]? {
        guard input.count >= 7, readLittleEndian32(input, at: 0) == lz4FrameMagic else { return nil }
        let flags = input[4]
        var descriptorEnd = 6
        if flags & 0x08 != 0 { descriptorEnd += 8 }  // content size
        if flags & 0x01 != 0 { descriptorEnd += 4 }  // dictionary id
        guard input.count > descriptorEnd else { return nil }
        let stored = input[descriptorEnd]
        let correct = UInt8(truncatingIfNeeded: XXHash32.hash(UnsafeRawBufferPointer(rebasing: input[4..<descriptorEnd])) >> 8)
        if stored == correct { return nil }
        let broken = UInt8(truncatingIfNeeded: XXHash32.hash(UnsafeRawBufferPointer(rebasing: input[0..<descriptorEnd])) >> 8)
        guard ignoreHeaderChecksum || stored == broken else {
            throw .corruptMessage("lz4: frame header checksum mismatch")
        }
        return Array(input[0..<descriptorEnd]) + [correct]
    }

    static func readLittleEndian32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}

/// XXH32, the 32-bit xxHash, used here only for LZ4 frame header checksums (a few bytes), so it is
/// written for clarity rather than speed.
enum XXHash32 {
    static let prime1: UInt32 = 2_654_435_761
    static let prime2: UInt32 = 2_246_822_519
    static let prime3: UInt32 = 3_266_489_917
    static let prime4: UInt32 = 668_265_263
    static let prime5: UInt32 = 374_761_393

    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        func lane(_ offset: Int) -> UInt32 { CompressionCodec.readLittleEndian32(bytes, at: offset) }
        func rotate(_ value: UInt32, _ bits: UInt32) -> UInt32 { (value << bits) | (value >> (32 - bits)) }
        func round(_ accumulator: UInt32, _ input: UInt32) -> UInt32 {
            rotate(accumulator &+ input &* prime2, 13) &* prime1
        }
        var offset = 0
        var hash: UInt32
        if bytes.count >= 16 {
            var v1 = seed &+ prime1 &+ prime2
            var v2 = seed &+ prime2
            var v3 = seed
            var v4 = seed &- prime1
            while bytes.count - offset >= 16 {
                v1 = round(v1, lane(offset))
                v2 = round(v2, lane(offset + 4))
                v3 = round(v3, lane(offset + 8))
                v4 = round(v4, lane(offset + 12))
                offset += 16
            }
            hash = rotate(v1, 1) &+ rotate(v2, 7) &+ rotate(v3, 12) &+ rotate(v4, 18)
        } else {
            hash = seed &+ prime5
        }
        hash = hash &+ UInt32(truncatingIfNeeded: bytes.count)
        while bytes.count - offset >= 4 {
            hash = rotate(hash &+ lane(offset) &* prime3, 17) &* prime4
            offset += 4
        }
        while offset < bytes.count {
            hash = rotate(hash &+ UInt32(bytes[offset]) &* prime5, 11) &* prime1
            offset += 1
        }
        hash ^= hash >> 15
        hash = hash &* prime2
        hash ^= hash >> 13
        hash = hash &* prime3
        hash ^= hash >> 16
        return hash
    }
}
