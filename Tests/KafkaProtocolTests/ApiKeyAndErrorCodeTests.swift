import KafkaProtocol
import Testing

@Suite struct ApiKeyAndErrorCodeTests {
    @Test func apiKeysCarryKafkasNames() {
        #expect(ApiKey.produce.rawValue == 0)
        #expect(ApiKey.listOffsets.name == "ListOffsets")
        #expect(ApiKey.apiVersions.rawValue == 18)
        #expect(ApiKey.describeLogDirs.rawValue == 35)
        #expect(ApiKey.describeCluster.rawValue == 60)
        #expect(ApiKey(name: "LeaderAndIsr") == .leaderAndIsr)
        #expect(ApiKey(name: "ElectPreferredLeaders") == .electLeaders)
        #expect(ApiKey(name: "NoSuchApi") == nil)
        #expect(ApiKey(rawValue: 500).name == nil)
        #expect(ApiKey(rawValue: 500).description == "ApiKey(500)")
    }

    @Test func apiKeyTableIsDenseThroughSixty() {
        let keys = ApiKey.allKnown.map(\.rawValue)
        #expect(Array(keys.prefix(61)) == Array(0...60))
        #expect(Set(ApiKey.allKnown.compactMap(\.name)).count == ApiKey.allKnown.count)
    }

    @Test func everyImplementedApiDeclaresItsRangeOnce() {
        for api in KafkaAPIs.all {
            #expect(api.key.api?.key == api.key)
            #expect(api.versions.lowerBound == 0)
            #expect(api.codecVersions.contains(api.versions.upperBound))
            if let flexible = api.firstFlexibleVersion {
                #expect(flexible > api.versions.upperBound || api.key == .apiVersions)
            }
        }
        #expect(ApiKey.alterPartitionReassignments.api == nil, "key 45 is beyond Kafka 2.3")
    }

    /// The ranges Kafka 2.3.0 advertised (`java/000_ApiVersions_v2.resp.bin`), all 45 keys: every
    /// implemented API must carry its range.
    static let kafka23MaxVersions: [ApiKey: Int16] = [
        .produce: 7, .fetch: 11, .listOffsets: 5, .metadata: 8, .leaderAndIsr: 2, .stopReplica: 1,
        .updateMetadata: 5, .controlledShutdown: 2, .offsetCommit: 7, .offsetFetch: 5, .findCoordinator: 2,
        .joinGroup: 5, .heartbeat: 3, .leaveGroup: 2, .syncGroup: 3, .describeGroups: 3, .listGroups: 2,
        .saslHandshake: 1, .apiVersions: 2, .createTopics: 3, .deleteTopics: 3, .deleteRecords: 1,
        .initProducerId: 1, .offsetForLeaderEpoch: 3, .addPartitionsToTxn: 1, .addOffsetsToTxn: 1, .endTxn: 1,
        .writeTxnMarkers: 0, .txnOffsetCommit: 2, .describeAcls: 1, .createAcls: 1, .deleteAcls: 1,
        .describeConfigs: 2, .alterConfigs: 1, .alterReplicaLogDirs: 1, .describeLogDirs: 1, .saslAuthenticate: 1,
        .createPartitions: 1, .createDelegationToken: 1, .renewDelegationToken: 1, .expireDelegationToken: 1,
        .describeDelegationToken: 1, .deleteGroups: 1, .electLeaders: 0, .incrementalAlterConfigs: 0,
    ]

    @Test func advertisedRangesAreKafka23s() {
        #expect(Self.kafka23MaxVersions.count == 45)
        let advertised = KafkaAPIs.advertised
        #expect(Set(advertised.map(\.apiKey)).count == advertised.count)
        for entry in advertised {
            #expect(entry.minVersion == 0)
            #expect(Self.kafka23MaxVersions[entry.apiKey] != nil, "\(entry.apiKey) is not a Kafka 2.3 API")
            #expect(entry.maxVersion == Self.kafka23MaxVersions[entry.apiKey], "\(entry.apiKey)")
        }
        // The ones already implemented before the schemas, and the transaction, ACL, SASL,
        // delegation-token and election APIs added with them.
        let implemented: [ApiKey] = [
            .produce, .fetch, .listOffsets, .metadata, .leaderAndIsr, .stopReplica, .updateMetadata, .controlledShutdown,
            .offsetCommit, .offsetFetch, .findCoordinator, .joinGroup, .heartbeat, .leaveGroup, .syncGroup, .apiVersions,
            .createTopics, .deleteTopics, .deleteRecords, .offsetForLeaderEpoch, .describeConfigs, .alterConfigs,
            .describeLogDirs, .createPartitions,
            .saslHandshake, .initProducerId, .addPartitionsToTxn, .addOffsetsToTxn, .endTxn, .writeTxnMarkers,
            .txnOffsetCommit, .describeAcls, .createAcls, .deleteAcls, .alterReplicaLogDirs, .saslAuthenticate,
            .createDelegationToken, .renewDelegationToken, .expireDelegationToken, .describeDelegationToken, .electLeaders,
            .describeGroups, .listGroups, .deleteGroups, .incrementalAlterConfigs,
        ]
        for key in implemented {
            #expect(advertised.contains { $0.apiKey == key }, "\(key) has no codec")
        }
    }

    @Test func errorCodesCarryKafkasNames() {
        #expect(ErrorCode.none.rawValue == 0)
        #expect(ErrorCode.unknownServerError.rawValue == -1)
        #expect(ErrorCode.notLeaderForPartition.name == "NOT_LEADER_FOR_PARTITION")
        #expect(ErrorCode.unknownTopicOrPartition.rawValue == 3)
        #expect(ErrorCode.unsupportedVersion.rawValue == 35)
        #expect(ErrorCode.topicAlreadyExists.rawValue == 36)
        #expect(ErrorCode.securityDisabled.rawValue == 54)
        #expect(ErrorCode.memberIdRequired.rawValue == 79)
        #expect(ErrorCode(name: "STALE_CONTROLLER_EPOCH") == .staleControllerEpoch)
        #expect(ErrorCode(rawValue: 36).description == "TOPIC_ALREADY_EXISTS(36)")
        #expect(ErrorCode(rawValue: 999).description == "UNKNOWN(999)")
        #expect(ErrorCode.allKnown.count == 121)
        #expect(ErrorCode.allKnown.first == .unknownServerError)
    }

    @Test func retriability() {
        for code in [ErrorCode.notLeaderForPartition, .leaderNotAvailable, .unknownTopicOrPartition, .requestTimedOut,
                     .notEnoughReplicas, .notCoordinator, .coordinatorLoadInProgress, .notController, .kafkaStorageError,
                     .fencedLeaderEpoch, .unknownLeaderEpoch, .offsetNotAvailable, .fetchSessionIdNotFound] {
            #expect(code.isRetriable, "\(code)")
        }
        for code in [ErrorCode.none, .unknownServerError, .offsetOutOfRange, .topicAlreadyExists, .unsupportedVersion,
                     .invalidReplicationFactor, .staleControllerEpoch, .rebalanceInProgress, .memberIdRequired,
                     .topicAuthorizationFailed, .invalidProducerEpoch, .messageTooLarge] {
            #expect(!code.isRetriable, "\(code)")
        }
        #expect(!ErrorCode.none.isError)
        #expect(ErrorCode.corruptMessage.isError)
    }
}
