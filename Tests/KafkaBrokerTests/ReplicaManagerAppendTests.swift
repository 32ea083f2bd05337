import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaStorage
import NIOCore
import Synchronization
import Testing

@testable import KafkaBroker

/// Where an asynchronous answer lands, whenever and on whichever thread it comes.
final class Answer<Value: Sendable>: Sendable {
    private let box = Mutex<Value?>(nil)
    private let count = Mutex(0)
    func set(_ value: Value) {
        box.withLock { $0 = value }
        count.withLock { $0 += 1 }
    }
    var value: Value? { box.withLock { $0 } }
    /// How many times it was answered (exactly once is the contract).
    var answers: Int { count.withLock { $0 } }
}

/// `ReplicaManager.appendRecords` without a socket (Kafka's `ReplicaManagerTest` for produce):
/// the acks, the per-partition errors, and acks=all answered by whoever moves the high watermark
/// or by the timeout on the injected clock.
@Suite struct ReplicaManagerAppendTests {
    typealias Responses = [(topicPartition: TopicPartition, response: Produce.PartitionResponse)]
    let harness: HandlerHarness
    var tp: TopicPartition { harness.tp }
    var manager: ReplicaManager { harness.manager }

    init() throws { harness = try HandlerHarness() }

    func append(_ entries: [(TopicPartition, MemoryRecords)], acks: Int16, timeout: Int64 = 30_000,
                internalTopicsAllowed: Bool = false) -> Answer<[(TopicPartition, ErrorCode, Int64)]> {
        let answer = Answer<[(TopicPartition, ErrorCode, Int64)]>()
        manager.appendRecords(timeout: timeout, requiredAcks: acks, internalTopicsAllowed: internalTopicsAllowed,
                              entriesPerPartition: entries) { responses in
            answer.set(responses.map { ($0.topicPartition, $0.response.errorCode, $0.response.baseOffset) })
        }
        return answer
    }

    /// A consumer's read of `tp` from `offset`: the error and the records' values.
    func consume(from offset: Int64) async throws -> (ErrorCode, [String]) {
        let answer = Answer<[FetchPartitionData]>()
        await manager.fetchMessages(
            timeout: 0, replicaId: .none, fetchMinBytes: 1, fetchMaxBytes: 1 << 20, hardMaxBytesLimit: false,
            fetchInfos: [(tp, .init(partition: tp.partition, currentLeaderEpoch: -1, fetchOffset: offset, partitionMaxBytes: 1 << 20))],
            isolationLevel: .readUncommitted, clientReadsZstd: true) { answer.set($0) }
        let read = try #require(answer.value?.first)
        let bytes = try read.records.read()
        var values: [String] = []
        for batch in MemoryRecords(bytes).batches {
            var records = try batch.records()
            while let record = try records.next() { values.append(String(buffer: record.value ?? ByteBuffer())) }
        }
        return (read.data.errorCode, values)
    }

    @Test func acksOneIsAnsweredAtOnceAndReadsBack() async throws {
        try harness.becomeLeader(leaderEpoch: 1, isr: [1, 2])
        let answer = append([(tp, try HandlerHarness.records(3))], acks: 1)
        let responses = try #require(answer.value, "acks=1 is answered on the calling thread")
        #expect(responses.map(\.1) == [.none])
        #expect(responses.map(\.2) == [0])
        // The follower has not fetched: a consumer sees nothing yet, the log holds the three.
        #expect(try await consume(from: 0).1.isEmpty)
        #expect(manager.partition(tp)?.logEndOffset == 3)
        // Broker 2 fetches from offset 3: it has them, the high watermark moves.
        await manager.fetchMessages(
            timeout: 0, replicaId: 2, fetchMinBytes: 1, fetchMaxBytes: 1 << 20, hardMaxBytesLimit: false,
            fetchInfos: [(tp, .init(partition: 0, currentLeaderEpoch: 1, fetchOffset: 3, logStartOffset: 0, partitionMaxBytes: 1 << 20))],
            isolationLevel: .readUncommitted, clientReadsZstd: true) { _ in }
        let (error, values) = try await consume(from: 0)
        #expect(error == .none)
        #expect(values == ["v0", "v1", "v2"])
        await manager.shutdown { _ in }
    }

