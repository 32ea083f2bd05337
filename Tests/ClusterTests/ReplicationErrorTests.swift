import Foundation
import Glibc
import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaTestKit
import KafkaZk
import NIOCore
import Testing

/// What replication answers on the wire when it cannot do what is asked: fenced and unknown
/// leader epochs, a follower asked to lead, and acks=all below `min.insync.replicas`.
extension RealClusterTests.ReplicationTests {
    static func roundTrip<API: KafkaAPI>(_ api: API.Type, _ request: API.Request, version: Int16, port: Int,
                                         timeoutSeconds: Int = 10) throws -> API.Response {
        let client = try WireClient(port: port, timeoutSeconds: timeoutSeconds)
        var frame = ByteBuffer()
        API.writeRequestFrame(request, header: RequestHeader(apiKey: API.key, apiVersion: version, correlationId: 9, clientId: "wire"),
                              into: &frame)
        try client.send(Array(frame.readableBytesView))
        var answer = ByteBuffer(bytes: try client.readFrame())
        _ = try ResponseHeader(from: &answer, headerVersion: API.responseHeaderVersion(for: version))
        return try API.decodeResponse(from: &answer, version: version)
    }

    static func produceCode(topic: String, acks: Int16, port: Int) throws -> ErrorCode {
        var builder = MemoryRecordsBuilder()
        builder.append(timestamp: 1_700_000_000_000, key: nil, value: ByteBuffer(string: "v"))
        let request = Produce.Request(acks: acks, timeoutMs: 5000, topicData: [
            .init(name: topic, partitionData: [.init(index: 0, records: try builder.build())]),
        ])
        return try roundTrip(Produce.self, request, version: 7, port: port).responses[0].partitionResponses[0].errorCode
    }

    static func fetchCode(topic: String, currentLeaderEpoch: LeaderEpoch, port: Int) throws -> ErrorCode {
        let request = Fetch.Request(maxWaitMs: 0, minBytes: 0, topics: [
            .init(topic: topic, partitions: [.init(partition: 0, currentLeaderEpoch: currentLeaderEpoch, fetchOffset: 0, partitionMaxBytes: 1024)]),
        ])
        return try roundTrip(Fetch.self, request, version: 10, port: port).responses[0].partitions[0].errorCode
    }

    @Test func leadersFenceStaleEpochsAndRefuseAcksAllBelowMinInSyncReplicas() async throws {
        try await withKafkaCluster(zooKeepers: 1, sessionTimeoutMs: 3000) { cluster in
            let zk = try await observe(cluster)
            defer { Task { await zk.close() } }
            let tp = TopicPartition("guarded", 0)
            try await zk.createTopic("guarded", assignment: [0: [1, 2]], config: ["min.insync.replicas": "2"])
            try await waitUntil("guarded-0 to start with both replicas in sync") {
                try await Replication.state(zk, tp)?.isr == [1, 2]
            }
            let (leader, follower) = (cluster.broker(1), cluster.broker(2))
            let epoch = try #require(try await Replication.state(zk, tp)).leaderEpoch

            // The state znode says ISR [1, 2] from the start; the leader accepts once it has
            // applied its LeaderAndIsr (until then it answers NOT_LEADER_FOR_PARTITION).
            try await waitUntil("the leader to accept acks=all", timeout: .seconds(20)) {
                try Self.produceCode(topic: "guarded", acks: -1, port: leader.port) == .none
            }
            #expect(try Self.produceCode(topic: "guarded", acks: 1, port: follower.port) == .notLeaderForPartition)
            #expect(try Self.fetchCode(topic: "guarded", currentLeaderEpoch: epoch, port: leader.port) == .none)
            #expect(try Self.fetchCode(topic: "guarded", currentLeaderEpoch: LeaderEpoch(epoch.rawValue + 1), port: leader.port) == .unknownLeaderEpoch)
            #expect(try Self.fetchCode(topic: "guarded", currentLeaderEpoch: epoch, port: follower.port) == .notLeaderForPartition)

            // The follower dies: the ISR is the leader alone, below min.insync.replicas=2.
            await follower.kill9()
            try await waitUntil("the ISR to shrink to the leader", timeout: .seconds(20)) {
                try await Replication.state(zk, tp)?.isr == [1]
            }
            try await waitUntil("the leader to learn the smaller ISR", timeout: .seconds(20)) {
                try Self.produceCode(topic: "guarded", acks: -1, port: leader.port) == .notEnoughReplicas
            }
            #expect(try Self.produceCode(topic: "guarded", acks: 1, port: leader.port) == .none, "acks=1 does not need the ISR")
            let newEpoch = try #require(try await Replication.state(zk, tp)).leaderEpoch
            #expect(newEpoch > epoch, "removing a replica from the ISR bumps the leader epoch")
            #expect(try Self.fetchCode(topic: "guarded", currentLeaderEpoch: epoch, port: leader.port) == .fencedLeaderEpoch)
        }
    }
}

