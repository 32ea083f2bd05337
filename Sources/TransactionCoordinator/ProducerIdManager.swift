import KafkaCommon
import KafkaZk
import Logging
import ZooKeeper

/// Hands out producer ids that are unique across the cluster (Kafka 2.3's `ProducerIdManager`, the
/// part of the transaction coordinator that answers InitProducerId with a new id).
///
/// Ids come from blocks of `ProducerIdBlockZNode.blockSize` (1,000) claimed in
/// `/latest_producer_id_block`: a broker reads the last claimed block and its znode version,
/// writes the next block (`block_end + 1 ... block_end + 1000`, or `0 ... 999` when none was
/// claimed) with a setData checked against that version, and on BADVERSION (another broker
/// claimed meanwhile) reads again. So blocks are consecutive and no two brokers ever hold the same
/// one. Ids of a block not used before a restart are lost, as in Kafka.
///
/// Lifecycle: `start` claims the first block (as Kafka's constructor does); `generateProducerId`
/// hands out the ids of the current block in order and claims the next block when it is used up.
///
/// Isolation: an actor. At most one claim runs at a time; callers arriving while a claim is under
/// way wait for it.
public actor ProducerIdManager {
    public let brokerId: BrokerId
    private let zkClient: KafkaZkClient
    private let logger: Logger
    private var currentBlock: ProducerIdBlock
    /// The next id to hand out; beyond `currentBlock.blockEndId` when the block is used up.
    private var nextProducerId: Int64
    private var claiming: Task<ProducerIdBlock, any Error>?

    private init(brokerId: BrokerId, zkClient: KafkaZkClient, logger: Logger, firstBlock: ProducerIdBlock) {
        self.brokerId = brokerId
        self.zkClient = zkClient
        self.logger = logger
        self.currentBlock = firstBlock
        self.nextProducerId = firstBlock.blockStartId
    }

    /// Claims this broker's first block and returns the manager.
    public static func start(brokerId: BrokerId, zkClient: KafkaZkClient, logger: Logger) async throws -> ProducerIdManager {
        let first = try await claimNewBlock(brokerId: brokerId, zkClient: zkClient, logger: logger)
        return ProducerIdManager(brokerId: brokerId, zkClient: zkClient, logger: logger, firstBlock: first)
    }

    /// The block ids are handed out from.
    public var block: ProducerIdBlock { currentBlock }

    /// A producer id no broker of the cluster has handed out before.
    public func generateProducerId() async throws -> Int64 {
        while nextProducerId > currentBlock.blockEndId {
            let task: Task<ProducerIdBlock, any Error>
            if let claiming {
                task = claiming
            } else {
                let (brokerId, zkClient, logger) = (self.brokerId, self.zkClient, self.logger)
                task = Task { try await Self.claimNewBlock(brokerId: brokerId, zkClient: zkClient, logger: logger) }
                claiming = task
            }
            let result = await task.result
            // The first caller to resume installs the block; the others find it installed.
            if claiming == task {
                claiming = nil
                currentBlock = try result.get()
                nextProducerId = currentBlock.blockStartId
            } else {
                _ = try result.get()
            }
        }
        defer { nextProducerId += 1 }
        return nextProducerId
    }

    public func shutdown() {
        logger.info("[ProducerId Manager \(brokerId.rawValue)]: Shutdown complete: last producerId assigned \(nextProducerId)")
    }

    /// Claims the block after the last one in ZooKeeper, retrying until a write of its own wins.
    static func claimNewBlock(brokerId: BrokerId, zkClient: KafkaZkClient, logger: Logger) async throws -> ProducerIdBlock {
        let path = ProducerIdBlockZNode.path
        let prefix = "[ProducerId Manager \(brokerId.rawValue)]: "
        while true {
            guard let (data, stat) = try await zkClient.dataIfExists(path) else {
                // Normally created at start-up with the other persistent paths.
                try await zkClient.zooKeeper.createRecursive(path)
                continue
            }
            let block: ProducerIdBlock
            if let current = try ProducerIdBlockZNode.decode(data) {
                logger.debug("\(prefix)Read current producerId block \(current), Zk path version \(stat.version)")
                guard current.blockEndId <= Int64.max - ProducerIdBlockZNode.blockSize else {
                    logger.error("\(prefix)Exhausted all producerIds as the next block's end producerId is will has exceeded long type limit (current block end producerId is \(current.blockEndId))")
                    throw ProducerIdManagerError.producerIdsExhausted(lastBlockEnd: current.blockEndId)
                }
                block = ProducerIdBlock(
                    brokerId: brokerId, blockStartId: current.blockEndId + 1,
                    blockEndId: current.blockEndId + ProducerIdBlockZNode.blockSize)
            } else {
                logger.debug("\(prefix)There is no producerId block yet (Zk path version \(stat.version)), creating the first block")
                block = ProducerIdBlock(brokerId: brokerId, blockStartId: 0, blockEndId: ProducerIdBlockZNode.blockSize - 1)
            }
            let written: Int32
            do {
                written = try await zkClient.zooKeeper.setData(
                    path, data: ProducerIdBlockZNode.encode(block), version: ZkVersion(stat.version)).version
            } catch let error as ZooKeeperError where error.code == .badVersion || error.code == .noNode {
                // Another broker claimed first, unless this very write went through before a lost
                // connection and its resend met its own new version: then the node holds our block.
                guard error.code == .badVersion, let (now, nowStat) = try await zkClient.dataIfExists(path),
                    (try? ProducerIdBlockZNode.decode(now)) == block
                else { continue }
                written = nowStat.version
            }
            logger.info("\(prefix)Acquired new producerId block \(block) by writing to Zk with path version \(written)")
            return block
        }
    }
}

/// Failures of `ProducerIdManager`.
public enum ProducerIdManagerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The next block would pass `Int64.max` (Kafka: "Have exhausted all producerIds.").
    case producerIdsExhausted(lastBlockEnd: Int64)

    public var description: String {
        switch self {
        case .producerIdsExhausted(let end): "Have exhausted all producerIds (last block ends at \(end))."
        }
    }
}
