import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Testing

@testable import kafka

/// The set-up and the probes of ``RealClusterTests/TransactionFailureTests``: three brokers with
/// `__transaction_state` in one partition replicated three times (so the coordinator of every
/// transactional id is that partition's leader, read from ZooKeeper), a data topic whose leader is
/// not the coordinator, a stepped confluent-kafka transactional producer, and the partition's
/// offsets and records at both isolation levels.
enum TransactionFailure {
    static let topic = "txn-failure"
    static let transactionState = TopicPartition("__transaction_state", 0)
    static let data = TopicPartition(topic, 0)

    /// Broker settings: one `__transaction_state` partition at RF 3 (min ISR 2), the offsets topic
    /// alike, the timed-out transaction sweep every second.
    static let overrides = [
        "transaction.state.log.num.partitions": "1", "transaction.state.log.replication.factor": "3",
        "transaction.state.log.min.isr": "2", "offsets.topic.replication.factor": "3", "offsets.topic.num.partitions": "1",
        "transaction.abort.timed.out.transaction.cleanup.interval.ms": "1000", "replica.lag.time.max.ms": "6000",
    ]

    /// The roles of the three brokers once the producer found its coordinator.
    struct Roles {
        var coordinator: BrokerId
        /// The data partition's leader and its other follower (the coordinator follows it too).
        var leader: BrokerId
        var follower: BrokerId
    }

    static func bootstrap(_ cluster: KafkaCluster) -> String {
        cluster.brokers.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
    }

    /// A stepped transactional producer of `topic` for `transactionalId`.
    static func producer(_ cluster: KafkaCluster, transactionalId: String, timeoutMs: Int = 60_000) throws -> SteppedPythonClient {
        try SteppedPythonClient("txn_steps_producer.py", [bootstrap(cluster), topic, transactionalId, "\(timeoutMs)"])
    }

    /// Runs `init` on `producer` (which creates `__transaction_state`), then creates the data topic
    /// (RF 3, `min.insync.replicas=2`) led by a broker that is not the coordinator, and waits until
    /// its three replicas are in sync.
    static func start(_ producer: SteppedPythonClient, _ zk: KafkaZkClient) async throws -> Roles {
        let initialized = try await producer.step("init")
        try #require(initialized == "ok init", "\(initialized): \(producer.errorTail)")
        let coordinator = try await waitFor("a leader for \(transactionState)", timeout: .seconds(60)) {
            try await Replication.state(zk, transactionState).map(\.leader).flatMap { $0.rawValue >= 0 ? $0 : nil }
        }
        let others = [1, 2, 3].map { BrokerId(Int32($0)) }.filter { $0 != coordinator }
        try await zk.createTopic(topic, assignment: [0: [others[0], others[1], coordinator]], config: ["min.insync.replicas": "2"])
        try await waitUntil("\(data) to have its leader and three replicas in sync", timeout: .seconds(60)) {
            try await Replication.state(zk, data).map { $0.leader == others[0] && $0.isr.count == 3 } ?? false
        }
        return Roles(coordinator: coordinator, leader: others[0], follower: others[1])
    }

    /// The data partition's end offset as `broker` lists it (ListOffsets v2, latest): the last
    /// stable offset for read_committed, the high watermark for read_uncommitted. Nil when the
    /// broker cannot be reached or answers an error.
    static func endOffset(_ broker: KafkaCluster.Broker, readCommitted: Bool) -> Int64? {
        guard let client = try? WireClient(port: broker.port, timeoutSeconds: 10) else { return nil }
        let request = ListOffsets.Request(isolationLevel: readCommitted ? 1 : 0, topics: [
            .init(name: topic, partitions: [.init(partitionIndex: 0, timestamp: -1)]),
        ])
        guard let response = try? RealClusterTests.LogAdminTests.call(client, ListOffsets.self, request, version: 2),
              let partition = response.topics.first?.partitions.first, partition.errorCode == .none
        else { return nil }
        return partition.offset
    }

