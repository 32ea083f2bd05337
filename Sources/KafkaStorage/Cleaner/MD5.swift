import Foundation

/// The MD5 message digest (RFC 1321), the hash Kafka's log cleaner keys its offset map with
/// (`log.cleaner.hash.algorithm`'s only value in practice). Used for its spread, not for security.
///
/// A one-shot function over a byte sequence: the cleaner hashes one record key at a time.
enum MD5 {
    static let digestSize = 16

    /// Per-round left-rotation amounts.
    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    /// floor(abs(sin(i + 1)) × 2^32), as the RFC tabulates them.
    private static let constants: [UInt32] = (0..<64).map { index in
        UInt32(truncatingIfNeeded: Int64((abs(sin(Double(index + 1))) * 4_294_967_296.0).rounded(.down)))
    }

    /// The 16-byte digest of `message`.
    static func digest(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        var a0: UInt32 = 0x6745_2301
        var b0: UInt32 = 0xefcd_ab89
        var c0: UInt32 = 0x98ba_dcfe
        var d0: UInt32 = 0x1032_5476

        // Padding: 0x80, zeros to 56 mod 64, then the bit length, little-endian.
        let length = message.count
        let paddedLength = ((length + 8) / 64 + 1) * 64
        var tail = [UInt8](repeating: 0, count: paddedLength - (length / 64) * 64)
        let fullBlocks = length / 64
        let remainder = length - fullBlocks * 64
        for index in 0..<remainder { tail[index] = message[fullBlocks * 64 + index] }
        tail[remainder] = 0x80
        let bitLength = UInt64(length) &* 8
        for index in 0..<8 { tail[tail.count - 8 + index] = UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(index))) }

        var words = [UInt32](repeating: 0, count: 16)
        func process(_ block: (Int) -> UInt8) {
            for index in 0..<16 {
                words[index] = UInt32(block(index * 4)) | UInt32(block(index * 4 + 1)) << 8
                    | UInt32(block(index * 4 + 2)) << 16 | UInt32(block(index * 4 + 3)) << 24
            }
            var a = a0, b = b0, c = c0, d = d0
            for round in 0..<64 {
                var f: UInt32
                let g: Int
                switch round {
                case 0..<16: f = (b & c) | (~b & d); g = round
                case 16..<32: f = (d & b) | (~d & c); g = (5 * round + 1) % 16
                case 32..<48: f = b ^ c ^ d; g = (3 * round + 5) % 16
                default: f = c ^ (b | ~d); g = (7 * round) % 16
                }
                f = f &+ a &+ constants[round] &+ words[g]
                a = d
                d = c
                c = b
                let shift = shifts[round]
                b = b &+ ((f << shift) | (f >> (32 - shift)))
            }
            a0 = a0 &+ a
            b0 = b0 &+ b
            c0 = c0 &+ c
            d0 = d0 &+ d
        }
        for block in 0..<fullBlocks { process { message[block * 64 + $0] } }
        for block in 0..<(tail.count / 64) { process { tail[block * 64 + $0] } }

        var result = [UInt8]()
        result.reserveCapacity(digestSize)
        for word in [a0, b0, c0, d0] {
            for index in 0..<4 { result.append(UInt8(truncatingIfNeeded: word >> (8 * UInt32(index)))) }
        }
        return result
    }

    static func digest(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { digest($0) }
    }
}
