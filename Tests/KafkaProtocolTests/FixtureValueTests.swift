import KafkaCommon
import KafkaProtocol
import NIOCore
import Testing

/// Decoded field values of the golden frames, checked against what Kafka 2.3's own schemas
/// printed for them (the fixtures' `decoded.txt`). The byte-exact round trips are in
/// ``GoldenFixtureTests``; these make sure the bytes land in the right fields.
@Suite struct FixtureValueTests {
    typealias F = Fixtures

    // MARK: Client APIs

    @Test func apiVersionsV0AndV2() throws {
        let v0 = try FixtureDecoding.response(ApiVersions.self, F.pair("kcat", "001_ApiVersions_v0"))
        #expect(v0.body.errorCode == .none)
        #expect(v0.body.apiKeys.count == 45)
        #expect(v0.body.apiKeys.first == ApiVersions.ApiVersion(apiKey: .produce, minVersion: 0, maxVersion: 7))
        #expect(v0.body.apiKeys.last?.apiKey == .incrementalAlterConfigs)

        let request = try FixtureDecoding.request(ApiVersions.self, F.pair("java", "000_ApiVersions_v2"))
        #expect(request.header.correlationId == 1)
        let v2 = try FixtureDecoding.response(ApiVersions.self, F.pair("java", "000_ApiVersions_v2"))
        #expect(v2.body.throttleTimeMs == 0)
        #expect(v2.body.apiKeys.first { $0.apiKey == .fetch }?.maxVersion == 11)
    }

    @Test func metadataTopicsNullVersusEmpty() throws {
        let brokersOnly = try FixtureDecoding.request(Metadata.self, F.pair("kcat", "002_Metadata_v4"))
        #expect(brokersOnly.header.clientId == "rdkafka")
        #expect(brokersOnly.body.topics == [])
        #expect(brokersOnly.body.allowAutoTopicCreation == false)

        let all = try FixtureDecoding.request(Metadata.self, F.pair("kcat", "003_Metadata_v4"))
        #expect(all.body.topics == nil)
        #expect(all.body.allowAutoTopicCreation == true)
        let response = try FixtureDecoding.response(Metadata.self, F.pair("kcat", "003_Metadata_v4"))
        #expect(response.body.brokers == [Metadata.Broker(nodeId: 0, host: "127.0.0.1", port: 39093, rack: nil)])
        #expect(response.body.clusterId == "7HNZrHoJS4uCNhPOR2Fz4A")
        #expect(response.body.controllerId == 0)
        #expect(response.body.topics.isEmpty)
    }

