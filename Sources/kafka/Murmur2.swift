/// Kafka's 32-bit murmur2 hash (seed 0x9747b28c), the one its `DefaultPartitioner` applies to a
/// record's key bytes, so that a keyed record lands in the same partition as with a Java client.
enum Murmur2 {
    static func hash<Bytes: Collection>(_ data: Bytes) -> Int32 where Bytes.Element == UInt8 {
        let bytes = Array(data)
        let length = bytes.count
        let seed: UInt32 = 0x9747_b28c
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        var h = seed ^ UInt32(truncatingIfNeeded: length)
        let blocks = length / 4
        for block in 0..<blocks {
            let i = block * 4
            var k = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
        }
        let tail = blocks * 4
        switch length % 4 {
        case 3:
            h ^= UInt32(bytes[tail + 2]) << 16
            fallthrough
        case 2:
            h ^= UInt32(bytes[tail + 1]) << 8
            fallthrough
        case 1:
            h ^= UInt32(bytes[tail])
            h = h &* m
        default:
            break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// Kafka's `toPositive`: clears the sign bit (not `abs`, which overflows on `Int32.min`).
    static func positive(_ value: Int32) -> Int32 { value & 0x7fff_ffff }
}

/// Chooses a partition the way Kafka 2.3's `DefaultPartitioner` does: a keyed record goes to
/// `positive(murmur2(key)) % partitions`; records without a key go round robin.
///
/// A value type; the producer owns one and mutates it per record.
struct DefaultPartitioner: Sendable {
    private var counter: Int32

    init(start: Int32 = 0) { counter = start }

    mutating func partition(forKey key: [UInt8]?, partitionCount: Int32) -> Int32 {
        // Invariant: the console producer checks the topic has partitions before partitioning.
        precondition(partitionCount > 0, "a topic has at least one partition")
        guard let key else {
            defer { counter &+= 1 }
            return Murmur2.positive(counter) % partitionCount
        }
        return Murmur2.positive(Murmur2.hash(key)) % partitionCount
    }
}