extension RealClusterTests.ReplicationTests {
    /// SIGTERM of a leader while an acks=all produce waits for a stalled follower: the produce is
    /// answered (REQUEST_TIMED_OUT) at once and the broker shuts down cleanly, instead of holding
    /// its shutdown for the request's whole timeout. (Without controlled shutdown: with it the
    /// leadership would first move to the stalled follower, or wait for a stalled controller.)
    @Test func shutdownAnswersProducesStillWaitingForTheIsr() async throws {
        try await withKafkaCluster(zooKeepers: 1, ids: [1, 2], sessionTimeoutMs: 10_000,
                                   overrides: ["controlled.shutdown.enable": "false"]) { cluster in
            let zk = try await observe(cluster)
            defer { Task { await zk.close() } }
            let tp = TopicPartition("waiting", 0)
            try await zk.createTopic("waiting", assignment: [0: [1, 2]], config: [:])
            try await waitUntil("waiting-0 to start with both replicas in sync") {
                try await Replication.state(zk, tp)?.isr == [1, 2]
            }
            let (leader, follower) = (cluster.broker(1), cluster.broker(2))
            // The state znode says ISR [1, 2] before either broker has applied its LeaderAndIsr:
            // one acks=all produce that succeeds shows that the leader leads and the follower
            // fetches, so the produce below waits for the follower and nothing else.
            try await waitUntil("both replicas to apply their LeaderAndIsr", timeout: .seconds(20)) {
                try Self.produceCode(topic: "waiting", acks: -1, port: leader.port) == .none
            }
            let bytesBefore = Replication.segments(leader, tp).values.reduce(0) { $0 + $1.count }
            follower.send(SIGSTOP)
            defer { follower.send(SIGCONT) }

            // A produce that can only complete when the stalled follower fetches: it waits.
            let port = leader.port
            let answer = Task.detached { () throws -> ErrorCode in
                var builder = MemoryRecordsBuilder()
                builder.append(timestamp: 1_700_000_000_000, key: nil, value: ByteBuffer(string: "v"))
                let request = Produce.Request(acks: -1, timeoutMs: 60_000, topicData: [
                    .init(name: "waiting", partitionData: [.init(index: 0, records: try builder.build())]),
                ])
                return try Self.roundTrip(Produce.self, request, version: 7, port: port, timeoutSeconds: 60)
                    .responses[0].partitionResponses[0].errorCode
            }
            try await waitUntil("the produce to be appended and waiting") {
                Replication.segments(leader, tp).values.reduce(0) { $0 + $1.count } > bytesBefore
            }
            let start = ContinuousClock.now
            #expect(await leader.terminate() == 0)
            #expect(ContinuousClock.now - start < .seconds(10), "not held for the produce's 60 s timeout")
            #expect(try await answer.value == .requestTimedOut)
        }
    }
}
