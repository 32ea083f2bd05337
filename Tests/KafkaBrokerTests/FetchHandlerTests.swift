import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaStorage
import Logging
import NIOCore
import Synchronization
import Testing

@testable import KafkaBroker

/// `FetchHandler` with fetch sessions, on a real `ReplicaManager` and log (no socket): the
/// incremental fetch that used to trap the broker, and a session's incremental fetch waiting in
/// the purgatory under the session's partitions.
@Suite struct FetchHandlerTests {
    let tp = TopicPartition("orders", 0)
    let time = ManualTime()
    let directory: URL
    let store = FakeIsrStore()
    let manager: ReplicaManager
    let handler: FetchHandler

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fetch-handler-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let directory = self.directory
        let time = self.time
        manager = ReplicaManager(brokerId: 1, config: ReplicationConfig(), time: time, isrStore: store) { tp, config in
            try Log(dir: directory.appendingPathComponent("\(tp.topic)-\(tp.partition)").path, config: config, hadCleanShutdown: true,
                    scheduler: DispatchScheduler(), time: time, logger: Logger(label: "test"))
        }
        handler = FetchHandler(replicaManager: manager, fetchManager: FetchManager(time: time))
    }

    /// Leads `orders-0` (by default alone, an ISR of one: an append moves the high watermark).
    func becomeLeader(isr: [BrokerId] = [1], replicas: [BrokerId] = [1]) throws -> Partition {
        let request = KafkaProtocol.LeaderAndIsr.Request(controllerId: 3, controllerEpoch: 1, topicStates: [
            .init(topicName: tp.topic, partitionStates: [
                .init(partitionIndex: 0, controllerEpoch: 1, leader: 1, leaderEpoch: 4, isr: isr, zkVersion: 7, replicas: replicas),
            ]),
        ], liveLeaders: [.init(brokerId: 1, hostName: "127.0.0.1", port: 1)])
        _ = manager.becomeLeaderOrFollower(request, configs: [:])
        return try #require(manager.partition(tp))
    }

    func request(frame: ByteBuffer) throws -> KafkaRequest {
        var frame = frame
        frame.moveReaderIndex(forwardBy: 4)
        let header = try RequestHeader(from: &frame)
        return KafkaRequest(header: header, body: frame, connectionId: "test", listenerName: "PLAINTEXT", receivedNanos: 0,
                            complete: { _ in })
    }

    func request(_ fetch: Fetch.Request, correlationId: Int32) throws -> KafkaRequest {
        var frame = ByteBuffer()
        frame.writeInt32(0)
        RequestHeader(apiKey: .fetch, apiVersion: 11, correlationId: correlationId, clientId: "test").write(into: &frame)
        fetch.write(into: &frame, version: 11)
        return try request(frame: frame)
    }

    /// Hands `request` to the handler; the answer, once there is one, lands in the returned box.
    func send(_ request: KafkaRequest, to handler: FetchHandler? = nil) async throws -> Answer {
        let answer = Answer()
        try await (handler ?? self.handler).handle(request) { action in answer.value.withLock { $0 = action } }
        return answer
    }

    /// Where a response lands, whenever it comes.
    final class Answer: Sendable {
        let value = Mutex<KafkaResponseAction?>(nil)
        var action: KafkaResponseAction? { value.withLock { $0 } }
    }

    /// The response frame's bytes up to its first records (all of it when it carries none):
    /// enough to read everything but the records.
    func leadingBytes(_ action: KafkaResponseAction?) throws -> ByteBuffer {
        switch action {
        case .send(let buffer): return buffer
        case .sendParts(let parts):
            var buffer = ByteBuffer()
            for part in parts {
                guard case .bytes(var bytes) = part else { break }
                buffer.writeBuffer(&bytes)
            }
            return buffer
        default:
            Issue.record("expected a response frame, got \(String(describing: action))")
            return ByteBuffer()
        }
    }

    /// (correlation id, error code, session id, partitions carried with their high watermarks).
    func summary(_ action: KafkaResponseAction?) throws -> (Int32, ErrorCode, Int32, [(Int32, Int64)]) {
        var frame = try leadingBytes(action)
        frame.moveReaderIndex(forwardBy: 4)
        let correlationId = try frame.readInt32("correlation_id")
        _ = try frame.readInt32("throttle_time_ms")
        let error = try frame.readErrorCode()
        let sessionId = try frame.readInt32("session_id")
        var partitions: [(Int32, Int64)] = []
        let topics = try frame.readInt32("topics")
        for _ in 0..<topics {
            _ = try frame.readKafkaString("topic")
            for _ in 0..<(try frame.readInt32("partitions")) {
                let index = try frame.readInt32("partition")
                _ = try frame.readErrorCode()
                partitions.append((index, try frame.readInt64("high_watermark")))
                if topics == 1 { break } // the records follow; the tests below carry one partition at most
            }
        }
        return (correlationId, error, sessionId, partitions)
    }

    @Test func theIncrementalFetchKafkaPythonSentIsAnsweredNotFatal() async throws {
        // A session id and epoch 2 from another broker's life, and no partitions: before fetch
        // sessions this put a Fetch with no watch key into the purgatory, whose precondition
        // stopped the whole broker.
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../KafkaProtocolTests/Fixtures/kafka-python/025_Fetch_v11.req.bin")
        let request = try request(frame: ByteBuffer(bytes: try Data(contentsOf: path)))
        #expect(request.header.correlationId == 6)
        // The handler as KafkaServer builds it, by its oldest initialiser.
        let answer = try await send(request, to: FetchHandler(replicaManager: manager))
        let (correlationId, error, sessionId, partitions) = try summary(answer.action)
        #expect(correlationId == 6)
        #expect(error == .fetchSessionIdNotFound)
        #expect(sessionId == 0)
        #expect(partitions.isEmpty)
        await manager.shutdown { _ in }
    }

    @Test func anEmptyIncrementalFetchWaitsForTheSessionsPartitions() async throws {
        let partition = try becomeLeader()
        let full = Fetch.Request(maxWaitMs: 0, minBytes: 1, sessionId: 0, sessionEpoch: 0, topics: [
            .init(topic: tp.topic, partitions: [.init(partition: 0, currentLeaderEpoch: 4, fetchOffset: 0, partitionMaxBytes: 1 << 20)]),
        ])
        let opened = try summary(try await send(try request(full, correlationId: 1)).action)
        #expect(opened.1 == .none)
        let sessionId = opened.2
        #expect(sessionId != 0)
        #expect(opened.3.map(\.0) == [0], "a full response carries every partition")

        // Nothing changed on either side: the incremental fetch names nothing and waits.
        let incremental = Fetch.Request(maxWaitMs: 30_000, minBytes: 1, sessionId: sessionId, sessionEpoch: 1, topics: [])
        let answer = try await send(try request(incremental, correlationId: 2))
        #expect(answer.action == nil, "waiting in the purgatory under the session's partition")
        #expect(manager.fetchPurgatory.watched == 1)

        var builder = MemoryRecordsBuilder()
        builder.append(timestamp: 1_000, key: nil, value: ByteBuffer(string: "v"))
        _ = try partition.appendRecordsToLeader(try builder.buildRecords(), requiredAcks: 1, replicaLagTimeMaxMs: 10_000)
        manager.completeDelayedRequests(tp)
        let (correlationId, error, echoedId, partitions) = try summary(answer.action)
        #expect(correlationId == 2)
        #expect(error == .none)
        #expect(echoedId == sessionId)
        #expect(partitions.map(\.0) == [0])
        #expect(partitions.map(\.1) == [1], "the new high watermark")

        // Unchanged again, and not allowed to wait: answered at once with nothing in it.
        let quiet = Fetch.Request(maxWaitMs: 0, minBytes: 1, sessionId: sessionId, sessionEpoch: 2, topics: [
            .init(topic: tp.topic, partitions: [.init(partition: 0, currentLeaderEpoch: 4, fetchOffset: 1, partitionMaxBytes: 1 << 20)]),
        ])
        let nothing = try summary(try await send(try request(quiet, correlationId: 3)).action)
        #expect(nothing.1 == .none)
        #expect(nothing.2 == sessionId)
        #expect(nothing.3.isEmpty)

        let stale = Fetch.Request(maxWaitMs: 0, minBytes: 1, sessionId: sessionId, sessionEpoch: 2, topics: [])
        let refused = try summary(try await send(try request(stale, correlationId: 4)).action)
        #expect(refused.1 == .invalidFetchSessionEpoch)
        await manager.shutdown { _ in }
    }

    /// Kafka reads first and answers at once when a read meets an error (`fetchMessages`'s
    /// `errorReadingData`): a consumer with a stale leader epoch learns it now, not after
    /// `max_wait_ms` in the purgatory (whose completion check looks at offsets, not epochs).
    @Test func aFetchFencedByItsLeaderEpochIsAnsweredAtOnceNotAfterMaxWait() async throws {
        _ = try becomeLeader()
        let stale = Fetch.Request(maxWaitMs: 30_000, minBytes: 1, sessionId: 0, sessionEpoch: -1, topics: [
            .init(topic: tp.topic, partitions: [.init(partition: 0, currentLeaderEpoch: 3, fetchOffset: 0, partitionMaxBytes: 1 << 20)]),
        ])
        let answer = try await send(try request(stale, correlationId: 9))
        #expect(manager.fetchPurgatory.watched == 0)
        var frame = try leadingBytes(answer.action)
        frame.moveReaderIndex(forwardBy: 4 + 4 + 4 + 2 + 4)  // size, correlation id, throttle, error, session id
        #expect(try frame.readInt32("topics") == 1)
        _ = try frame.readKafkaString("topic")
        #expect(try frame.readInt32("partitions") == 1)
        #expect(try frame.readInt32("partition") == 0)
        #expect(try frame.readErrorCode() == .fencedLeaderEpoch)
        await manager.shutdown { _ in }
    }

    @Test func aCaughtUpFollowerWhoseIncrementalFetchesNameNothingStaysInTheIsr() async throws {
        let partition = try becomeLeader(isr: [1, 2], replicas: [1, 2])
        let full = Fetch.Request(replicaId: 2, maxWaitMs: 0, minBytes: 1, sessionId: 0, sessionEpoch: 0, topics: [
            .init(topic: tp.topic, partitions: [.init(partition: 0, currentLeaderEpoch: 4, fetchOffset: 0, logStartOffset: 0,
                                                      partitionMaxBytes: 1 << 20)]),
        ])
        let sessionId = try summary(try await send(try request(full, correlationId: 1)).action).2
        #expect(sessionId != 0)
        // Nothing changes: the follower's fetches name no partition, yet each one tells the
        // leader that the follower is still at the log end (the session's cached fetch offset).
        for epoch: Int32 in 1...3 {
            time.sleep(6_000)
            let incremental = Fetch.Request(replicaId: 2, maxWaitMs: 0, minBytes: 1, sessionId: sessionId, sessionEpoch: epoch, topics: [])
            #expect(try summary(try await send(try request(incremental, correlationId: 1 + epoch)).action).1 == .none)
        }
        await manager.maybeShrinkIsr()
        #expect(store.writes.withLock { $0 }.isEmpty, "18 s after the last full fetch, but caught up 0 s ago")
        #expect(partition.role.isr == [1, 2])
        await manager.shutdown { _ in }
    }
}