    @Test func acksAllWaitsUntilAFollowerFetchMovesTheHighWatermark() async throws {
        try harness.becomeLeader(leaderEpoch: 1, isr: [1, 2])
        let answer = append([(tp, try HandlerHarness.records(3))], acks: -1)
        #expect(answer.value == nil, "waiting for broker 2")
        #expect(manager.producePurgatory.watched == 1)

        func followerFetch(from offset: Int64) async {
            await manager.fetchMessages(
                timeout: 0, replicaId: 2, fetchMinBytes: 1, fetchMaxBytes: 1 << 20, hardMaxBytesLimit: false,
                fetchInfos: [(tp, .init(partition: 0, currentLeaderEpoch: 1, fetchOffset: offset, logStartOffset: 0,
                                        partitionMaxBytes: 1 << 20))],
                isolationLevel: .readUncommitted, clientReadsZstd: true) { _ in }
        }
        await followerFetch(from: 0)
        #expect(answer.value == nil, "the follower has not got the records yet")
        await followerFetch(from: 3)
        let responses = try #require(answer.value, "answered by the follower's fetch")
        #expect(responses.map(\.1) == [.none])
        #expect(responses.map(\.2) == [0])
        #expect(answer.answers == 1)
        #expect(manager.partition(tp)?.highWatermark == 3)
        await harness.expireDelayed()
        #expect(answer.answers == 1, "completed once, never expired")
        await manager.shutdown { _ in }
    }

    @Test func acksAllTimesOutWithRequestTimedOut() async throws {
        try harness.becomeLeader(leaderEpoch: 1, isr: [1, 2])
        let answer = append([(tp, try HandlerHarness.records(2)), (TopicPartition("orders", 9), try HandlerHarness.records(1))],
                            acks: -1, timeout: 1_000)
        #expect(answer.value == nil)
        harness.time.sleep(999)
        await harness.expireDelayed()
        #expect(answer.value == nil, "1 ms before the timeout")
        harness.time.sleep(2)
        await harness.expireDelayed()
        let responses = try #require(answer.value, "answered by the timer")
        #expect(responses.map(\.1) == [.requestTimedOut, .unknownTopicOrPartition])
        #expect(responses.map(\.2) == [0, -1], "the append happened; only the acknowledgement is missing")
        #expect(manager.partition(tp)?.logEndOffset == 2)
        await manager.shutdown { _ in }
    }

    @Test func aFollowerPartitionIsNotLeaderAndNothingWaits() async throws {
        try harness.becomeFollower(leaderEpoch: 1)
        for acks: Int16 in [1, -1] {
            let responses = try #require(append([(tp, try HandlerHarness.records(1))], acks: acks).value)
            #expect(responses.map(\.1) == [.notLeaderForPartition])
            #expect(responses.map(\.2) == [-1])
        }
        #expect(manager.producePurgatory.watched == 0)
        #expect(manager.partition(tp)?.logEndOffset == 0)
        await manager.shutdown { _ in }
    }

    @Test func unknownPartitionsInvalidAcksAndInternalTopicsAreRefused() async throws {
        try harness.becomeLeader(leaderEpoch: 1, isr: [1])
        let unknown = try #require(append([(TopicPartition("elsewhere", 0), try HandlerHarness.records(1))], acks: 1).value)
        #expect(unknown.map(\.1) == [.unknownTopicOrPartition])

        let invalid = try #require(append([(tp, try HandlerHarness.records(1)), (tp, try HandlerHarness.records(1))], acks: 2).value)
        #expect(invalid.map(\.1) == [.invalidRequiredAcks, .invalidRequiredAcks])
        #expect(manager.partition(tp)?.logEndOffset == 0, "nothing appended")

        let offsets = TopicPartition("__consumer_offsets", 0)
        let refused = try #require(append([(offsets, try HandlerHarness.records(1))], acks: 1).value)
        #expect(refused.map(\.1) == [.invalidTopicException])
        let admin = try #require(append([(offsets, try HandlerHarness.records(1))], acks: 1, internalTopicsAllowed: true).value)
        #expect(admin.map(\.1) == [.unknownTopicOrPartition], "allowed, but not hosted here")
        await manager.shutdown { _ in }
    }

    @Test func aPartitionNamedTwiceIsAppendedTwiceAndAnsweredInOrder() async throws {
        try harness.becomeLeader(leaderEpoch: 1, isr: [1])
        let responses = try #require(append([(tp, try HandlerHarness.records(2)), (tp, try HandlerHarness.records(3))], acks: -1).value,
                                     "a leader alone in its ISR acknowledges at once")
        #expect(responses.map(\.1) == [.none, .none])
        #expect(responses.map(\.2) == [0, 2])
        await manager.shutdown { _ in }
    }
}
