import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaStorage
import Testing

@testable import KafkaBroker

/// `ReplicaManager.fetchMessages` without a socket (Kafka's `ReplicaManagerTest` for fetch):
/// answered at once when there is enough, parked in the fetch purgatory until an append (or the
/// timeout, on the injected clock) completes it, and the per-partition errors.
@Suite struct ReplicaManagerFetchTests {
    let harness: HandlerHarness
    var tp: TopicPartition { harness.tp }
    var manager: ReplicaManager { harness.manager }

    init() throws { harness = try HandlerHarness() }

    /// Fetches `partitions` from `offset` (a consumer unless `replicaId` ≥ 0); the answer lands in
    /// the returned box, now or when the delayed fetch completes.
    func fetch(_ partitions: [TopicPartition]? = nil, from offset: Int64 = 0, replicaId: BrokerId = .none,
               maxWaitMs: Int64 = 30_000, minBytes: Int = 1) async -> Answer<[FetchPartitionData]> {
        let answer = Answer<[FetchPartitionData]>()
        await manager.fetchMessages(
            timeout: maxWaitMs, replicaId: replicaId, fetchMinBytes: minBytes, fetchMaxBytes: 1 << 20, hardMaxBytesLimit: false,
            fetchInfos: (partitions ?? [tp]).map {
                ($0, .init(partition: $0.partition, currentLeaderEpoch: 1, fetchOffset: offset, logStartOffset: 0, partitionMaxBytes: 1 << 20))
            },
            isolationLevel: .readUncommitted, clientReadsZstd: true) { answer.set($0) }
        return answer
    }

    func append(_ count: Int) throws {
        let errors = Answer<[ErrorCode]>()
        manager.appendRecords(timeout: 30_000, requiredAcks: 1, internalTopicsAllowed: false,
                              entriesPerPartition: [(tp, try HandlerHarness.records(count))]) { errors.set($0.map(\.response.errorCode)) }
        #expect(errors.value == [.none])
    }

    @Test func aFetchWithEnoughBytesIsAnsweredAtOnce() async throws {
        try harness.becomeLeader(leaderEpoch: 1, isr: [1])
        try append(3)
        let answer = await fetch()
        let read = try #require(answer.value?.first, "answered on the calling thread")
        #expect(read.data.errorCode == .none)
        #expect(read.data.highWatermark == 3)
        #expect(read.records.size > 0)
        #expect(MemoryRecords(try read.records.read()).batches.map(\.baseOffset) == [0])
        #expect(manager.fetchPurgatory.watched == 0, "never parked")
        await manager.shutdown { _ in }
    }

    @Test func aFetchWithMinBytesWaitsUntilAnAppendCompletesIt() async throws {
        try harness.becomeLeader(leaderEpoch: 1, isr: [1])
        let answer = await fetch()
        #expect(answer.value == nil, "nothing to read yet: parked")
        #expect(manager.fetchPurgatory.watched == 1)
        try append(2)
        let read = try #require(answer.value?.first, "completed by the append's thread")
        #expect(read.data.errorCode == .none)
        #expect(read.data.highWatermark == 2)
        #expect(MemoryRecords(try read.records.read()).batches.map(\.baseOffset) == [0])
        await harness.expireDelayed()
        #expect(answer.answers == 1)
        await manager.shutdown { _ in }
    }

    @Test func aConsumerWaitsForTheHighWatermarkAFollowerForTheLogEnd() async throws {
        try harness.becomeLeader(leaderEpoch: 1, isr: [1, 2])
        let consumer = await fetch()
        let follower = await fetch(replicaId: 2)
        try append(1)
        #expect(consumer.value == nil, "the high watermark has not moved: broker 2 lacks the record")
        let read = try #require(follower.value?.first, "a follower reads up to the log end offset")
        #expect(read.records.size > 0)
        #expect(read.data.highWatermark == 0)
        // The follower's next fetch, from offset 1, moves the high watermark: the consumer's
        // fetch completes.
        let next = await fetch(from: 1, replicaId: 2)
        #expect(next.value == nil, "nothing new for the follower")
        let consumed = try #require(consumer.value?.first)
        #expect(consumed.data.highWatermark == 1)
        #expect(consumed.records.size > 0)
        await manager.shutdown { _ in }
    }

    @Test func aFetchShortOfMinBytesIsAnsweredWithWhatThereIsAtTheTimeout() async throws {
        try harness.becomeLeader(leaderEpoch: 1, isr: [1])
        try append(1)
        let answer = await fetch(maxWaitMs: 500, minBytes: 1 << 20)
        #expect(answer.value == nil)
        harness.time.sleep(501)
        await harness.expireDelayed()
        let read = try #require(answer.value?.first, "answered by the timer")
        #expect(read.data.errorCode == .none)
        #expect(read.records.size > 0)
        await manager.shutdown { _ in }
    }

    @Test func unknownAndFollowerPartitionsAreAnsweredAtOnceWithTheirErrors() async throws {
        let unknown = await fetch([TopicPartition("elsewhere", 0)])
        #expect(unknown.value?.map(\.data.errorCode) == [.unknownTopicOrPartition], "nothing to wait for")
        #expect(unknown.value?.first?.records.size == 0)

        try harness.becomeFollower(leaderEpoch: 1)
        let notLeader = await fetch()
        #expect(notLeader.value?.map(\.data.errorCode) == [.notLeaderForPartition])

        try harness.becomeLeader(leaderEpoch: 3, isr: [1])
        let fenced = await fetch(maxWaitMs: 0)
        #expect(fenced.value?.map(\.data.errorCode) == [.fencedLeaderEpoch], "epoch 1 is older than 3")
        await manager.shutdown { _ in }
    }
}
