import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaRecords
import KafkaStorage
import Logging
import NIOCore
import Testing

@testable import KafkaBroker

/// A leader `ReplicaManager` over a temporary directory, with injected time and a fake ZooKeeper,
/// and the means to run an API handler on it without a socket: a request is encoded as a client
/// would send it and the handler's answer decoded as a client would read it.
///
/// Its produce and fetch purgatories run their timers on the injected clock with no reaper:
/// nothing expires until a test moves `time` and calls `expireDelayed()`.
struct HandlerHarness {
    let tp = TopicPartition("orders", 0)
    let time = ManualTime()
    let store = FakeIsrStore()
    let produceTimer: SystemTimer
    let fetchTimer: SystemTimer
    let manager: ReplicaManager

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("handlers-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let time = self.time
        var replication = ReplicationConfig()
        replication.replicaLagTimeMaxMs = 10_000
        produceTimer = SystemTimer(executorName: "Produce", time: time)
        fetchTimer = SystemTimer(executorName: "Fetch", time: time)
        manager = ReplicaManager(
            brokerId: 1, config: replication, time: time, isrStore: store,
            producePurgatory: DelayedOperationPurgatory(purgatoryName: "Produce", timeoutTimer: produceTimer, brokerId: 1,
                                                        reaperEnabled: false),
            fetchPurgatory: DelayedOperationPurgatory(purgatoryName: "Fetch", timeoutTimer: fetchTimer, brokerId: 1,
                                                      reaperEnabled: false)
        ) { tp, config in
            try Log(dir: directory.appendingPathComponent("\(tp.topic)-\(tp.partition)").path, config: config, hadCleanShutdown: true,
                    scheduler: DispatchScheduler(), time: time, logger: Logger(label: "test"))
        }
    }

    /// Makes broker 1 the leader of `tp` in `leaderEpoch` with `isr` (replicas 1 and 2).
    @discardableResult
    func becomeLeader(leaderEpoch: LeaderEpoch, isr: [BrokerId], configs: [String: LogConfig] = [:]) throws -> Partition {
        let request = KafkaProtocol.LeaderAndIsr.Request(controllerId: 3, controllerEpoch: 1, topicStates: [
            .init(topicName: tp.topic, partitionStates: [
                .init(partitionIndex: tp.partition, controllerEpoch: 1, leader: 1, leaderEpoch: leaderEpoch, isr: isr,
                      zkVersion: 7, replicas: [1, 2]),
            ]),
        ], liveLeaders: [.init(brokerId: 1, hostName: "127.0.0.1", port: 1)])
        let response = manager.becomeLeaderOrFollower(request, configs: configs)
        #expect(response.partitionErrors.map(\.errorCode) == [.none])
        return try #require(manager.partition(tp))
    }

    /// Makes broker 1 a follower of broker 2 for `tp` in `leaderEpoch`.
    func becomeFollower(leaderEpoch: LeaderEpoch) throws {
        let request = KafkaProtocol.LeaderAndIsr.Request(controllerId: 3, controllerEpoch: 1, topicStates: [
            .init(topicName: tp.topic, partitionStates: [
                .init(partitionIndex: tp.partition, controllerEpoch: 1, leader: 2, leaderEpoch: leaderEpoch, isr: [1, 2],
                      zkVersion: 7, replicas: [1, 2]),
            ]),
        ], liveLeaders: [.init(brokerId: 2, hostName: "127.0.0.1", port: 1)])
        let response = manager.becomeLeaderOrFollower(request, configs: [:])
        #expect(response.partitionErrors.map(\.errorCode) == [.none])
    }

    /// Expires the delayed produces and fetches whose time (on `time`) has come, and returns once
    /// their responses have been sent (the timers' executors run them).
    func expireDelayed() async {
        manager.producePurgatory.advanceClock(timeoutMs: 0)
        manager.fetchPurgatory.advanceClock(timeoutMs: 0)
        await produceTimer.drainExecutor()
        await fetchTimer.drainExecutor()
    }

    /// `count` records with `timestamp` (keyed `k0`, `k1`, … when `keyed`), in one batch.
    static func records(_ count: Int, timestamp: Int64 = 1_000, keyed: Bool = false) throws -> MemoryRecords {
        var builder = MemoryRecordsBuilder()
        for index in 0..<count {
            builder.append(timestamp: timestamp, key: keyed ? ByteBuffer(string: "k\(index)") : nil, value: ByteBuffer(string: "v\(index)"))
        }
        return try builder.buildRecords()
    }

    /// A request as the connection hands it to a handler.
    static func request<API: KafkaAPI>(_ api: API.Type, _ body: API.Request, version: Int16) -> KafkaRequest {
        var buffer = ByteBuffer()
        body.write(into: &buffer, version: version)
        return KafkaRequest(header: RequestHeader(apiKey: API.key, apiVersion: version, correlationId: 42, clientId: "test"),
                            body: buffer, connectionId: "test-connection", listenerName: "PLAINTEXT", receivedNanos: 0,
                            complete: { _ in })
    }

    /// The response in a handler's `.send` action, decoded; fails the test for any other action.
    static func response<API: KafkaAPI>(_ api: API.Type, of action: KafkaResponseAction, version: Int16) throws -> API.Response {
        guard case .send(var frame) = action else {
            Issue.record("expected a response frame, got \(action)")
            throw CancellationError()
        }
        _ = frame.readInteger(as: Int32.self)
        let header = try ResponseHeader(from: &frame, headerVersion: API.responseHeaderVersion(for: version))
        #expect(header.correlationId == 42)
        return try API.decodeResponse(from: &frame, version: version)
    }
}
