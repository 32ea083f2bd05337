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
        #expect(ApiKey.describeAcls.api == nil)
    }

    /// The ranges Kafka 2.3.0 advertised (`java/000_ApiVersions_v2.resp.bin`).
    @Test func advertisedRangesAreKafka23s() {
        let expected: [ApiKey: Int16] = [
            .produce: 7, .fetch: 11, .listOffsets: 5, .metadata: 8, .leaderAndIsr: 2, .stopReplica: 1,
            .updateMetadata: 5, .controlledShutdown: 2, .offsetCommit: 7, .offsetFetch: 5, .findCoordinator: 2,
            .joinGroup: 5, .heartbeat: 3, .leaveGroup: 2, .syncGroup: 3, .apiVersions: 2, .createTopics: 3,
            .deleteTopics: 3, .deleteRecords: 1, .offsetForLeaderEpoch: 3, .describeConfigs: 2, .alterConfigs: 1,
            .describeLogDirs: 1, .createPartitions: 1,
            .describeGroups: 3, .listGroups: 2, .deleteGroups: 1, .incrementalAlterConfigs: 0,
        ]
        let advertised = KafkaAPIs.advertised
        #expect(advertised.count == expected.count)
        for entry in advertised {
            #expect(entry.minVersion == 0)
            #expect(entry.maxVersion == expected[entry.apiKey], "\(entry.apiKey)")
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
