@testable import KafkaRecords
import NIOCore
import Testing

@Suite struct CompressionCodecTests {
    static let codecs: [CompressionType] = [.none, .gzip, .snappy, .lz4, .zstd]
    static let compressing: [CompressionType] = [.gzip, .snappy, .lz4, .zstd]

    static let inputs: [(name: String, bytes: [UInt8])] = [
        ("empty", []),
        ("one byte", [42]),
        ("lorem 1 KiB", loremBytes(count: 1024)),
        ("lorem 300 KiB", loremBytes(count: 300 * 1024)),
        ("random 100 KiB", pseudoRandomBytes(count: 100 * 1024, seed: 99)),
        ("zeros 1 MiB", [UInt8](repeating: 0, count: 1 << 20)),
    ]

    @Test(arguments: codecs)
    func roundTrip(_ codec: CompressionType) throws {
        for input in Self.inputs {
            let compressed = try CompressionCodec.compress(ByteBuffer(bytes: input.bytes), with: codec)
            let restored = try CompressionCodec.decompress(compressed, with: codec)
            #expect(Array(restored.readableBytesView) == input.bytes, "\(codec) \(input.name)")
            if input.name == "lorem 300 KiB" && codec != .none {
                #expect(compressed.readableBytes < input.bytes.count / 3, "\(codec) should shrink text")
            }
        }
    }

