import Foundation
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Logging
import Testing
import TransactionCoordinator
import ZooKeeper

let testLogger: Logger = {
    var logger = Logger(label: "transaction-coordinator-tests")
    logger.logLevel = .warning
    return logger
}()

/// ProducerIdManager against a real ZooKeeper server (the process-wide `SharedZooKeeper`), each
/// test under a chroot of its own.
@Suite("ProducerIdManager")
struct ProducerIdManagerTests {
    /// A session under a fresh chroot, created with `/latest_producer_id_block` absent.
    static func withChroot<T>(_ body: (_ connect: @Sendable () async throws -> KafkaZkClient) async throws -> T) async throws -> T {
        let ensemble = try await SharedZooKeeper.shared.get()
        let connectString = ensemble.connectString(chroot: "/t-\(UUID().uuidString)")
        let clients = ClientList()
        let connect: @Sendable () async throws -> KafkaZkClient = {
            let client = try await KafkaZkClient.connect(
                connectString, sessionTimeout: .seconds(6), connectionTimeout: .seconds(10), logger: testLogger)
            clients.append(client)
            return client
        }
        do {
            let result = try await body(connect)
            for client in clients.all { await client.close() }
            return result
        } catch {
            for client in clients.all { await client.close() }
            throw error
        }
    }

    static func latestBlock(_ zk: KafkaZkClient) async throws -> (ProducerIdBlock?, Int32) {
        let (data, stat) = try #require(try await zk.dataIfExists(ProducerIdBlockZNode.path))
        return (try ProducerIdBlockZNode.decode(data), stat.version)
    }

    @Test func firstBlockIsCreatedWhenTheZNodeIsAbsent() async throws {
        try await Self.withChroot { connect in
            let zk = try await connect()
            #expect(try await zk.dataIfExists(ProducerIdBlockZNode.path) == nil)
            let manager = try await ProducerIdManager.start(brokerId: 1, zkClient: zk, logger: testLogger)
            #expect(await manager.block == ProducerIdBlock(brokerId: 1, blockStartId: 0, blockEndId: 999))
            #expect(try await manager.generateProducerId() == 0)
            #expect(try await manager.generateProducerId() == 1)
            let (block, version) = try await Self.latestBlock(zk)
            #expect(block == ProducerIdBlock(brokerId: 1, blockStartId: 0, blockEndId: 999))
            #expect(version == 1, "created empty (version 0), then one checked setData")
        }
    }

    @Test func continuesAfterTheBlockKafkaWrote() async throws {
        try await Self.withChroot { connect in
            let zk = try await connect()
            try await zk.createTopLevelPaths()
            try await zk.zooKeeper.setData(
                ProducerIdBlockZNode.path,
                data: Array(#"{"version":1,"broker":0,"block_start":"5000","block_end":"5999"}"#.utf8))
            let manager = try await ProducerIdManager.start(brokerId: 3, zkClient: zk, logger: testLogger)
            #expect(try await manager.generateProducerId() == 6000)
            let (block, _) = try await Self.latestBlock(zk)
            #expect(block == ProducerIdBlock(brokerId: 3, blockStartId: 6000, blockEndId: 6999))
        }
    }

    @Test func claimsTheNextBlockWhenExhausted() async throws {
        try await Self.withChroot { connect in
            let zk = try await connect()
            let manager = try await ProducerIdManager.start(brokerId: 1, zkClient: zk, logger: testLogger)
            var ids: [Int64] = []
            for _ in 0..<1001 { ids.append(try await manager.generateProducerId()) }
            #expect(ids == Array(0...1000))
            #expect(await manager.block == ProducerIdBlock(brokerId: 1, blockStartId: 1000, blockEndId: 1999))
            let (block, version) = try await Self.latestBlock(zk)
            #expect(block == ProducerIdBlock(brokerId: 1, blockStartId: 1000, blockEndId: 1999))
            #expect(version == 2)
        }
    }

    @Test func exhaustedIdsAreAnError() async throws {
        try await Self.withChroot { connect in
            let zk = try await connect()
            try await zk.createTopLevelPaths()
            let last = ProducerIdBlock(brokerId: 0, blockStartId: Int64.max - 1999, blockEndId: Int64.max - 999)
            try await zk.zooKeeper.setData(ProducerIdBlockZNode.path, data: ProducerIdBlockZNode.encode(last))
            await #expect(throws: ProducerIdManagerError.producerIdsExhausted(lastBlockEnd: Int64.max - 999)) {
                _ = try await ProducerIdManager.start(brokerId: 1, zkClient: zk, logger: testLogger)
            }
        }
    }

    /// Two brokers, each with its own session, claim blocks at the same time (every claim races
    /// the other broker's, so BADVERSION and re-reads happen): the ids they hand out never
    /// overlap, and the blocks claimed are exactly 0...5999 in consecutive blocks of 1,000.
    @Test func twoBrokersClaimingConcurrentlyNeverOverlap() async throws {
        try await Self.withChroot { connect in
            let zk1 = try await connect()
            let zk2 = try await connect()
            let perBroker = 2500
            async let first = Self.generate(perBroker, brokerId: 1, zk: zk1)
            async let second = Self.generate(perBroker, brokerId: 2, zk: zk2)
            let (ids1, ids2) = try await (first, second)
            #expect(Set(ids1).count == perBroker && Set(ids2).count == perBroker)
            #expect(Set(ids1).isDisjoint(with: ids2))
            // Each broker used three whole blocks of its own: ids come in block order.
            #expect(ids1 == ids1.sorted() && ids2 == ids2.sorted())
            let blocks1 = Set(ids1.map { $0 / 1000 }), blocks2 = Set(ids2.map { $0 / 1000 })
            #expect(blocks1.count == 3 && blocks2.count == 3)
            #expect(blocks1.union(blocks2) == Set(0..<6))
            let (latest, version) = try await Self.latestBlock(zk1)
            #expect(latest?.blockStartId == 5000 && latest?.blockEndId == 5999)
            #expect(version == 6, "six claims, each one checked setData")
        }
    }

    static func generate(_ count: Int, brokerId: BrokerId, zk: KafkaZkClient) async throws -> [Int64] {
        let manager = try await ProducerIdManager.start(brokerId: brokerId, zkClient: zk, logger: testLogger)
        var ids: [Int64] = []
        for _ in 0..<count { ids.append(try await manager.generateProducerId()) }
        return ids
    }

    /// Callers racing on one manager while it claims share the claim: every id is handed out once.
    @Test func concurrentCallersOnOneManagerGetDistinctIds() async throws {
        try await Self.withChroot { connect in
            let zk = try await connect()
            let manager = try await ProducerIdManager.start(brokerId: 1, zkClient: zk, logger: testLogger)
            let ids = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var ids: [Int64] = []
                        for _ in 0..<600 { ids.append(try await manager.generateProducerId()) }
                        return ids
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0 += $1 }
            }
            #expect(ids.sorted() == Array(0..<2400))
            #expect(try await Self.latestBlock(zk).1 == 3)
        }
    }
}

/// The clients a test opened, closed when it ends.
final class ClientList: @unchecked Sendable {
    private let lock = NSLock()
    private var clients: [KafkaZkClient] = []
    func append(_ client: KafkaZkClient) { lock.withLock { clients.append(client) } }
    var all: [KafkaZkClient] { lock.withLock { clients } }
}
