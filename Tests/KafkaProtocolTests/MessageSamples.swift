import KafkaCommon
import KafkaProtocol
import NIOCore

/// One request and one response per API with every field away from its default, so that a
/// version that writes a field but does not read it back (or the reverse) shows up. Fields that
/// only old versions carry (ListOffsets v0's `max_num_offsets`/`old_style_offsets`,
/// DescribeConfigs v0's `is_default`, OffsetCommit's v1 `commit_timestamp` and v2–v4
/// `retention_time_ms`) keep their defaults here, so that the sample survives the newest
/// version intact; ``OlderVersionLayoutTests`` checks them.
enum MessageSamples {
    static let records = ByteBuffer(bytes: [0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 3, 0xaa, 0xbb, 0xcc])
    static let opaque = ByteBuffer(bytes: [0, 1, 2, 3])

    static let apiVersions = (
        ApiVersions.Request(clientSoftwareName: "swift", clientSoftwareVersion: "1"),
        ApiVersions.Response(errorCode: .none, apiKeys: KafkaAPIs.advertised, throttleTimeMs: 4)
    )

    static let metadata = (
        Metadata.Request(topicNames: ["a", "b"], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true),
        Metadata.Response(
            throttleTimeMs: 1, brokers: [Metadata.Broker(nodeId: 1, host: "h1", port: 9092, rack: "r1")], clusterId: "c",
            controllerId: 1, topics: [Metadata.Topic(errorCode: .leaderNotAvailable, name: "a", isInternal: true, partitions: [
                Metadata.Partition(errorCode: .none, partitionIndex: 2, leaderId: 1, leaderEpoch: 5, replicaNodes: [1, 2], isrNodes: [1], offlineReplicas: [2]),
            ], topicAuthorizedOperations: 7)], clusterAuthorizedOperations: 3
        )
    )

    static let produce = (
        Produce.Request(transactionalId: "tx", acks: -1, timeoutMs: 100, topicData: [
            Produce.TopicData(name: "t", partitionData: [Produce.PartitionData(index: 0, records: records), Produce.PartitionData(index: 1, records: nil)]),
        ]),
        Produce.Response(responses: [Produce.TopicResponse(name: "t", partitionResponses: [
            Produce.PartitionResponse(index: 0, errorCode: .notLeaderForPartition, baseOffset: 42, logAppendTimeMs: 1000, logStartOffset: 3),
        ])], throttleTimeMs: 2)
    )

    static let fetch = (
        Fetch.Request(
            replicaId: 2, maxWaitMs: 500, minBytes: 1, maxBytes: 1000, isolationLevel: 1, sessionId: 7, sessionEpoch: 3,
            topics: [Fetch.FetchTopic(topic: "t", partitions: [
                Fetch.FetchPartition(partition: 0, currentLeaderEpoch: 4, fetchOffset: 10, logStartOffset: 2, partitionMaxBytes: 100),
            ])],
            forgottenTopicsData: [Fetch.ForgottenTopic(topic: "old", partitions: [1, 2])], rackId: "rack"
        ),
        Fetch.Response(throttleTimeMs: 1, errorCode: .none, sessionId: 7, responses: [Fetch.FetchableTopicResponse(topic: "t", partitions: [
            Fetch.PartitionData(
                partitionIndex: 0, errorCode: .none, highWatermark: 20, lastStableOffset: 18, logStartOffset: 2,
                abortedTransactions: [Fetch.AbortedTransaction(producerId: 5, firstOffset: 12)], preferredReadReplica: 3, records: records
            ),
        ])])
    )

    static let listOffsets = (
        ListOffsets.Request(replicaId: .none, isolationLevel: 1, topics: [
            ListOffsets.Topic(name: "t", partitions: [ListOffsets.Partition(partitionIndex: 0, currentLeaderEpoch: 2, timestamp: -1)]),
        ]),
        ListOffsets.Response(throttleTimeMs: 1, topics: [ListOffsets.TopicResponse(name: "t", partitions: [
            ListOffsets.PartitionResponse(partitionIndex: 0, errorCode: .none, timestamp: 77, offset: 9, leaderEpoch: 2),
        ])])
    )

    static let createTopics = (
        CreateTopics.Request(topics: [CreateTopics.CreatableTopic(
            name: "t", numPartitions: -1, replicationFactor: -1,
            assignments: [CreateTopics.ReplicaAssignment(partitionIndex: 0, brokerIds: [1, 2])],
            configs: [CreateTopics.Config(name: "cleanup.policy", value: "compact"), CreateTopics.Config(name: "x", value: nil)]
        )], timeoutMs: 1000, validateOnly: true),
        CreateTopics.Response(throttleTimeMs: 1, topics: [CreateTopics.CreatableTopicResult(name: "t", errorCode: .invalidConfig, errorMessage: "bad")])
    )