    @Test func metadataV8() throws {
        let request = try FixtureDecoding.request(Metadata.self, F.pair("confluent-kafka", "010_Metadata_v8"))
        #expect(request.header.clientId == "fx-ck-producer")
        #expect(request.body.topicNames(version: 8) == ["fx-ck"])
        let response = try FixtureDecoding.response(Metadata.self, F.pair("confluent-kafka", "010_Metadata_v8"))
        let topic = try #require(response.body.topics.first)
        #expect(topic.name == "fx-ck")
        #expect(topic.isInternal == false)
        // Kafka 2.3 sends 0 (not Int32.min) when authorized operations were not asked for.
        #expect(topic.topicAuthorizedOperations == 0)
        #expect(response.body.clusterAuthorizedOperations == 0)
        #expect(topic.partitions == [
            Metadata.Partition(partitionIndex: 0, leaderId: 0, leaderEpoch: 0, replicaNodes: [0], isrNodes: [0], offlineReplicas: []),
        ])
    }

    @Test func produceV7() throws {
        let request = try FixtureDecoding.request(Produce.self, F.pair("kcat", "007_Produce_v7"))
        #expect(request.header.correlationId == 5)
        #expect(request.body.transactionalId == nil)
        #expect(request.body.acks == -1)
        #expect(request.body.timeoutMs == 30000)
        let partition = try #require(request.body.topicData.first?.partitionData.first)
        #expect(request.body.topicData.first?.name == "fx-kcat")
        #expect(partition.index == 0)
        #expect(partition.records?.readableBytes == 370)
        // The record set is the batch itself: base offset 0, then its length, …, magic 2.
        #expect(partition.records?.getInteger(at: 16, as: UInt8.self) == 2)

        let response = try FixtureDecoding.response(Produce.self, F.pair("kcat", "007_Produce_v7"))
        #expect(response.body.responses.first?.partitionResponses == [
            Produce.PartitionResponse(index: 0, errorCode: .none, baseOffset: 0, logAppendTimeMs: -1, logStartOffset: 0),
        ])
    }

    @Test func fetchV11() throws {
        let request = try FixtureDecoding.request(Fetch.self, F.pair("kcat", "015_Fetch_v11"))
        #expect(request.body.replicaId == .none)
        #expect(request.body.maxWaitMs == 500)
        #expect(request.body.maxBytes == 52_428_800)
        #expect(request.body.isolationLevel == 1, "librdkafka defaults to read_committed")
        #expect(request.body.sessionEpoch == -1)
        #expect(request.body.topics.first?.partitions == [
            Fetch.FetchPartition(partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1_048_576),
        ])
        #expect(request.body.rackId == "")

        let response = try FixtureDecoding.response(Fetch.self, F.pair("kcat", "015_Fetch_v11"))
        let data = try #require(response.body.responses.first?.partitions.first)
        #expect(data.highWatermark == 15)
        #expect(data.lastStableOffset == 15)
        #expect(data.abortedTransactions == [])
        #expect(data.preferredReadReplica == .none)
        #expect(data.records?.readableBytes == 989)
    }

    @Test func fetchAbortedTransactionsNullVersusList() throws {
        let committed = try FixtureDecoding.response(Fetch.self, F.pair("confluent-kafka", "050_Fetch_v11"))
        #expect(committed.body.responses.first?.partitions.first?.abortedTransactions == [
            Fetch.AbortedTransaction(producerId: 1, firstOffset: 19),
        ])
        let uncommitted = try FixtureDecoding.response(Fetch.self, F.pair("confluent-kafka", "051_Fetch_v11"))
        #expect(uncommitted.body.responses.first?.partitions.first?.abortedTransactions == nil)
    }

    @Test func incrementalFetchSession() throws {
        let request = try FixtureDecoding.request(Fetch.self, F.pair("kafka-python", "024_Fetch_v11"))
        #expect(request.body.sessionId == 1_553_074_413)
        #expect(request.body.sessionEpoch == 1)
        let response = try FixtureDecoding.response(Fetch.self, F.pair("kafka-python", "024_Fetch_v11"))
        #expect(response.body.sessionId == 1_553_074_413)
        #expect(response.body.responses.isEmpty)
    }

    @Test func listOffsetsV2() throws {
        let request = try FixtureDecoding.request(ListOffsets.self, F.pair("kcat", "014_ListOffsets_v2"))
        #expect(request.body.isolationLevel == 1)
        #expect(request.body.topics == [
            ListOffsets.Topic(name: "fx-kcat", partitions: [ListOffsets.Partition(partitionIndex: 0, timestamp: ListOffsets.earliestTimestamp)]),
        ])
        let response = try FixtureDecoding.response(ListOffsets.self, F.pair("kcat", "014_ListOffsets_v2"))
        #expect(response.body.topics.first?.partitions == [ListOffsets.PartitionResponse(partitionIndex: 0, timestamp: -1, offset: 0)])
    }

    @Test func createTopicsAlreadyExists() throws {
        let request = try FixtureDecoding.request(CreateTopics.self, F.pair("confluent-kafka", "007_CreateTopics_v3"))
        #expect(request.body.topics == [CreateTopics.CreatableTopic(name: "fx-ck", numPartitions: 1, replicationFactor: 1)])
        #expect(request.body.timeoutMs == 10000)
        let response = try FixtureDecoding.response(CreateTopics.self, F.pair("confluent-kafka", "007_CreateTopics_v3"))
        #expect(response.body.topics == [
            CreateTopics.CreatableTopicResult(name: "fx-ck", errorCode: .topicAlreadyExists, errorMessage: "Topic 'fx-ck' already exists."),
        ])
    }

    @Test func deleteTopicsAndCreatePartitions() throws {
        let delete = try FixtureDecoding.request(DeleteTopics.self, F.pair("java", "043_DeleteTopics_v3"))
        #expect(delete.header.clientId == "adminclient-1")
        #expect(delete.body == DeleteTopics.Request(topicNames: ["fx-java"], timeoutMs: 119_997))
        let deleted = try FixtureDecoding.response(DeleteTopics.self, F.pair("java", "043_DeleteTopics_v3"))
        #expect(deleted.body.responses == [DeleteTopics.DeletableTopicResult(name: "fx-java", errorCode: .none)])

        let create = try FixtureDecoding.request(CreatePartitions.self, F.pair("confluent-kafka", "053_CreatePartitions_v1"))
        #expect(create.body == CreatePartitions.Request(topics: [CreatePartitions.Topic(name: "fx-ck", count: 2, assignments: nil)], timeoutMs: 10000))
        let created = try FixtureDecoding.response(CreatePartitions.self, F.pair("confluent-kafka", "053_CreatePartitions_v1"))
        #expect(created.body.results == [CreatePartitions.Result(name: "fx-ck", errorCode: .none, errorMessage: nil)])
    }

    @Test func describeAndAlterConfigs() throws {
        let describe = try FixtureDecoding.request(DescribeConfigs.self, F.pair("confluent-kafka", "038_DescribeConfigs_v1"))
        #expect(describe.body.resources == [DescribeConfigs.Resource(resourceType: DescribeConfigs.ResourceType.topic, resourceName: "fx-ck")])
        #expect(describe.body.includeSynonyms)
        let described = try FixtureDecoding.response(DescribeConfigs.self, F.pair("confluent-kafka", "038_DescribeConfigs_v1"))
        let result = try #require(described.body.results.first)
        #expect(result.configs.count == 26)
        #expect(result.configs.first == DescribeConfigs.Config(
            name: "compression.type", value: "producer", readOnly: false, configSource: DescribeConfigs.ConfigSource.defaultConfig,
            isSensitive: false, synonyms: [DescribeConfigs.Synonym(name: "compression.type", value: "producer", source: 5)]
        ))

        let noSynonyms = try FixtureDecoding.response(DescribeConfigs.self, F.pair("kafka-python", "045_DescribeConfigs_v2"))
        #expect(noSynonyms.body.results.first?.configs.allSatisfy { $0.synonyms.isEmpty } == true)

        let alter = try FixtureDecoding.request(AlterConfigs.self, F.pair("confluent-kafka", "054_AlterConfigs_v1"))
        #expect(alter.body.resources.first?.configs == [AlterConfigs.Config(name: "retention.ms", value: "86400000")])
        let altered = try FixtureDecoding.response(AlterConfigs.self, F.pair("confluent-kafka", "054_AlterConfigs_v1"))
        #expect(altered.body.responses == [AlterConfigs.ResourceResponse(resourceType: 2, resourceName: "fx-ck")])
    }

    @Test func deleteRecords() throws {
        let request = try FixtureDecoding.request(DeleteRecords.self, F.pair("java", "040_DeleteRecords_v1"))
        #expect(request.body.timeoutMs == 119_991)
        #expect(request.body.topics == [DeleteRecords.Topic(name: "fx-java", partitions: [DeleteRecords.Partition(partitionIndex: 0, offset: 3)])])
        let response = try FixtureDecoding.response(DeleteRecords.self, F.pair("java", "040_DeleteRecords_v1"))
        #expect(response.body.topics.first?.partitions == [DeleteRecords.PartitionResult(partitionIndex: 0, lowWatermark: 3)])
    }

    // MARK: Consumer groups

    @Test func joinGroupMemberIdRequired() throws {
        let request = try FixtureDecoding.request(JoinGroup.self, F.pair("java", "019_JoinGroup_v5"))
        #expect(request.body.groupId == "fx-java-grp")
        #expect(request.body.memberId == "")
        #expect(request.body.groupInstanceId == nil)
        #expect(request.body.rebalanceTimeoutMs == 300_000)
        #expect(request.body.protocols.map(\.name) == ["range"])
        #expect(request.body.protocols.first?.metadata.readableBytes == 19)
        let response = try FixtureDecoding.response(JoinGroup.self, F.pair("java", "019_JoinGroup_v5"))
        #expect(response.body.errorCode == .memberIdRequired)
        #expect(response.body.generationId == -1)
        #expect(response.body.memberId == "consumer-1-24cd7661-7f8f-4861-b163-2aef3bebfe55")
    }

    @Test func syncHeartbeatCommitFetchLeave() throws {
        let sync = try FixtureDecoding.response(SyncGroup.self, F.pair("java", "021_SyncGroup_v3"))
        #expect(sync.body.assignment.readableBytes == 27)
        let heartbeat = try FixtureDecoding.request(Heartbeat.self, F.pair("java", "024_Heartbeat_v3"))
        #expect(heartbeat.body.generationId == 1)
        let commit = try FixtureDecoding.request(OffsetCommit.self, F.pair("java", "025_OffsetCommit_v7"))
        #expect(commit.body.topics.first?.partitions == [
            OffsetCommit.Partition(partitionIndex: 0, committedOffset: 15, committedLeaderEpoch: 0, committedMetadata: ""),
        ])
        let fetched = try FixtureDecoding.response(OffsetFetch.self, F.pair("kafka-python", "034_OffsetFetch_v5"))
        #expect(fetched.body.topics.first?.partitions == [OffsetFetch.PartitionResult(partitionIndex: 0, committedOffset: -1, metadata: "")])
        let leave = try FixtureDecoding.request(LeaveGroup.self, F.pair("java", "029_LeaveGroup_v2"))
        #expect(leave.body.memberId == "consumer-1-24cd7661-7f8f-4861-b163-2aef3bebfe55")
        let coordinator = try FixtureDecoding.response(FindCoordinator.self, F.pair("java", "018_FindCoordinator_v2"))
        #expect(coordinator.body == FindCoordinator.Response(errorMessage: "NONE", nodeId: 0, host: "127.0.0.1", port: 39093))
    }

    // MARK: Controller requests

    @Test func leaderAndIsrV2() throws {
        let request = try FixtureDecoding.request(LeaderAndIsr.self, F.pair("broker-internal", "001_LeaderAndIsr_v2"))
        #expect(request.header.clientId == "0")
        #expect(request.body.controllerId == 0)
        #expect(request.body.controllerEpoch == 1)
        #expect(request.body.brokerEpoch == 27)
        #expect(request.body.topicStates == [LeaderAndIsr.TopicState(topicName: "fx-kcat", partitionStates: [
            LeaderAndIsr.PartitionState(partitionIndex: 0, controllerEpoch: 1, leader: 0, leaderEpoch: 0, isr: [0], zkVersion: 0, replicas: [0], isNew: true),
        ])])
        #expect(request.body.liveLeaders == [LeaderAndIsr.LiveLeader(brokerId: 0, hostName: "127.0.0.1", port: 39093)])

        let offsets = try FixtureDecoding.request(LeaderAndIsr.self, F.pair("broker-internal", "003_LeaderAndIsr_v2"))
        #expect(offsets.body.topicStates.map(\.topicName) == ["__consumer_offsets"])
        #expect(offsets.body.topicStates.first?.partitionStates.map(\.partitionIndex) == Array(0..<50))
        let response = try FixtureDecoding.response(LeaderAndIsr.self, F.pair("broker-internal", "003_LeaderAndIsr_v2"))
        #expect(response.body.partitionErrors.count == 50)
        #expect(response.body.partitionErrors.allSatisfy { $0.errorCode == .none && $0.topicName == "__consumer_offsets" })
    }

    @Test func updateMetadataV5() throws {
        let first = try FixtureDecoding.request(UpdateMetadata.self, F.pair("broker-internal", "000_UpdateMetadata_v5"))
        #expect(first.body.topicStates.isEmpty)
        #expect(first.body.liveBrokers == [UpdateMetadata.Broker(id: 0, endpoints: [
            UpdateMetadata.Endpoint(port: 39093, host: "127.0.0.1", listener: "PLAINTEXT", securityProtocol: 0),
        ], rack: nil)])
        let second = try FixtureDecoding.request(UpdateMetadata.self, F.pair("broker-internal", "002_UpdateMetadata_v5"))
        #expect(second.body.topicStates.first?.partitionStates == [
            UpdateMetadata.PartitionState(partitionIndex: 0, controllerEpoch: 1, leader: 0, leaderEpoch: 0, isr: [0], zkVersion: 0, replicas: [0], offlineReplicas: []),
        ])
        let response = try FixtureDecoding.response(UpdateMetadata.self, F.pair("broker-internal", "002_UpdateMetadata_v5"))
        #expect(response.body.errorCode == .none)
    }

    @Test func stopReplicaAndControlledShutdown() throws {
        let keep = try FixtureDecoding.request(StopReplica.self, F.pair("broker-internal", "008_StopReplica_v1"))
        #expect(keep.body.deletePartitions == false)
        #expect(keep.body.topics == [StopReplica.Topic(name: "fx-ck", partitionIndexes: [0, 1])])
        let delete = try FixtureDecoding.request(StopReplica.self, F.pair("broker-internal", "009_StopReplica_v1"))
        #expect(delete.body.deletePartitions == true)
        let response = try FixtureDecoding.response(StopReplica.self, F.pair("broker-internal", "008_StopReplica_v1"))
        #expect(response.body.partitionErrors == [
            StopReplica.PartitionError(topicName: "fx-ck", partitionIndex: 0), StopReplica.PartitionError(topicName: "fx-ck", partitionIndex: 1),
        ])

        let shutdown = try FixtureDecoding.request(ControlledShutdown.self, F.pair("broker-internal", "011_ControlledShutdown_v2"))
        #expect(shutdown.body == ControlledShutdown.Request(brokerId: 0, brokerEpoch: 27))
        let answer = try FixtureDecoding.response(ControlledShutdown.self, F.pair("broker-internal", "011_ControlledShutdown_v2"))
        #expect(answer.body == ControlledShutdown.Response(errorCode: .none, remainingPartitions: []))
    }
}
