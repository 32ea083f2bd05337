import KafkaCommon
import KafkaProtocol
import KafkaRecords
@testable import KafkaStorage
import NIOCore
import Testing

@testable import KafkaBroker

/// `read_committed` on the leader: Fetch reads up to the last stable offset and names the
/// aborted transactions, `read_uncommitted` reads to the high watermark and gets a null list,
/// both report the LSO; a parked `read_committed` fetch completes when the LSO moves; ListOffsets
/// answers the LSO for latest. The test plays the producer state's part: it sets the first
/// unstable offset and records the ended transaction, as the append path does for a marker.
@Suite struct ReadCommittedFetchTests {
    let harness: HandlerHarness
    var tp: TopicPartition { harness.tp }
    var manager: ReplicaManager { harness.manager }
    init() throws { harness = try HandlerHarness() }

    func fetch(from offset: Int64 = 0, isolation: IsolationLevel, minBytes: Int = 1) async -> Answer<[FetchPartitionData]> {
        let answer = Answer<[FetchPartitionData]>()
        await manager.fetchMessages(
            timeout: 30_000, replicaId: .none, fetchMinBytes: minBytes, fetchMaxBytes: 1 << 20, hardMaxBytesLimit: false,
            fetchInfos: [(tp, .init(partition: tp.partition, currentLeaderEpoch: 1, fetchOffset: offset, logStartOffset: 0,
                                    partitionMaxBytes: 1 << 20))],
            isolationLevel: isolation, clientReadsZstd: true) { answer.set($0) }
        return answer
    }

    func append(_ records: MemoryRecords) {
        let errors = Answer<[ErrorCode]>()
        manager.appendRecords(timeout: 30_000, requiredAcks: 1, internalTopicsAllowed: false,
                              entriesPerPartition: [(tp, records)]) { errors.set($0.map(\.response.errorCode)) }
        #expect(errors.value == [.none])
    }

    static func transactional(producerId: Int64, count: Int) throws -> MemoryRecords {
        var builder = MemoryRecordsBuilder(producerId: producerId, producerEpoch: 0, baseSequence: 0, isTransactional: true)
        for index in 0..<count { builder.append(timestamp: 1_000, key: nil, value: ByteBuffer(string: "t\(index)")) }
        return try builder.buildRecords()
    }

    /// Producer 7's transaction at 0...2 (open), plain records at 3...4; high watermark 5.
    func openTransaction() throws -> Partition {
        let partition = try harness.becomeLeader(leaderEpoch: 1, isr: [1])
        append(try Self.transactional(producerId: 7, count: 3))
        append(try HandlerHarness.records(2))
        #expect(partition.highWatermark == 5)
        #expect(partition.lastStableOffset == 0)
        return partition
    }

    /// The ABORT marker at 5, which the producer state records in the `.txnindex`; then the
    /// append path's check of the waiting fetches.
    func abort(_ partition: Partition) throws {
        let marker = try EndTransactionMarker(type: .abort, coordinatorEpoch: 0)
            .controlBatch(timestamp: 1_000, producerId: 7, producerEpoch: 0)
        let appended = try partition.appendRecordsToLeader(marker, requiredAcks: -1, replicaLagTimeMaxMs: 10_000, origin: .coordinator)
        #expect(appended.result.lastOffset == 5)
        #expect(try partition.log.withLock { try $0.activeSegment.txnIndex.entries() } == [
            AbortedTransaction(producerId: 7, firstOffset: 0, lastOffset: 5, lastStableOffset: 6),
        ])
        manager.fetchPurgatory.checkAndComplete(tp)
    }

    @Test func readUncommittedReadsToTheHighWatermarkAndReportsTheLso() async throws {
        _ = try openTransaction()
        let read = try #require(await fetch(isolation: .readUncommitted).value?.first)
        #expect(read.data.highWatermark == 5)
        #expect(read.data.lastStableOffset == 0)
        #expect(read.data.abortedTransactions == nil)
        #expect(MemoryRecords(try read.records.read()).batches.map(\.baseOffset) == [0, 3])
        await manager.shutdown { _ in }
    }

    @Test func readCommittedWaitsForTheLsoAndNamesTheAbortedTransaction() async throws {
        let partition = try openTransaction()
        let answer = await fetch(isolation: .readCommitted)
        #expect(answer.value == nil, "nothing below the LSO (0): parked although the high watermark is 5")
        #expect(manager.fetchPurgatory.watched == 1)

        try abort(partition)
        let read = try #require(answer.value?.first, "the LSO moved to 6: completed by the marker's append")
        #expect(read.data.errorCode == .none)
        #expect(read.data.lastStableOffset == 6)
        #expect(read.data.abortedTransactions == [Fetch.AbortedTransaction(producerId: 7, firstOffset: 0)])
        #expect(MemoryRecords(try read.records.read()).batches.map(\.baseOffset) == [0, 3, 5])

        // From past the marker: an empty list, not null.
        append(try HandlerHarness.records(1))
        let later = try #require(await fetch(from: 6, isolation: .readCommitted).value?.first)
        #expect(later.data.abortedTransactions == [])
        #expect(later.data.lastStableOffset == 7)
        await manager.shutdown { _ in }
    }

    /// A fetch offset past the LSO but not past the high watermark is not out of range: it waits.
    @Test func aReadCommittedFetchPastTheLsoWaits() async throws {
        let partition = try openTransaction()
        let answer = await fetch(from: 3, isolation: .readCommitted)
        #expect(answer.value == nil)
        #expect(manager.fetchPurgatory.watched == 1)
        try abort(partition)
        let read = try #require(answer.value?.first)
        #expect(MemoryRecords(try read.records.read()).batches.map(\.baseOffset) == [3, 5])
        #expect(read.data.abortedTransactions == [Fetch.AbortedTransaction(producerId: 7, firstOffset: 0)])
        await manager.shutdown { _ in }
    }

    @Test func listOffsetsLatestIsTheLsoForReadCommitted() async throws {
        _ = try openTransaction()
        func latest(isolation: Int8, version: Int16 = 2) async throws -> Int64 {
            let handler = ListOffsetsHandler(replicaManager: manager)
            let request = ListOffsets.Request(replicaId: .none, isolationLevel: isolation, topics: [
                .init(name: tp.topic, partitions: [.init(partitionIndex: tp.partition, timestamp: -1)]),
            ])
            let action = try await handler.handle(HandlerHarness.request(ListOffsets.self, request, version: version))
            return try #require(try HandlerHarness.response(ListOffsets.self, of: action, version: version).topics.first?.partitions.first).offset
        }
        #expect(try await latest(isolation: 1) == 0)
        #expect(try await latest(isolation: 0) == 5)
        // v1 has no isolation level: read_uncommitted.
        #expect(try await latest(isolation: 1, version: 1) == 5)
        await manager.shutdown { _ in }
    }
}
