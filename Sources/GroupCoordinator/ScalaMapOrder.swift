import KafkaCommon

/// The iteration order of the map Scala 2.12's `groupBy` returns for string keys, which decides
/// ties in Kafka's protocol vote (``GroupMetadata/selectProtocol()``).
///
/// `groupBy` first collects the groups in a `mutable.HashMap`, then copies them, in that map's
/// iteration order, into an immutable map:
/// - with at most four keys the immutable map is one of the small maps (`Map1`…`Map4`), which keep
///   insertion order, so the order is the mutable map's: its 16 buckets from the last to the first,
///   and in one bucket the latest inserted first. A key's bucket is the top four bits of its
///   `hashCode`, scrambled by `byteswap32` and rotated right by four (the table's seed);
/// - with five keys or more it is a hash trie, iterated by the five-bit groups of each key's
///   scrambled hash, lowest group first.
///
/// Keys are hashed with Java's `String.hashCode` (`JavaHash.stringHashCode`).
enum ScalaMapOrder {
    /// `keys` (distinct, in the order they were first inserted) in the order Scala iterates them.
    static func groupByOrder(of keys: [String]) -> [String] {
        if keys.count <= 4 {
            // Bucket index descending; within a bucket, later insertions first.
            let indexed = keys.enumerated().map { (position: $0.offset, key: $0.element, bucket: mutableBucket($0.element)) }
            return indexed.sorted { lhs, rhs in
                lhs.bucket != rhs.bucket ? lhs.bucket > rhs.bucket : lhs.position > rhs.position
            }.map(\.key)
        }
        return keys.sorted { trieKey($0) < trieKey($1) }
    }

    /// The bucket of `key` in a 16-bucket `mutable.HashMap`.
    static func mutableBucket(_ key: String) -> Int {
        let improved = rotateRight(UInt32(bitPattern: byteswap32(JavaHash.stringHashCode(key))), by: 4)
        return Int(improved >> 28) & 15
    }

    /// Scala's `hashing.byteswap32`.
    static func byteswap32(_ value: Int32) -> Int32 {
        let multiplier = Int32(bitPattern: 0x9E37_75CD)
        let scrambled = (value &* multiplier).byteSwapped
        return scrambled &* multiplier
    }

    static func rotateRight(_ value: UInt32, by distance: UInt32) -> UInt32 {
        (value >> distance) | (value << (32 - distance))
    }

    /// The order of a key in an immutable hash trie: its scrambled hash's five-bit groups, lowest
    /// first, compared as one number.
    static func trieKey(_ key: String) -> UInt64 {
        let hash = UInt32(bitPattern: immutableImprove(JavaHash.stringHashCode(key)))
        var order: UInt64 = 0
        for level in stride(from: 0, to: 35, by: 5) {
            order = order << 5 | UInt64((hash >> UInt32(level)) & 0x1F)
        }
        return order
    }

    /// The hash scrambling of Scala 2.12's immutable `HashMap`.
    static func immutableImprove(_ hashCode: Int32) -> Int32 {
        var h = hashCode &+ ~(hashCode << 9)
        h = h ^ Int32(bitPattern: UInt32(bitPattern: h) >> 14)
        h = h &+ (h << 4)
        return h ^ Int32(bitPattern: UInt32(bitPattern: h) >> 10)
    }
}