    static let deleteTopics = (
        DeleteTopics.Request(topicNames: ["a", "b"], timeoutMs: 100),
        DeleteTopics.Response(throttleTimeMs: 1, responses: [DeleteTopics.DeletableTopicResult(name: "a", errorCode: .unknownTopicOrPartition)])
    )

    static let createPartitions = (
        CreatePartitions.Request(topics: [
            CreatePartitions.Topic(name: "t", count: 3, assignments: [CreatePartitions.Assignment(brokerIds: [1]), CreatePartitions.Assignment(brokerIds: [2])]),
        ], timeoutMs: 100, validateOnly: true),
        CreatePartitions.Response(throttleTimeMs: 1, results: [CreatePartitions.Result(name: "t", errorCode: .invalidPartitions, errorMessage: "no")])
    )

    static let describeConfigs = (
        DescribeConfigs.Request(resources: [DescribeConfigs.Resource(resourceType: 4, resourceName: "0", configurationKeys: ["a"])], includeSynonyms: true),
        DescribeConfigs.Response(throttleTimeMs: 1, results: [DescribeConfigs.Result(
            errorCode: .none, errorMessage: nil, resourceType: 2, resourceName: "t",
            configs: [DescribeConfigs.Config(
                name: "retention.ms", value: "1", readOnly: true, configSource: 1, isSensitive: true,
                synonyms: [DescribeConfigs.Synonym(name: "log.retention.ms", value: nil, source: 4)]
            )]
        )])
    )

    static let alterConfigs = (
        AlterConfigs.Request(resources: [AlterConfigs.Resource(resourceType: 2, resourceName: "t", configs: [AlterConfigs.Config(name: "a", value: nil)])], validateOnly: true),
        AlterConfigs.Response(throttleTimeMs: 1, responses: [AlterConfigs.ResourceResponse(errorCode: .invalidConfig, errorMessage: "m", resourceType: 2, resourceName: "t")])
    )

    static let deleteRecords = (
        DeleteRecords.Request(topics: [DeleteRecords.Topic(name: "t", partitions: [DeleteRecords.Partition(partitionIndex: 1, offset: -1)])], timeoutMs: 10),
        DeleteRecords.Response(throttleTimeMs: 1, topics: [DeleteRecords.TopicResult(name: "t", partitions: [
            DeleteRecords.PartitionResult(partitionIndex: 1, lowWatermark: 5, errorCode: .offsetOutOfRange),
        ])])
    )

    static let offsetForLeaderEpoch = (
        OffsetForLeaderEpoch.Request(replicaId: 2, topics: [OffsetForLeaderEpoch.Topic(name: "t", partitions: [
            OffsetForLeaderEpoch.Partition(partitionIndex: 1, currentLeaderEpoch: 6, leaderEpoch: 5),
        ])]),
        OffsetForLeaderEpoch.Response(throttleTimeMs: 3, topics: [OffsetForLeaderEpoch.TopicResult(name: "t", partitions: [
            OffsetForLeaderEpoch.PartitionResult(errorCode: .fencedLeaderEpoch, partitionIndex: 1, leaderEpoch: 4, endOffset: 120),
        ])])
    )

    static let describeLogDirs = (
        DescribeLogDirs.Request(topics: [DescribeLogDirs.Topic(topic: "t", partitions: [0, 1])]),
        DescribeLogDirs.Response(throttleTimeMs: 1, results: [DescribeLogDirs.Result(errorCode: .none, logDir: "/data", topics: [
            DescribeLogDirs.TopicResult(name: "t", partitions: [DescribeLogDirs.PartitionResult(partitionIndex: 0, partitionSize: 1015, offsetLag: 2, isFutureKey: true)]),
        ])])
    )

    static let leaderAndIsr = (
        LeaderAndIsr.Request(controllerId: 1, controllerEpoch: 3, brokerEpoch: 99, topicStates: [
            LeaderAndIsr.TopicState(topicName: "a", partitionStates: [
                LeaderAndIsr.PartitionState(partitionIndex: 0, controllerEpoch: 3, leader: 1, leaderEpoch: 4, isr: [1, 2], zkVersion: 6, replicas: [1, 2], isNew: true),
                LeaderAndIsr.PartitionState(partitionIndex: 1, controllerEpoch: 2, leader: 2, leaderEpoch: 1, isr: [2], zkVersion: 0, replicas: [2, 1]),
            ]),
            LeaderAndIsr.TopicState(topicName: "b", partitionStates: [
                LeaderAndIsr.PartitionState(partitionIndex: 0, controllerEpoch: 3, leader: -1, leaderEpoch: 9, isr: [], zkVersion: 1, replicas: [3]),
            ]),
        ], liveLeaders: [LeaderAndIsr.LiveLeader(brokerId: 1, hostName: "h1", port: 9092)]),
        LeaderAndIsr.Response(errorCode: .staleControllerEpoch, partitionErrors: [LeaderAndIsr.PartitionError(topicName: "a", partitionIndex: 0, errorCode: .kafkaStorageError)])
    )

