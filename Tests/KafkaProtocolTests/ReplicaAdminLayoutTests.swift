import KafkaProtocol
import NIOCore
import Testing

/// AlterReplicaLogDirs and ElectLeaders byte layouts, written out by hand from Kafka 2.3's field
/// lists: the captures ran one broker with one log directory and never asked for a preferred
/// leader election, so neither was recorded.
@Suite struct ReplicaAdminLayoutTests {
    @Test func alterReplicaLogDirsV1Request() throws {
        // log_dirs [ "/d": topics [ "t": partitions [0, 1] ] ]
        let request = try checkLayout(AlterReplicaLogDirs.Request.self, version: 1, """
            00000001 0002 2f64 00000001 0001 74 00000002 00000000 00000001
            """)
        #expect(request == AlterReplicaLogDirs.Request(logDirs: [
            AlterReplicaLogDirs.LogDir(logDir: "/d", topics: [AlterReplicaLogDirs.Topic(topic: "t", partitions: [0, 1])]),
        ]))
    }

    @Test func alterReplicaLogDirsV1Response() throws {
        // throttle 0; topics [ "t": [ 0 NONE, 1 LOG_DIR_NOT_FOUND (57) ] ]
        let response = try checkLayout(AlterReplicaLogDirs.Response.self, version: 1, """
            00000000 00000001 0001 74 00000002 00000000 0000 00000001 0039
            """)
        #expect(response == AlterReplicaLogDirs.Response(throttleTimeMs: 0, topics: [
            AlterReplicaLogDirs.TopicResult(topic: "t", partitions: [
                AlterReplicaLogDirs.PartitionResult(partition: 0, errorCode: .none),
                AlterReplicaLogDirs.PartitionResult(partition: 1, errorCode: .logDirNotFound),
            ]),
        ]))
    }

    @Test func electLeadersV0Request() throws {
        // topic_partitions [ "t": [0] ], timeout_ms 60,000
        let request = try checkLayout(ElectLeaders.Request.self, version: 0, "00000001 0001 74 00000001 00000000 0000ea60")
        #expect(request == ElectLeaders.Request(topicPartitions: [ElectLeaders.Topic(topic: "t", partitionId: [0])], timeoutMs: 60_000))
        // null: every partition
        let all = try checkLayout(ElectLeaders.Request.self, version: 0, "ffffffff 000003e8")
        #expect(all.topicPartitions == nil && all.timeoutMs == 1000)
    }

    @Test func electLeadersV0Response() throws {
        // throttle 0; [ "t": [ 0 NONE null, 1 PREFERRED_LEADER_NOT_AVAILABLE (80) "x" ] ]
        let response = try checkLayout(ElectLeaders.Response.self, version: 0, """
            00000000 00000001 0001 74 00000002 00000000 0000 ffff 00000001 0050 0001 78
            """)
        #expect(response == ElectLeaders.Response(throttleTimeMs: 0, replicaElectionResults: [
            ElectLeaders.TopicResult(topic: "t", partitionResult: [
                ElectLeaders.PartitionResult(partitionId: 0, errorCode: .none, errorMessage: nil),
                ElectLeaders.PartitionResult(partitionId: 1, errorCode: .preferredLeaderNotAvailable, errorMessage: "x"),
            ]),
        ]))
    }

    /// Kafka 2.3 has only v0 of key 43 (as ElectPreferredLeaders); v1 (Kafka 2.4) starts with an
    /// election type and is refused.
    @Test func electLeadersV1IsRefused() throws {
        #expect(ElectLeaders.versions == 0...0)
        #expect(ApiKey(name: "ElectPreferredLeaders")?.api?.key == .electLeaders)
        var body = PrimitivesTests.bytes("00 ffffffff 0000ea60")
        #expect(throws: KafkaProtocolError.unsupportedVersion(apiKey: 43, version: 1)) {
            try ElectLeaders.Request(from: &body, version: 1)
        }
    }
}
