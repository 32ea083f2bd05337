import KafkaRecords
import NIOCore
import Testing

@Suite struct CRC32CTests {
    /// Check values of CRC-32C: the classic "123456789" and the iSCSI vectors of RFC 3720 B.4.
    @Test func knownVectors() {
        let vectors: [([UInt8], UInt32)] = [
            (Array("123456789".utf8), 0xE306_9283),
            ([], 0),
            ([UInt8](repeating: 0, count: 32), 0x8A91_36AA),
            ([UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43),
            ((0..<32).map { UInt8($0) }, 0x46DD_794E),
            ((0..<32).map { UInt8(31 - $0) }, 0x113F_DB5C),
        ]
        for (input, expected) in vectors {
            #expect(input.withUnsafeBytes { CRC32C.checksum($0) } == expected)
            #expect(input.withUnsafeBytes { CRC32C.tableChecksum($0) } == expected)
            #expect(CRC32C.checksum(ByteBuffer(bytes: input).readableBytesView) == expected)
        }
    }

    @Test func hardwareIsUsedOnX86() {
        #if arch(x86_64)
        // Every x86_64 CPU since 2008 has SSE4.2.
        #expect(CRC32C.isHardwareAccelerated)
        #endif
    }

    /// The dispatching implementation (hardware here) agrees with the table on every length and
    /// alignment, including the unaligned head and the tail of the 8-byte loop.
    @Test func hardwareMatchesTableOnRandomData() {
        let data = pseudoRandomBytes(count: 70_000, seed: 0x5EED)
        data.withUnsafeBytes { all in
            for start in 0..<17 {
                for length in [0, 1, 2, 3, 7, 8, 9, 15, 16, 31, 32, 33, 63, 64, 65, 100, 1000, 4096, 65_537] {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                    #expect(CRC32C.checksum(slice) == CRC32C.tableChecksum(slice), "start \(start) length \(length)")
                }
            }
        }
    }

    @Test func chunksChain() {
        let data = pseudoRandomBytes(count: 10_000, seed: 7)
        data.withUnsafeBytes { all in
            let whole = CRC32C.checksum(all)
            for split in [0, 1, 13, 5000, 9999, 10_000] {
                let first = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: all[..<split]))
                #expect(CRC32C.extend(first, UnsafeRawBufferPointer(rebasing: all[split...])) == whole)
            }
        }
    }

    @Test func bufferRange() {
        var buffer = ByteBuffer(string: "xx123456789yy")
        buffer.moveReaderIndex(forwardBy: 1)
        #expect(CRC32C.checksum(buffer, at: buffer.readerIndex + 1, length: 9) == 0xE306_9283)
        #expect(CRC32C.checksum(buffer, at: buffer.readerIndex + 5, length: 100) == nil)
        #expect(CRC32C.checksum(buffer, at: 0, length: 1) == nil)
    }

    /// The IEEE CRC-32 of legacy messages (zlib's), check value 0xCBF43926.
    @Test func legacyCRC32() {
        #expect(Array("123456789".utf8).withUnsafeBytes { CRC32.checksum($0) } == 0xCBF4_3926)
        #expect(CRC32.checksum(ByteBuffer(string: "-123456789"), at: 1, length: 9) == 0xCBF4_3926)
    }
}
