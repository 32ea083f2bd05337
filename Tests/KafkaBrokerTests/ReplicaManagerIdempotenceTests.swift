import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaStorage
import NIOCore
import Testing

@testable import KafkaBroker

/// The producer state's answers in Produce responses: a retry answered NONE with the first base
/// offset and written once, and the sequence errors with the partition's log start offset.
@Suite struct ReplicaManagerIdempotenceTests {
    let harness: HandlerHarness
    var tp: TopicPartition { harness.tp }
    var manager: ReplicaManager { harness.manager }

    init() throws { harness = try HandlerHarness() }

    static func batch(sequence: Int32, count: Int = 2, epoch: Int16 = 0) throws -> MemoryRecords {
        var builder = MemoryRecordsBuilder(producerId: 4000, producerEpoch: epoch, baseSequence: sequence)
        for index in 0..<count { builder.append(timestamp: 1_000, key: nil, value: ByteBuffer(string: "s\(sequence)-\(index)")) }
        return try builder.buildRecords()
    }

    func produce(_ records: MemoryRecords) throws -> Produce.PartitionResponse {
        let answer = Answer<Produce.PartitionResponse>()
        manager.appendRecords(timeout: 30_000, requiredAcks: 1, internalTopicsAllowed: false, entriesPerPartition: [(tp, records)]) {
            answer.set($0[0].response)
        }
        return try #require(answer.value)
    }

    @Test func retriesAndSequenceErrors() async throws {
        try harness.becomeLeader(leaderEpoch: 1, isr: [1])
        #expect(try produce(try Self.batch(sequence: 0)).baseOffset == 0)
        #expect(try produce(try Self.batch(sequence: 2)).baseOffset == 2)
        let retry = try produce(try Self.batch(sequence: 0))
        #expect(retry.errorCode == .none && retry.baseOffset == 0)
        #expect(manager.partition(tp)?.logEndOffset == 4)

        try manager.partition(tp)?.log.deleteRecords(upTo: 1)
        let gap = try produce(try Self.batch(sequence: 9))
        #expect(gap.errorCode == .outOfOrderSequenceNumber && gap.baseOffset == -1)
        #expect(gap.logStartOffset == 1)
        let next = try produce(try Self.batch(sequence: 4))
        #expect(next.errorCode == .none && next.baseOffset == 4)
        var fenced = MemoryRecordsBuilder(producerId: 4000, producerEpoch: 0, baseSequence: 0)
        fenced.append(timestamp: 1_000, key: nil, value: nil)
        #expect(try produce(try Self.batch(sequence: 0, epoch: 1)).errorCode == .none, "a new epoch starts at 0")
        #expect(try produce(try fenced.buildRecords()).errorCode == .invalidProducerEpoch)
        var unknown = MemoryRecordsBuilder(producerId: 4001, producerEpoch: 0, baseSequence: 7)
        unknown.append(timestamp: 1_000, key: nil, value: nil)
        #expect(try produce(try unknown.buildRecords()).errorCode == .unknownProducerId)
        await manager.shutdown { _ in }
    }
}