    static let updateMetadata = (
        UpdateMetadata.Request(controllerId: 1, controllerEpoch: 3, brokerEpoch: 99, topicStates: [
            UpdateMetadata.TopicState(topicName: "a", partitionStates: [
                UpdateMetadata.PartitionState(partitionIndex: 0, controllerEpoch: 3, leader: 1, leaderEpoch: 4, isr: [1], zkVersion: 6, replicas: [1, 2], offlineReplicas: [2]),
            ]),
        ], liveBrokers: [UpdateMetadata.Broker(id: 1, endpoints: [
            UpdateMetadata.Endpoint(port: 9092, host: "h1", listener: "PLAINTEXT", securityProtocol: 0),
            UpdateMetadata.Endpoint(port: 9093, host: "h1", listener: "SSL", securityProtocol: 1),
        ], rack: "r1")]),
        UpdateMetadata.Response(errorCode: .staleBrokerEpoch)
    )

    static let stopReplica = (
        StopReplica.Request(controllerId: 1, controllerEpoch: 3, brokerEpoch: 99, deletePartitions: true, topics: [
            StopReplica.Topic(name: "a", partitionIndexes: [0, 1]), StopReplica.Topic(name: "b", partitionIndexes: [2]),
        ]),
        StopReplica.Response(errorCode: .none, partitionErrors: [StopReplica.PartitionError(topicName: "a", partitionIndex: 0, errorCode: .unknownServerError)])
    )

    static let controlledShutdown = (
        ControlledShutdown.Request(brokerId: 2, brokerEpoch: 99),
        ControlledShutdown.Response(errorCode: .none, remainingPartitions: [ControlledShutdown.RemainingPartition(topicName: "a", partitionIndex: 0)])
    )

    static let findCoordinator = (
        FindCoordinator.Request(key: "txn", keyType: FindCoordinator.KeyType.transaction),
        FindCoordinator.Response(throttleTimeMs: 1, errorCode: .coordinatorNotAvailable, errorMessage: "m", nodeId: -1, host: "", port: -1)
    )

    static let joinGroup = (
        JoinGroup.Request(
            groupId: "g", sessionTimeoutMs: 10000, rebalanceTimeoutMs: 300_000, memberId: "m", groupInstanceId: "i",
            protocolType: "consumer", protocols: [JoinGroup.RequestProtocol(name: "range", metadata: opaque)]
        ),
        JoinGroup.Response(
            throttleTimeMs: 1, errorCode: .none, generationId: 2, protocolName: "range", leader: "m", memberId: "m",
            members: [JoinGroup.Member(memberId: "m", groupInstanceId: "i", metadata: opaque)]
        )
    )

    static let syncGroup = (
        SyncGroup.Request(groupId: "g", generationId: 2, memberId: "m", groupInstanceId: "i", assignments: [SyncGroup.Assignment(memberId: "m", assignment: opaque)]),
        SyncGroup.Response(throttleTimeMs: 1, errorCode: .rebalanceInProgress, assignment: opaque)
    )

    static let heartbeat = (
        Heartbeat.Request(groupId: "g", generationId: 2, memberId: "m", groupInstanceId: "i"),
        Heartbeat.Response(throttleTimeMs: 1, errorCode: .rebalanceInProgress)
    )

    static let leaveGroup = (
        LeaveGroup.Request(groupId: "g", memberId: "m"),
        LeaveGroup.Response(throttleTimeMs: 1, errorCode: .unknownMemberId)
    )

    static let offsetCommit = (
        OffsetCommit.Request(groupId: "g", generationId: 2, memberId: "m", groupInstanceId: "i", topics: [
            OffsetCommit.Topic(name: "t", partitions: [
                OffsetCommit.Partition(partitionIndex: 0, committedOffset: 15, committedLeaderEpoch: 1, committedMetadata: nil),
            ]),
        ]),
        OffsetCommit.Response(throttleTimeMs: 1, topics: [OffsetCommit.TopicResult(name: "t", partitions: [
            OffsetCommit.PartitionResult(partitionIndex: 0, errorCode: .offsetMetadataTooLarge),
        ])])
    )

    static let offsetFetch = (
        OffsetFetch.Request(groupId: "g", topics: [OffsetFetch.Topic(name: "t", partitionIndexes: [0, 1])]),
        OffsetFetch.Response(throttleTimeMs: 1, topics: [OffsetFetch.TopicResult(name: "t", partitions: [
            OffsetFetch.PartitionResult(partitionIndex: 0, committedOffset: 15, committedLeaderEpoch: 1, metadata: nil, errorCode: .none),
        ])], errorCode: .coordinatorLoadInProgress)
    )
}