    /// ``endOffset(_:readCommitted:)`` once `broker` answers it (a connection may fail under load).
    static func answeredEndOffset(_ broker: KafkaCluster.Broker, readCommitted: Bool) async throws -> Int64 {
        try await waitFor("broker \(broker.id) to list the end offset of \(data)", timeout: .seconds(60), every: .milliseconds(200)) {
            endOffset(broker, readCommitted: readCommitted)
        }
    }

    /// Waits until the data partition's leader lists the same end offset at both isolation levels
    /// (no transaction open below the high watermark), at least `minimum`, and returns it. (A
    /// new leader's high watermark can start below its log end, and equal to its last stable
    /// offset, until its followers fetch again; `minimum` waits that out, and the caller checks
    /// that nothing more is there.)
    static func waitForStableEnd(
        _ cluster: KafkaCluster, _ zk: KafkaZkClient, atLeast minimum: Int64, timeout: Duration = .seconds(90)
    ) async throws -> Int64 {
        try await waitFor("the last stable offset of \(data) to reach its high watermark, at least \(minimum)", timeout: timeout,
                          every: .milliseconds(200)) {
            guard let leader = try await Replication.state(zk, data)?.leader, leader.rawValue >= 0 else { return nil }
            let broker = cluster.broker(Int(leader.rawValue))
            guard let committed = endOffset(broker, readCommitted: true), let uncommitted = endOffset(broker, readCommitted: false),
                  committed == uncommitted, committed >= minimum else { return nil }
            return committed
        }
    }

    /// The values of the data partition read from the beginning at `isolation`, expecting `count`.
    static func values(_ cluster: KafkaCluster, isolation: String, expecting count: Int) throws -> [String] {
        let read = try PythonClient.run("isolation_consumer.py", [bootstrap(cluster), topic, isolation, "\(count)"])
        #expect(read.status == 0, "\(read.errorTail)")
        return read.outputText.split(separator: "\n").map(String.init)
    }

    /// The states written to `broker`'s `__transaction_state-0`, in order, as `kafka dump-log
    /// --transaction-log-decoder` prints them (a segment read while written may end in a partial
    /// batch: the caller retries).
    static func transactionStates(_ broker: KafkaCluster.Broker) throws -> [String] {
        let segment = broker.logDirectory.appendingPathComponent("__transaction_state-0/00000000000000000000.log").path
        let dump = try DumpLogCommand.dumpLog(path: segment, printDataLog: true, transactionLogDecoder: true)
        return dump.split(separator: "\n").compactMap { line in
            guard let start = line.range(of: "state=") else { return nil }
            return String(line[start.upperBound...].prefix { $0 != "," })
        }
    }

    /// Holds the transaction markers of the data partition back: with `min.insync.replicas` above
    /// its replication factor every acks=all append, WriteTxnMarkers' included, is refused with
    /// NOT_ENOUGH_REPLICAS, which the coordinator's marker channel retries until `release`. Waits
    /// until each of `brokers` applied the change.
    static func holdMarkers(_ cluster: KafkaCluster, _ zk: KafkaZkClient, on brokers: [BrokerId]) async throws {
        try await setMinInSyncReplicas(4, cluster, zk, on: brokers)
    }

    static func releaseMarkers(_ cluster: KafkaCluster, _ zk: KafkaZkClient, on brokers: [BrokerId]) async throws {
        try await setMinInSyncReplicas(2, cluster, zk, on: brokers)
    }

    private static func setMinInSyncReplicas(_ value: Int, _ cluster: KafkaCluster, _ zk: KafkaZkClient, on brokers: [BrokerId]) async throws {
        let applied = brokers.map { lines(cluster.broker(Int($0.rawValue)).log, containing: "Applied the config of topic \(topic)").count }
        try await zk.changeTopicConfig(topic, config: ["min.insync.replicas": "\(value)"])
        for (broker, before) in zip(brokers, applied) {
            try await waitUntil("broker \(broker.rawValue) to apply min.insync.replicas=\(value) to \(topic)", timeout: .seconds(60)) {
                lines(cluster.broker(Int(broker.rawValue)).log, containing: "Applied the config of topic \(topic)")
                    .dropFirst(before).contains { $0.contains("min.insync.replicas=\(value)") }
            }
        }
    }
}
