import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaStorage
import NIOCore
import Testing

@testable import KafkaBroker

/// WriteTxnMarkers v0 on a leader: the control batch it appends, acks=all through the produce
/// purgatory, the per-partition errors, and the refusal of a client's control batch.
@Suite struct WriteTxnMarkersHandlerTests {
    let harness: HandlerHarness
    var tp: TopicPartition { harness.tp }
    init() throws { harness = try HandlerHarness() }

    var handler: WriteTxnMarkersHandler {
        WriteTxnMarkersHandler(replicaManager: harness.manager, requestTimeoutMs: 30_000, time: harness.time)
    }

    static func request(_ markers: [WriteTxnMarkers.TxnMarker]) -> KafkaRequest {
        HandlerHarness.request(WriteTxnMarkers.self, .init(transactionMarkers: markers), version: 0)
    }

    static func marker(producerId: Int64 = 4000, commit: Bool, coordinatorEpoch: Int32 = 5,
                       _ partitions: [(String, [Int32])]) -> WriteTxnMarkers.TxnMarker {
        .init(producerId: producerId, producerEpoch: 2, transactionResult: commit,
              topics: partitions.map { .init(topic: $0.0, partitions: $0.1) }, coordinatorEpoch: coordinatorEpoch)
    }

    /// Sends `markers` and returns the response once the handler answered (the answer arrives
    /// from whichever thread completed the last append).
    func send(_ markers: [WriteTxnMarkers.TxnMarker]) async throws -> WriteTxnMarkers.Response {
        let action = try await handler.handle(Self.request(markers))
        return try HandlerHarness.response(WriteTxnMarkers.self, of: action, version: 0)
    }

    func errors(_ response: WriteTxnMarkers.Response) -> [String: ErrorCode] {
        var result: [String: ErrorCode] = [:]
        for marker in response.transactionMarkers {
            for topic in marker.topics {
                for partition in topic.partitions { result["\(marker.producerId)/\(topic.topic)-\(partition.partition)"] = partition.errorCode }
            }
        }
        return result
    }

    func batches(_ partition: Partition) throws -> [RecordBatch] {
        let bytes = try partition.log.withLock { log in try log.readBytes(try log.read(startOffset: 0, maxLength: 1 << 20)) }
        return Array(MemoryRecords(bytes).batches)
    }

    @Test func appendsAControlBatchCarryingTheMarker() async throws {
        let partition = try harness.becomeLeader(leaderEpoch: 3, isr: [1])
        let response = try await send([
            Self.marker(commit: false, [(tp.topic, [tp.partition]), ("missing", [0])]),
            Self.marker(producerId: 4001, commit: true, [(tp.topic, [tp.partition])]),
        ])
        #expect(response.transactionMarkers.map(\.producerId) == [4000, 4001])
        #expect(errors(response) == ["4000/orders-0": .none, "4000/missing-0": .unknownTopicOrPartition, "4001/orders-0": .none])

        let written = try batches(partition)
        #expect(written.map(\.baseOffset) == [0, 1])
        for batch in written {
            #expect(batch.isControlBatch && batch.isTransactional)
            #expect(batch.producerEpoch == 2 && batch.baseSequence == RecordBatch.noSequence)
            #expect(batch.partitionLeaderEpoch == 3)
        }
        #expect(written.map(\.producerId) == [4000, 4001])
        #expect(try written.map { try $0.controlRecordType() } == [.abort, .commit])
        var records = try written[0].records()
        let marker = try EndTransactionMarker(try #require(try records.next()))
        #expect(marker == EndTransactionMarker(type: .abort, coordinatorEpoch: 5))
        #expect(partition.highWatermark == 2)
        await harness.manager.shutdown { _ in }
    }

    @Test func aFollowerAnswersNotLeader() async throws {
        try harness.becomeFollower(leaderEpoch: 3)
        let response = try await send([Self.marker(commit: true, [(tp.topic, [tp.partition])])])
        #expect(errors(response) == ["4000/orders-0": .notLeaderForPartition])
        await harness.manager.shutdown { _ in }
    }

    @Test func noPartitionHostedAnswersAtOnce() async throws {
        let response = try await send([Self.marker(commit: true, [("missing", [0, 1])])])
        #expect(errors(response) == ["4000/missing-0": .unknownTopicOrPartition, "4000/missing-1": .unknownTopicOrPartition])
        #expect(try await send([]).transactionMarkers.isEmpty)
        await harness.manager.shutdown { _ in }
    }

    /// acks=all: the answer waits until the follower has the marker.
    @Test func theAnswerWaitsForTheIsr() async throws {
        let partition = try harness.becomeLeader(leaderEpoch: 3, isr: [1, 2])
        let answer = Answer<KafkaResponseAction>()
        try await handler.handle(Self.request([Self.marker(commit: true, [(tp.topic, [tp.partition])])])) { answer.set($0) }
        #expect(answer.value == nil, "parked until broker 2 has the marker")
        #expect(harness.manager.producePurgatory.watched == 1)
        #expect(try batches(partition).count == 1)

        _ = partition.recordFollowerFetch(2, fetchOffset: 1, followerLogStartOffset: 0, replicaLagTimeMaxMs: 10_000)
        harness.manager.producePurgatory.checkAndComplete(tp)
        let response = try HandlerHarness.response(WriteTxnMarkers.self, of: try #require(answer.value), version: 0)
        #expect(errors(response) == ["4000/orders-0": .none])
        await harness.manager.shutdown { _ in }
    }

    /// A client may not write control batches: Kafka 2.3 answers CORRUPT_MESSAGE.
    @Test func aClientsControlBatchIsRefused() async throws {
        let partition = try harness.becomeLeader(leaderEpoch: 3, isr: [1])
        let batch = try EndTransactionMarker(type: .commit, coordinatorEpoch: 0)
            .controlBatch(timestamp: 1_000, producerId: 4000, producerEpoch: 2)
        let errors = Answer<[ErrorCode]>()
        harness.manager.appendRecords(timeout: 30_000, requiredAcks: 1, internalTopicsAllowed: false,
                                      entriesPerPartition: [(tp, batch)]) { errors.set($0.map(\.response.errorCode)) }
        #expect(errors.value == [.corruptMessage])
        #expect(try batches(partition).isEmpty)
        await harness.manager.shutdown { _ in }
    }

    @Test func messageFormatsBefore011HaveNoMarkers() {
        #expect(!WriteTxnMarkersHandler.supportsTransactions(messageFormatVersion: "0.10.2-IV0"))
        #expect(!WriteTxnMarkersHandler.supportsTransactions(messageFormatVersion: "0.9.0"))
        #expect(WriteTxnMarkersHandler.supportsTransactions(messageFormatVersion: "0.11.0-IV2"))
        #expect(WriteTxnMarkersHandler.supportsTransactions(messageFormatVersion: "2.3-IV1"))
    }
}