    /// Output past the limit is refused, whatever the codec; exactly the limit is fine.
    @Test(arguments: codecs)
    func decompressionIsBounded(_ codec: CompressionType) throws {
        let input = [UInt8](repeating: 7, count: 200_000)
        let compressed = try CompressionCodec.compress(ByteBuffer(bytes: input), with: codec)
        #expect(throws: RecordBatchError.decompressedSizeExceeded(limit: 199_999)) {
            try CompressionCodec.decompress(compressed, with: codec, limit: 199_999)
        }
        #expect(throws: RecordBatchError.decompressedSizeExceeded(limit: 10)) {
            try CompressionCodec.decompress(compressed, with: codec, limit: 10)
        }
        let exact = try CompressionCodec.decompress(compressed, with: codec, limit: 200_000)
        #expect(exact.readableBytes == 200_000)
        #expect(RecordBatchError.decompressedSizeExceeded(limit: 1).kafkaErrorCode == 10)
    }

    /// Garbage, truncations and bit flips never trap: each either fails with a RecordBatchError or
    /// (when a flip lands somewhere harmless) decodes to something within the limit.
    @Test(arguments: compressing)
    func garbageNeverCrashes(_ codec: CompressionType) throws {
        let valid = try CompressionCodec.compress(ByteBuffer(bytes: loremBytes(count: 5000)), with: codec)
        let validBytes = Array(valid.readableBytesView)
        var candidates: [[UInt8]] = [[], [0], [0xFF, 0xFF, 0xFF, 0xFF]]
        for seed in 1...40 {
            candidates.append(pseudoRandomBytes(count: Int(seed) * 37, seed: UInt64(seed)))
        }
        for cut in stride(from: 0, to: validBytes.count, by: max(1, validBytes.count / 25)) {
            candidates.append(Array(validBytes[..<cut]))
        }
        for (index, position) in stride(from: 0, to: validBytes.count, by: 3).enumerated() {
            var flipped = validBytes
            flipped[position] ^= UInt8(1 << (index % 8))
            candidates.append(flipped)
        }
        // A valid header followed by garbage.
        candidates.append(Array(validBytes.prefix(20)) + pseudoRandomBytes(count: 500, seed: 1234))
        for candidate in candidates {
            do {
                let output = try CompressionCodec.decompress(ByteBuffer(bytes: candidate), with: codec, limit: 100_000)
                #expect(output.readableBytes <= 100_000)
            } catch {
                #expect(error.kafkaErrorCode == 2 || error.kafkaErrorCode == 10)
            }
        }
        // Plain text is never a valid stream of these formats.
        #expect(throws: RecordBatchError.self) {
            try CompressionCodec.decompress(ByteBuffer(string: "definitely not compressed data"), with: codec)
        }
    }

    @Test func snappyWritesXerialFramingAndReadsRawBlocks() throws {
        let input = loremBytes(count: 100_000)  // four 32 KiB xerial blocks
        let framed = try CompressionCodec.compress(ByteBuffer(bytes: input), with: .snappy)
        #expect(Array(framed.readableBytesView.prefix(16)) == [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(Array(try CompressionCodec.decompress(framed, with: .snappy).readableBytesView) == input)

        // A raw block, as librdkafka sends it: the first xerial block's payload.
        let blockLength = Int(framed.getInteger(at: 16, as: Int32.self) ?? 0)
        let raw = framed.getSlice(at: 20, length: blockLength)!
        #expect(Array(try CompressionCodec.decompress(raw, with: .snappy).readableBytesView) == Array(input.prefix(32 * 1024)))

        // Two xerial streams back to back (snappy-java reads both).
        var twice = framed
        var second = framed
        twice.writeBuffer(&second)
        #expect(try CompressionCodec.decompress(twice, with: .snappy).readableBytes == 2 * input.count)
    }

    @Test func gzipReadsConcatenatedMembers() throws {
        var joined = try CompressionCodec.compress(ByteBuffer(string: "first "), with: .gzip)
        var second = try CompressionCodec.compress(ByteBuffer(string: "second"), with: .gzip)
        joined.writeBuffer(&second)
        #expect(try CompressionCodec.decompress(joined, with: .gzip).utf8String == "first second")
        #expect(Array(joined.readableBytesView.prefix(2)) == [0x1F, 0x8B])
    }

    @Test func xxHash32KnownValues() {
        #expect([UInt8]().withUnsafeBytes { XXHash32.hash($0) } == 0x02CC_5D05)
        #expect(Array("a".utf8).withUnsafeBytes { XXHash32.hash($0) } == 0x550D_7456)
        #expect(Array("abc".utf8).withUnsafeBytes { XXHash32.hash($0) } == 0x32D1_53FF)
        #expect(Array("Nobody inspects the spammish repetition".utf8).withUnsafeBytes { XXHash32.hash($0) } == 0xE229_3B2F)
    }

    /// LZ4 frames written by Kafka before KIP-57 hashed the magic too; they are accepted, a
    /// random header checksum is not (unless the magic 0 leniency is asked for).
    @Test func lz4HeaderChecksumVariants() throws {
        let input = loremBytes(count: 3000)
        let frame = try CompressionCodec.compress(ByteBuffer(bytes: input), with: .lz4)
        var bytes = Array(frame.readableBytesView)
        #expect(bytes[4] == 0x60 && bytes[5] == 0x40)  // version 1, independent blocks; 64 KiB
        let correct = bytes[6]
        #expect(correct == UInt8(truncatingIfNeeded: bytes[4..<6].withUnsafeBytes { XXHash32.hash($0) } >> 8))
        let broken = UInt8(truncatingIfNeeded: bytes[0..<6].withUnsafeBytes { XXHash32.hash($0) } >> 8)
        #expect(broken != correct)

        bytes[6] = broken
        #expect(Array(try CompressionCodec.decompress(ByteBuffer(bytes: bytes), with: .lz4).readableBytesView) == input)

        bytes[6] = correct &+ (broken &- correct == 1 ? 2 : 1)
        #expect(throws: RecordBatchError.self) { try CompressionCodec.decompress(ByteBuffer(bytes: bytes), with: .lz4) }
        let lenient = try CompressionCodec.decompress(ByteBuffer(bytes: bytes), with: .lz4, ignoreLZ4HeaderChecksum: true)
        #expect(Array(lenient.readableBytesView) == input)
    }

    /// A tiny zstd frame may declare a 128 MiB window; with a small output limit it is refused
    /// before the decoder allocates that window.
    @Test func zstdWindowIsBoundedByTheLimit() throws {
        // magic, descriptor (no content size), window descriptor 2^(10+17), one raw last block "A".
        let frame: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 17 << 3, 0x09, 0x00, 0x00, 0x41]
        #expect(try CompressionCodec.decompress(ByteBuffer(bytes: frame), with: .zstd).utf8String == "A")
        #expect(throws: RecordBatchError.decompressedSizeExceeded(limit: 1000)) {
            try CompressionCodec.decompress(ByteBuffer(bytes: frame), with: .zstd, limit: 1000)
        }
    }

    /// A raw snappy block whose header claims far more than snappy can expand to is corrupt.
    @Test func snappyImplausibleLengthIsCorrupt() {
        // varint 0x7FFFFFFF, then a literal of one byte.
        let block: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00, 0x41]
        #expect(throws: RecordBatchError.self) { try CompressionCodec.decompress(ByteBuffer(bytes: block), with: .snappy) }
        do {
            _ = try CompressionCodec.decompress(ByteBuffer(bytes: block), with: .snappy)
        } catch {
            #expect(error.kafkaErrorCode == 2)
        }
    }

    @Test func compressionTypeNames() {
        #expect(CompressionType(id: 4) == .zstd)
        #expect(CompressionType(id: 5) == nil)
        #expect(CompressionType(name: "lz4") == .lz4)
        #expect(BrokerCompressionType(configValue: "producer") == .producer)
        #expect(BrokerCompressionType(configValue: "uncompressed") == .type(.none))
        #expect(BrokerCompressionType(configValue: "zstd")?.target(forSource: .gzip) == .zstd)
        #expect(BrokerCompressionType.producer.target(forSource: .gzip) == .gzip)
        #expect(BrokerCompressionType(configValue: "brotli") == nil)
    }
}
