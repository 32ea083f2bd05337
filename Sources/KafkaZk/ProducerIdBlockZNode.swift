import KafkaCommon

/// A block of producer ids claimed by one broker; both ends inclusive (Kafka's `ProducerIdBlock`).
public struct ProducerIdBlock: Sendable, Equatable, CustomStringConvertible {
    public var brokerId: BrokerId
    public var blockStartId: Int64
    public var blockEndId: Int64

    public init(brokerId: BrokerId, blockStartId: Int64, blockEndId: Int64) {
        self.brokerId = brokerId
        self.blockStartId = blockStartId
        self.blockEndId = blockEndId
    }

    /// Kafka's rendering, as its log lines show it.
    public var description: String {
        "(brokerId:\(brokerId.rawValue),blockStartProducerId:\(blockStartId),blockEndProducerId:\(blockEndId))"
    }
}

/// `/latest_producer_id_block`: persistent; the last block of producer ids any broker claimed,
/// `{"version":1,"broker":2,"block_start":"3000","block_end":"3999"}` (the version and broker are
/// numbers, the block ends decimal strings). Created empty at start-up with the other persistent
/// paths; empty data means no block was claimed yet. A broker claims the next block by a setData
/// checked against the version it read, so that two brokers never claim the same block.
public enum ProducerIdBlockZNode {
    public static let path = PersistentZkPaths.latestProducerIdBlock
    public static let currentVersion: Int64 = 1
    /// Ids per block (Kafka's `PidBlockSize`).
    public static let blockSize: Int64 = 1000

    public static func encode(_ block: ProducerIdBlock) -> [UInt8] {
        Json.object([
            ("version", .int(currentVersion)),
            ("broker", .int(Int64(block.brokerId.rawValue))),
            ("block_start", .string(String(block.blockStartId))),
            ("block_end", .string(String(block.blockEndId))),
        ]).bytes
    }

    /// The block the node holds, or nil for empty data (no block claimed yet).
    public static func decode(_ bytes: [UInt8]) throws -> ProducerIdBlock? {
        if bytes.isEmpty { return nil }
        let json = try Json.parse(znode: path, bytes)
        guard let broker = json["broker"]?.intValue, let brokerId = Int32(exactly: broker) else {
            throw KafkaZkError.corruptZNode(path, "no broker")
        }
        guard let start = json["block_start"]?.stringValue.flatMap({ Int64($0) }) else {
            throw KafkaZkError.corruptZNode(path, "block_start is not a decimal string")
        }
        guard let end = json["block_end"]?.stringValue.flatMap({ Int64($0) }) else {
            throw KafkaZkError.corruptZNode(path, "block_end is not a decimal string")
        }
        return ProducerIdBlock(brokerId: BrokerId(brokerId), blockStartId: start, blockEndId: end)
    }
}
