import CKafkaCompression
import NIOCore

/// Snappy as Kafka's clients put it on the wire.
///
/// The Java client (and kafka-python) wrap raw snappy in the **xerial** framing of snappy-java's
/// `SnappyOutputStream`:
///
/// ```
/// 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00     8-byte magic
/// int32 version (1), int32 compatible version (1)   big-endian
/// repeated: int32 compressed length (big-endian), then that many bytes of one raw snappy block
///           (each block holds at most 32 KiB of input)
/// ```
///
/// librdkafka (kcat, confluent-kafka) sends **raw** snappy: one snappy block for the whole records
/// section, starting with the varint of its uncompressed length. The Java reader accepts both by
/// looking for the magic; so does this one. Writing uses the xerial framing, which every client
/// reads.
extension CompressionCodec {
    /// The xerial stream magic: 0x82, "SNAPPY", 0x00.
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
    /// Magic plus the two version ints.
    static let xerialHeaderSize = 16
    /// snappy-java's default block size, which Kafka's producer uses.
    static let xerialBlockSize = 32 * 1024

    static func isXerialFramed(_ input: UnsafeRawBufferPointer, at offset: Int = 0) -> Bool {
        guard input.count - offset >= xerialHeaderSize else { return false }
        for index in 0..<xerialMagic.count where input[offset + index] != xerialMagic[index] { return false }
        return true
    }

    static func snappyCompress(_ input: UnsafeRawBufferPointer, into output: inout ByteBuffer) throws(RecordBatchError) {
        output.writeBytes(xerialMagic)
        output.writeInteger(Int32(1))
        output.writeInteger(Int32(1))
        var offset = 0
        while offset < input.count {
            let block = UnsafeRawBufferPointer(rebasing: input[offset..<min(input.count, offset + xerialBlockSize)])
            let bound = snappy_max_compressed_length(block.count)
            let lengthIndex = output.writerIndex
            output.writeInteger(Int32(0))
            var status = SNAPPY_OK
            let written = output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { region in
                var length = region.count
                status = snappy_compress(
                    block.baseAddress?.assumingMemoryBound(to: CChar.self), block.count,
                    region.baseAddress?.assumingMemoryBound(to: CChar.self), &length)
                return status == SNAPPY_OK ? length : 0
            }
            guard status == SNAPPY_OK else { throw .corruptMessage("snappy: compression failed") }
            output.setInteger(Int32(written), at: lengthIndex)
            offset += block.count
        }
    }

    static func snappyDecompress(_ input: UnsafeRawBufferPointer, into output: inout BoundedOutput) throws(RecordBatchError) {
        guard isXerialFramed(input) else {
            try snappyDecompressBlock(input, into: &output)
            return
        }
        var offset = xerialHeaderSize
        while offset < input.count {
            // snappy-java also reads a second stream concatenated to the first: skip its header.
            if isXerialFramed(input, at: offset) {
                offset += xerialHeaderSize
                continue
            }
            guard input.count - offset >= 4 else { throw .corruptMessage("snappy: truncated xerial block length") }
            let length = Int(Int32(bitPattern: UInt32(input[offset]) << 24 | UInt32(input[offset + 1]) << 16
                | UInt32(input[offset + 2]) << 8 | UInt32(input[offset + 3])))
            offset += 4
            guard length >= 0, length <= input.count - offset else {
                throw .corruptMessage("snappy: xerial block of \(length) bytes overruns the input")
            }
            try snappyDecompressBlock(UnsafeRawBufferPointer(rebasing: input[offset..<offset + length]), into: &output)
            offset += length
        }
    }

    /// One raw snappy block: its uncompressed length is read from its header first, checked
    /// against the limit, then the block is decoded straight into the output.
    static func snappyDecompressBlock(_ block: UnsafeRawBufferPointer, into output: inout BoundedOutput) throws(RecordBatchError) {
        guard let base = block.baseAddress?.assumingMemoryBound(to: CChar.self), block.count > 0 else {
            throw .corruptMessage("snappy: empty block")
        }
        var expected = 0
        guard snappy_uncompressed_length(base, block.count, &expected) == SNAPPY_OK else {
            throw .corruptMessage("snappy: invalid block header")
        }
        // Snappy's densest element is a 3-byte copy of 64 bytes: a block claiming more than ~21×
        // its size is damaged, not a bomb to measure against the limit.
        guard expected <= block.count * 22 + 64 else {
            throw .corruptMessage("snappy: block of \(block.count) bytes claims \(expected) uncompressed bytes")
        }
        try output.reserve(expected)
        var status = SNAPPY_OK
        var produced = 0
        try output.append { region in
            guard region.count >= expected else {
                status = SNAPPY_BUFFER_TOO_SMALL
                return 0
            }
            produced = region.count
            status = snappy_uncompress(base, block.count, region.baseAddress?.assumingMemoryBound(to: CChar.self), &produced)
            return status == SNAPPY_OK ? produced : 0
        }
        guard status == SNAPPY_OK, produced == expected else { throw .corruptMessage("snappy: invalid block") }
    }
}
