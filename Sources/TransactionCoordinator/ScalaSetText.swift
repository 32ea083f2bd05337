import KafkaCommon

/// How Kafka 2.3 prints a transaction's partitions (`TransactionMetadata.topicPartitions`, a Scala
/// 2.12 `mutable.HashSet`), for `dump-log --transaction-log-decoder` and log lines:
/// `Set(t-0, u-1)`, the elements in the set's iteration order.
///
/// That order is the slot order of Scala's open-addressing table (`FlatHashTable`): 32 slots to
/// start with, doubled once the set holds 45% of them; an element's first slot is the top
/// log2(slots) bits of its hash scrambled by `byteswap32` and rotated right by log2(slots); a taken
/// slot sends it on to the next one, wrapping round. The hash is Java's `TopicPartition.hashCode`:
/// `31 · (31 + partition) + topic.hashCode()`. So the order depends on the insertion order only
/// where slots collide; callers pass the elements in the order Kafka added them (for a decoded
/// record: topic by topic, each topic's partitions in ``immutableSetOrder(_:)``).
public enum ScalaSetText {
    /// `Set(<elements in iteration order>)`.
    public static func text(of insertionOrder: [TopicPartition]) -> String {
        "Set(" + mutableHashSetOrder(insertionOrder).map(\.description).joined(separator: ", ") + ")"
    }

    /// Java's `TopicPartition.hashCode`.
    public static func hashCode(of topicPartition: TopicPartition) -> Int32 {
        Int32(31) &* (Int32(31) &+ topicPartition.partition) &+ JavaHash.stringHashCode(topicPartition.topic)
    }

    /// The iteration order of a `mutable.HashSet` the elements were added to in this order
    /// (duplicates are added once).
    public static func mutableHashSetOrder(_ insertionOrder: [TopicPartition]) -> [TopicPartition] {
        var table = [TopicPartition?](repeating: nil, count: 32)
        var size = 0
        func add(_ element: TopicPartition, to table: inout [TopicPartition?]) -> Bool {
            var slot = index(hashCode(of: element), tableLength: table.count)
            while let current = table[slot] {
                if current == element { return false }
                slot = (slot + 1) % table.count
            }
            table[slot] = element
            return true
        }
        for element in insertionOrder where add(element, to: &table) {
            size += 1
            if size >= table.count * 450 / 1000 {
                let old = table
                table = [TopicPartition?](repeating: nil, count: old.count * 2)
                for case let entry? in old { _ = add(entry, to: &table) }
            }
        }
        return table.compactMap { $0 }
    }

    /// The iteration order of an immutable `Set` built from the elements in this order (`toSet`,
    /// as Kafka's reader builds each topic's partitions): up to four distinct elements keep their
    /// order (Scala's `Set1`…`Set4`); five or more form a hash trie, iterated by the five-bit
    /// groups of each element's scrambled hash, lowest group first.
    public static func immutableSetOrder(_ insertionOrder: [TopicPartition]) -> [TopicPartition] {
        var seen = Set<TopicPartition>()
        let distinct = insertionOrder.filter { seen.insert($0).inserted }
        guard distinct.count > 4 else { return distinct }
        return distinct.sorted { trieKey(hashCode(of: $0)) < trieKey(hashCode(of: $1)) }
    }

    /// An element's position in a Scala 2.12 immutable hash trie: the hash scrambled as
    /// `HashSet.improve` does, read five bits at a time from the lowest.
    static func trieKey(_ hashCode: Int32) -> UInt64 {
        var h = hashCode &+ ~(hashCode << 9)
        h = h ^ Int32(bitPattern: UInt32(bitPattern: h) >> 14)
        h = h &+ (h << 4)
        h = h ^ Int32(bitPattern: UInt32(bitPattern: h) >> 10)
        let hash = UInt32(bitPattern: h)
        var key: UInt64 = 0
        for shift in stride(from: 0, to: 35, by: 5) { key = key << 5 | UInt64((hash >> UInt32(shift)) & 0x1F) }
        return key
    }

    /// The first slot of a hash in a table of `tableLength` (a power of two) slots.
    static func index(_ hashCode: Int32, tableLength: Int) -> Int {
        let bits = UInt32(tableLength - 1).nonzeroBitCount
        let multiplier = Int32(bitPattern: 0x9E37_75CD)
        let scrambled = UInt32(bitPattern: (hashCode &* multiplier).byteSwapped &* multiplier)
        let rotation = UInt32(bits % 32)
        let rotated = rotation == 0 ? scrambled : (scrambled >> rotation) | (scrambled << (32 - rotation))
        return Int(rotated >> UInt32(32 - bits)) & (tableLength - 1)
    }
}
