/// A Kafka error code (int16 on the wire), as carried at the top level or per partition in
/// responses. Kafka's `Errors` enum, kept open: a code this table does not know still decodes and
/// re-encodes unchanged, and prints as `UNKNOWN(<code>)`.
///
/// Codes and names are Kafka's (the 2.x names: code 6 is `NOT_LEADER_FOR_PARTITION`, which
/// Kafka 2.7 renamed `NOT_LEADER_OR_FOLLOWER`). ``isRetriable`` is true where Kafka's exception
/// for the code is retriable: the client may resend the same request (after refreshing metadata
/// or finding the coordinator again) and expect it to succeed.
public struct ErrorCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int16

    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// Whether the request may succeed if retried.
    public var isRetriable: Bool { Self.retriableCodes.contains(rawValue) }

    /// `true` for every code but ``none``.
    public var isError: Bool { rawValue != 0 }

    /// Kafka's name for the code, e.g. `UNKNOWN_TOPIC_OR_PARTITION`; nil for a code not in the table.
    public var name: String? { Self.name(of: rawValue) }

    public var description: String { name.map { "\($0)(\(rawValue))" } ?? "UNKNOWN(\(rawValue))" }

    /// The code for a Kafka error name, e.g. `ErrorCode(name: "TOPIC_ALREADY_EXISTS")`.
    public init?(name: String) {
        if name == "NOT_LEADER_OR_FOLLOWER" { self = .notLeaderForPartition; return }
        guard let code = Self.allKnown.first(where: { $0.name == name }) else { return nil }
        self = code
    }

    /// Every code in the table, in numeric order.
    public static let allKnown: [ErrorCode] = (Int16(-1)...Int16(119)).compactMap { code in
        name(of: code) == nil ? nil : ErrorCode(rawValue: code)
    }

    private static let retriableCodes: Set<Int16> = [
        2, 3, 5, 6, 7, 9, 13, 14, 15, 16, 19, 20, 41, 51, 56, 70, 71, 72, 74, 75, 78, 80, 83, 84, 88, 89,
        100, 103, 106,
    ]

    // MARK: The codes

    /// -1 `UNKNOWN_SERVER_ERROR`: The server experienced an unexpected error when processing the request.
    public static let unknownServerError = ErrorCode(rawValue: -1)
    /// 0 `NONE`: No error.
    public static let none = ErrorCode(rawValue: 0)
    /// 1 `OFFSET_OUT_OF_RANGE`: The requested offset is not within the range of offsets maintained by the server.
    public static let offsetOutOfRange = ErrorCode(rawValue: 1)
    /// 2 `CORRUPT_MESSAGE`: A record failed its CRC check, is otherwise corrupt, or exceeds the valid size.
    public static let corruptMessage = ErrorCode(rawValue: 2)
    /// 3 `UNKNOWN_TOPIC_OR_PARTITION`: This server does not host this topic-partition.
    public static let unknownTopicOrPartition = ErrorCode(rawValue: 3)
    /// 4 `INVALID_FETCH_SIZE`: The requested fetch size is invalid.
    public static let invalidFetchSize = ErrorCode(rawValue: 4)
    /// 5 `LEADER_NOT_AVAILABLE`: The partition has no leader right now (a leader election is under way).
    public static let leaderNotAvailable = ErrorCode(rawValue: 5)
    /// 6 `NOT_LEADER_FOR_PARTITION`: This server is not the leader for that topic-partition (Kafka 2.7 renamed it NOT_LEADER_OR_FOLLOWER).
    public static let notLeaderForPartition = ErrorCode(rawValue: 6)
    /// 7 `REQUEST_TIMED_OUT`: The request timed out.
    public static let requestTimedOut = ErrorCode(rawValue: 7)
    /// 8 `BROKER_NOT_AVAILABLE`: The broker is not available.
    public static let brokerNotAvailable = ErrorCode(rawValue: 8)
    /// 9 `REPLICA_NOT_AVAILABLE`: The replica is not available for the requested topic-partition.
    public static let replicaNotAvailable = ErrorCode(rawValue: 9)
    /// 10 `MESSAGE_TOO_LARGE`: The request included a message larger than the server will accept.
    public static let messageTooLarge = ErrorCode(rawValue: 10)
    /// 11 `STALE_CONTROLLER_EPOCH`: The controller moved to another broker (the request carries an older controller epoch).
    public static let staleControllerEpoch = ErrorCode(rawValue: 11)
    /// 12 `OFFSET_METADATA_TOO_LARGE`: The metadata field of the offset request was too large.
    public static let offsetMetadataTooLarge = ErrorCode(rawValue: 12)
    /// 13 `NETWORK_EXCEPTION`: The server disconnected before a response was received.
    public static let networkException = ErrorCode(rawValue: 13)
    /// 14 `COORDINATOR_LOAD_IN_PROGRESS`: The coordinator is loading and hence can't process requests.
    public static let coordinatorLoadInProgress = ErrorCode(rawValue: 14)
    /// 15 `COORDINATOR_NOT_AVAILABLE`: The coordinator is not available.
    public static let coordinatorNotAvailable = ErrorCode(rawValue: 15)
    /// 16 `NOT_COORDINATOR`: This is not the correct coordinator.
    public static let notCoordinator = ErrorCode(rawValue: 16)
    /// 17 `INVALID_TOPIC_EXCEPTION`: The request attempted to perform an operation on an invalid topic.
    public static let invalidTopicException = ErrorCode(rawValue: 17)
    /// 18 `RECORD_LIST_TOO_LARGE`: The request included a message batch larger than the configured segment size.
    public static let recordListTooLarge = ErrorCode(rawValue: 18)
    /// 19 `NOT_ENOUGH_REPLICAS`: Fewer in-sync replicas than min.insync.replicas.
    public static let notEnoughReplicas = ErrorCode(rawValue: 19)
    /// 20 `NOT_ENOUGH_REPLICAS_AFTER_APPEND`: The records were written to the log, but to fewer in-sync replicas than required.
    public static let notEnoughReplicasAfterAppend = ErrorCode(rawValue: 20)
    /// 21 `INVALID_REQUIRED_ACKS`: The produce request asked for an invalid number of acknowledgements.
    public static let invalidRequiredAcks = ErrorCode(rawValue: 21)
    /// 22 `ILLEGAL_GENERATION`: The generation id given is not the group's current generation.
    public static let illegalGeneration = ErrorCode(rawValue: 22)
    /// 23 `INCONSISTENT_GROUP_PROTOCOL`: The member's protocol type or protocols do not match the group's.
    public static let inconsistentGroupProtocol = ErrorCode(rawValue: 23)
    /// 24 `INVALID_GROUP_ID`: The group id is invalid.
    public static let invalidGroupId = ErrorCode(rawValue: 24)
    /// 25 `UNKNOWN_MEMBER_ID`: The coordinator does not know this member id.
    public static let unknownMemberId = ErrorCode(rawValue: 25)
    /// 26 `INVALID_SESSION_TIMEOUT`: The session timeout is outside the broker's allowed range.
    public static let invalidSessionTimeout = ErrorCode(rawValue: 26)
    /// 27 `REBALANCE_IN_PROGRESS`: The group is rebalancing, so a rejoin is needed.
    public static let rebalanceInProgress = ErrorCode(rawValue: 27)
    /// 28 `INVALID_COMMIT_OFFSET_SIZE`: The committing offset data size is not valid.
    public static let invalidCommitOffsetSize = ErrorCode(rawValue: 28)
    /// 29 `TOPIC_AUTHORIZATION_FAILED`: Topic authorization failed.
    public static let topicAuthorizationFailed = ErrorCode(rawValue: 29)
    /// 30 `GROUP_AUTHORIZATION_FAILED`: Group authorization failed.
    public static let groupAuthorizationFailed = ErrorCode(rawValue: 30)
    /// 31 `CLUSTER_AUTHORIZATION_FAILED`: Cluster authorization failed.
    public static let clusterAuthorizationFailed = ErrorCode(rawValue: 31)
    /// 32 `INVALID_TIMESTAMP`: A timestamp is outside the accepted range.
    public static let invalidTimestamp = ErrorCode(rawValue: 32)
    /// 33 `UNSUPPORTED_SASL_MECHANISM`: The broker does not support the requested SASL mechanism.
    public static let unsupportedSaslMechanism = ErrorCode(rawValue: 33)
    /// 34 `ILLEGAL_SASL_STATE`: The request is not valid given the current SASL state.
    public static let illegalSaslState = ErrorCode(rawValue: 34)
    /// 35 `UNSUPPORTED_VERSION`: The version of the API is not supported.
    public static let unsupportedVersion = ErrorCode(rawValue: 35)
    /// 36 `TOPIC_ALREADY_EXISTS`: The topic already exists.
    public static let topicAlreadyExists = ErrorCode(rawValue: 36)
    /// 37 `INVALID_PARTITIONS`: The number of partitions is invalid.
    public static let invalidPartitions = ErrorCode(rawValue: 37)
    /// 38 `INVALID_REPLICATION_FACTOR`: The replication factor is invalid.
    public static let invalidReplicationFactor = ErrorCode(rawValue: 38)
    /// 39 `INVALID_REPLICA_ASSIGNMENT`: The replica assignment is invalid.
    public static let invalidReplicaAssignment = ErrorCode(rawValue: 39)
    /// 40 `INVALID_CONFIG`: The configuration is invalid.
    public static let invalidConfig = ErrorCode(rawValue: 40)
    /// 41 `NOT_CONTROLLER`: This is not the correct controller for this cluster.
    public static let notController = ErrorCode(rawValue: 41)
    /// 42 `INVALID_REQUEST`: The request is malformed or otherwise invalid (details in the broker's log).
    public static let invalidRequest = ErrorCode(rawValue: 42)
    /// 43 `UNSUPPORTED_FOR_MESSAGE_FORMAT`: The message format version on the broker does not support the request.
    public static let unsupportedForMessageFormat = ErrorCode(rawValue: 43)
    /// 44 `POLICY_VIOLATION`: The request parameters do not satisfy the configured policy.
    public static let policyViolation = ErrorCode(rawValue: 44)
    /// 45 `OUT_OF_ORDER_SEQUENCE_NUMBER`: The broker received an out of order sequence number.
    public static let outOfOrderSequenceNumber = ErrorCode(rawValue: 45)
    /// 46 `DUPLICATE_SEQUENCE_NUMBER`: The broker received a duplicate sequence number.
    public static let duplicateSequenceNumber = ErrorCode(rawValue: 46)
    /// 47 `INVALID_PRODUCER_EPOCH`: The producer's epoch is older than the one the broker knows (producer fenced).
    public static let invalidProducerEpoch = ErrorCode(rawValue: 47)
    /// 48 `INVALID_TXN_STATE`: The producer attempted a transactional operation in an invalid state.
    public static let invalidTxnState = ErrorCode(rawValue: 48)
    /// 49 `INVALID_PRODUCER_ID_MAPPING`: The producer id does not match the one mapped to its transactional id.
    public static let invalidProducerIdMapping = ErrorCode(rawValue: 49)
    /// 50 `INVALID_TRANSACTION_TIMEOUT`: The transaction timeout is larger than transaction.max.timeout.ms.
    public static let invalidTransactionTimeout = ErrorCode(rawValue: 50)
    /// 51 `CONCURRENT_TRANSACTIONS`: Another transaction of this producer is still being completed.
    public static let concurrentTransactions = ErrorCode(rawValue: 51)
    /// 52 `TRANSACTION_COORDINATOR_FENCED`: This transaction coordinator has been fenced by a newer one.
    public static let transactionCoordinatorFenced = ErrorCode(rawValue: 52)
    /// 53 `TRANSACTIONAL_ID_AUTHORIZATION_FAILED`: Transactional id authorization failed.
    public static let transactionalIdAuthorizationFailed = ErrorCode(rawValue: 53)
    /// 54 `SECURITY_DISABLED`: Security features are disabled.
    public static let securityDisabled = ErrorCode(rawValue: 54)
    /// 55 `OPERATION_NOT_ATTEMPTED`: The broker did not attempt this operation because another one in the batch failed.
    public static let operationNotAttempted = ErrorCode(rawValue: 55)
    /// 56 `KAFKA_STORAGE_ERROR`: Disk error when trying to access the log file on disk.
    public static let kafkaStorageError = ErrorCode(rawValue: 56)
    /// 57 `LOG_DIR_NOT_FOUND`: The user-specified log directory is not found in the broker config.
    public static let logDirNotFound = ErrorCode(rawValue: 57)
    /// 58 `SASL_AUTHENTICATION_FAILED`: SASL authentication failed.
    public static let saslAuthenticationFailed = ErrorCode(rawValue: 58)
    /// 59 `UNKNOWN_PRODUCER_ID`: The broker has no state for this producer id (its records were removed).
    public static let unknownProducerId = ErrorCode(rawValue: 59)
    /// 60 `REASSIGNMENT_IN_PROGRESS`: A partition reassignment is in progress.
    public static let reassignmentInProgress = ErrorCode(rawValue: 60)
    /// 61 `DELEGATION_TOKEN_AUTH_DISABLED`: Delegation token feature is not enabled.
    public static let delegationTokenAuthDisabled = ErrorCode(rawValue: 61)
    /// 62 `DELEGATION_TOKEN_NOT_FOUND`: Delegation token is not found on server.
    public static let delegationTokenNotFound = ErrorCode(rawValue: 62)
    /// 63 `DELEGATION_TOKEN_OWNER_MISMATCH`: Specified principal is not a valid owner or renewer.
    public static let delegationTokenOwnerMismatch = ErrorCode(rawValue: 63)
    /// 64 `DELEGATION_TOKEN_REQUEST_NOT_ALLOWED`: Delegation token requests are not allowed on this connection type.
    public static let delegationTokenRequestNotAllowed = ErrorCode(rawValue: 64)
    /// 65 `DELEGATION_TOKEN_AUTHORIZATION_FAILED`: Delegation token authorization failed.
    public static let delegationTokenAuthorizationFailed = ErrorCode(rawValue: 65)
    /// 66 `DELEGATION_TOKEN_EXPIRED`: Delegation token is expired.
    public static let delegationTokenExpired = ErrorCode(rawValue: 66)
    /// 67 `INVALID_PRINCIPAL_TYPE`: The supplied principal type is not supported.
    public static let invalidPrincipalType = ErrorCode(rawValue: 67)
    /// 68 `NON_EMPTY_GROUP`: The group is not empty.
    public static let nonEmptyGroup = ErrorCode(rawValue: 68)
    /// 69 `GROUP_ID_NOT_FOUND`: The group id does not exist.
    public static let groupIdNotFound = ErrorCode(rawValue: 69)
    /// 70 `FETCH_SESSION_ID_NOT_FOUND`: The fetch session id was not found.
    public static let fetchSessionIdNotFound = ErrorCode(rawValue: 70)
    /// 71 `INVALID_FETCH_SESSION_EPOCH`: The fetch session epoch is invalid.
    public static let invalidFetchSessionEpoch = ErrorCode(rawValue: 71)
    /// 72 `LISTENER_NOT_FOUND`: The leader has no endpoint for the listener the request came on.
    public static let listenerNotFound = ErrorCode(rawValue: 72)
    /// 73 `TOPIC_DELETION_DISABLED`: Topic deletion is disabled.
    public static let topicDeletionDisabled = ErrorCode(rawValue: 73)
    /// 74 `FENCED_LEADER_EPOCH`: The request's leader epoch is older than the broker's.
    public static let fencedLeaderEpoch = ErrorCode(rawValue: 74)
    /// 75 `UNKNOWN_LEADER_EPOCH`: The request's leader epoch is newer than the broker's.
    public static let unknownLeaderEpoch = ErrorCode(rawValue: 75)
    /// 76 `UNSUPPORTED_COMPRESSION_TYPE`: The requesting client does not support the compression type of the partition.
    public static let unsupportedCompressionType = ErrorCode(rawValue: 76)
    /// 77 `STALE_BROKER_EPOCH`: The broker epoch has changed.
    public static let staleBrokerEpoch = ErrorCode(rawValue: 77)
    /// 78 `OFFSET_NOT_AVAILABLE`: The leader high watermark has not caught up from a recent leader election.
    public static let offsetNotAvailable = ErrorCode(rawValue: 78)
    /// 79 `MEMBER_ID_REQUIRED`: The member must rejoin with the member id the coordinator assigned to it.
    public static let memberIdRequired = ErrorCode(rawValue: 79)
    /// 80 `PREFERRED_LEADER_NOT_AVAILABLE`: The preferred leader was not available.
    public static let preferredLeaderNotAvailable = ErrorCode(rawValue: 80)
    /// 81 `GROUP_MAX_SIZE_REACHED`: The group has reached its maximum size.
    public static let groupMaxSizeReached = ErrorCode(rawValue: 81)
    /// 82 `FENCED_INSTANCE_ID`: Another member with the same group.instance.id has registered.
    public static let fencedInstanceId = ErrorCode(rawValue: 82)
    /// 83 `ELIGIBLE_LEADERS_NOT_AVAILABLE`: Eligible topic partition leaders are not available.
    public static let eligibleLeadersNotAvailable = ErrorCode(rawValue: 83)
    /// 84 `ELECTION_NOT_NEEDED`: Leader election not needed for the topic partition.
    public static let electionNotNeeded = ErrorCode(rawValue: 84)
    /// 85 `NO_REASSIGNMENT_IN_PROGRESS`: No partition reassignment is in progress.
    public static let noReassignmentInProgress = ErrorCode(rawValue: 85)
    /// 86 `GROUP_SUBSCRIBED_TO_TOPIC`: The group is still subscribed to the topic whose offsets are being deleted.
    public static let groupSubscribedToTopic = ErrorCode(rawValue: 86)
    /// 87 `INVALID_RECORD`: The broker rejected the record in validation.
    public static let invalidRecord = ErrorCode(rawValue: 87)
    /// 88 `UNSTABLE_OFFSET_COMMIT`: There are unstable offsets that need to be cleared.
    public static let unstableOffsetCommit = ErrorCode(rawValue: 88)
    /// 89 `THROTTLING_QUOTA_EXCEEDED`: The throttling quota has been exceeded.
    public static let throttlingQuotaExceeded = ErrorCode(rawValue: 89)
    /// 90 `PRODUCER_FENCED`: A newer producer with the same transactional id fenced this one.
    public static let producerFenced = ErrorCode(rawValue: 90)
    /// 91 `RESOURCE_NOT_FOUND`: The request referred to a resource that does not exist.
    public static let resourceNotFound = ErrorCode(rawValue: 91)
    /// 92 `DUPLICATE_RESOURCE`: The request referred to the same resource twice.
    public static let duplicateResource = ErrorCode(rawValue: 92)
    /// 93 `UNACCEPTABLE_CREDENTIAL`: The requested credential would not meet the criteria for acceptability.
    public static let unacceptableCredential = ErrorCode(rawValue: 93)
    /// 94 `INCONSISTENT_VOTER_SET`: The sender or recipient of a voter-only request is not an expected voter.
    public static let inconsistentVoterSet = ErrorCode(rawValue: 94)
    /// 95 `INVALID_UPDATE_VERSION`: The given update version was invalid.
    public static let invalidUpdateVersion = ErrorCode(rawValue: 95)
    /// 96 `FEATURE_UPDATE_FAILED`: Unable to update finalized features.
    public static let featureUpdateFailed = ErrorCode(rawValue: 96)
    /// 97 `PRINCIPAL_DESERIALIZATION_FAILURE`: The forwarded request's principal could not be deserialized.
    public static let principalDeserializationFailure = ErrorCode(rawValue: 97)
    /// 98 `SNAPSHOT_NOT_FOUND`: The requested snapshot was not found.
    public static let snapshotNotFound = ErrorCode(rawValue: 98)
    /// 99 `POSITION_OUT_OF_RANGE`: The requested position is outside the snapshot.
    public static let positionOutOfRange = ErrorCode(rawValue: 99)
    /// 100 `UNKNOWN_TOPIC_ID`: This server does not host this topic id.
    public static let unknownTopicId = ErrorCode(rawValue: 100)
    /// 101 `DUPLICATE_BROKER_REGISTRATION`: This broker id is already registered.
    public static let duplicateBrokerRegistration = ErrorCode(rawValue: 101)
    /// 102 `BROKER_ID_NOT_REGISTERED`: The given broker id was not registered.
    public static let brokerIdNotRegistered = ErrorCode(rawValue: 102)
    /// 103 `INCONSISTENT_TOPIC_ID`: The log's topic id does not match the topic id in the request.
    public static let inconsistentTopicId = ErrorCode(rawValue: 103)
    /// 104 `INCONSISTENT_CLUSTER_ID`: The cluster id in the request does not match the receiver's.
    public static let inconsistentClusterId = ErrorCode(rawValue: 104)
    /// 105 `TRANSACTIONAL_ID_NOT_FOUND`: The transactional id could not be found.
    public static let transactionalIdNotFound = ErrorCode(rawValue: 105)
    /// 106 `FETCH_SESSION_TOPIC_ID_ERROR`: The fetch session saw a topic id change or inconsistent topic id usage.
    public static let fetchSessionTopicIdError = ErrorCode(rawValue: 106)
    /// 107 `INELIGIBLE_REPLICA`: The new ISR contains at least one ineligible replica.
    public static let ineligibleReplica = ErrorCode(rawValue: 107)
    /// 108 `NEW_LEADER_ELECTED`: The AlterPartition request was rejected because a new leader was elected.
    public static let newLeaderElected = ErrorCode(rawValue: 108)
    /// 109 `OFFSET_MOVED_TO_TIERED_STORAGE`: The requested offset is moved to tiered storage.
    public static let offsetMovedToTieredStorage = ErrorCode(rawValue: 109)
    /// 110 `FENCED_MEMBER_EPOCH`: The member epoch is fenced by the group coordinator.
    public static let fencedMemberEpoch = ErrorCode(rawValue: 110)
    /// 111 `UNRELEASED_INSTANCE_ID`: The instance id is still used by another member.
    public static let unreleasedInstanceId = ErrorCode(rawValue: 111)
    /// 112 `UNSUPPORTED_ASSIGNOR`: The assignor or its version range is not supported by the group.
    public static let unsupportedAssignor = ErrorCode(rawValue: 112)
    /// 113 `STALE_MEMBER_EPOCH`: The member epoch is stale.
    public static let staleMemberEpoch = ErrorCode(rawValue: 113)
    /// 114 `MISMATCHED_ENDPOINT_TYPE`: The request was sent to an endpoint of the wrong type.
    public static let mismatchedEndpointType = ErrorCode(rawValue: 114)
    /// 115 `UNSUPPORTED_ENDPOINT_TYPE`: This endpoint type is not supported yet.
    public static let unsupportedEndpointType = ErrorCode(rawValue: 115)
    /// 116 `UNKNOWN_CONTROLLER_ID`: This controller id is not known.
    public static let unknownControllerId = ErrorCode(rawValue: 116)
    /// 117 `UNKNOWN_SUBSCRIPTION_ID`: The client sent a push telemetry request with an invalid or outdated subscription id.
    public static let unknownSubscriptionId = ErrorCode(rawValue: 117)
    /// 118 `TELEMETRY_TOO_LARGE`: The client sent a push telemetry request larger than the broker accepts.
    public static let telemetryTooLarge = ErrorCode(rawValue: 118)
    /// 119 `INVALID_REGISTRATION`: The controller considers the broker registration invalid.
    public static let invalidRegistration = ErrorCode(rawValue: 119)

    /// Kafka 2.7's name for ``notLeaderForPartition`` (same code, 6).
    public static let notLeaderOrFollower = notLeaderForPartition

    // MARK: Names

    private static func name(of code: Int16) -> String? {
        switch code {
        case -1: "UNKNOWN_SERVER_ERROR"
        case 0: "NONE"
        case 1: "OFFSET_OUT_OF_RANGE"
        case 2: "CORRUPT_MESSAGE"
        case 3: "UNKNOWN_TOPIC_OR_PARTITION"
        case 4: "INVALID_FETCH_SIZE"
        case 5: "LEADER_NOT_AVAILABLE"
        case 6: "NOT_LEADER_FOR_PARTITION"
        case 7: "REQUEST_TIMED_OUT"
        case 8: "BROKER_NOT_AVAILABLE"
        case 9: "REPLICA_NOT_AVAILABLE"
        case 10: "MESSAGE_TOO_LARGE"
        case 11: "STALE_CONTROLLER_EPOCH"
        case 12: "OFFSET_METADATA_TOO_LARGE"
        case 13: "NETWORK_EXCEPTION"
        case 14: "COORDINATOR_LOAD_IN_PROGRESS"
        case 15: "COORDINATOR_NOT_AVAILABLE"
        case 16: "NOT_COORDINATOR"
        case 17: "INVALID_TOPIC_EXCEPTION"
        case 18: "RECORD_LIST_TOO_LARGE"
        case 19: "NOT_ENOUGH_REPLICAS"
        case 20: "NOT_ENOUGH_REPLICAS_AFTER_APPEND"
        case 21: "INVALID_REQUIRED_ACKS"
        case 22: "ILLEGAL_GENERATION"
        case 23: "INCONSISTENT_GROUP_PROTOCOL"
        case 24: "INVALID_GROUP_ID"
        case 25: "UNKNOWN_MEMBER_ID"
        case 26: "INVALID_SESSION_TIMEOUT"
        case 27: "REBALANCE_IN_PROGRESS"
        case 28: "INVALID_COMMIT_OFFSET_SIZE"
        case 29: "TOPIC_AUTHORIZATION_FAILED"
        case 30: "GROUP_AUTHORIZATION_FAILED"
        case 31: "CLUSTER_AUTHORIZATION_FAILED"
        case 32: "INVALID_TIMESTAMP"
        case 33: "UNSUPPORTED_SASL_MECHANISM"
        case 34: "ILLEGAL_SASL_STATE"
        case 35: "UNSUPPORTED_VERSION"
        case 36: "TOPIC_ALREADY_EXISTS"
        case 37: "INVALID_PARTITIONS"
        case 38: "INVALID_REPLICATION_FACTOR"
        case 39: "INVALID_REPLICA_ASSIGNMENT"
        case 40: "INVALID_CONFIG"
        case 41: "NOT_CONTROLLER"
        case 42: "INVALID_REQUEST"
        case 43: "UNSUPPORTED_FOR_MESSAGE_FORMAT"
        case 44: "POLICY_VIOLATION"
        case 45: "OUT_OF_ORDER_SEQUENCE_NUMBER"
        case 46: "DUPLICATE_SEQUENCE_NUMBER"
        case 47: "INVALID_PRODUCER_EPOCH"
        case 48: "INVALID_TXN_STATE"
        case 49: "INVALID_PRODUCER_ID_MAPPING"
        case 50: "INVALID_TRANSACTION_TIMEOUT"
        case 51: "CONCURRENT_TRANSACTIONS"
        case 52: "TRANSACTION_COORDINATOR_FENCED"
        case 53: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"
        case 54: "SECURITY_DISABLED"
        case 55: "OPERATION_NOT_ATTEMPTED"
        case 56: "KAFKA_STORAGE_ERROR"
        case 57: "LOG_DIR_NOT_FOUND"
        case 58: "SASL_AUTHENTICATION_FAILED"
        case 59: "UNKNOWN_PRODUCER_ID"
        case 60: "REASSIGNMENT_IN_PROGRESS"
        case 61: "DELEGATION_TOKEN_AUTH_DISABLED"
        case 62: "DELEGATION_TOKEN_NOT_FOUND"
        case 63: "DELEGATION_TOKEN_OWNER_MISMATCH"
        case 64: "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED"
        case 65: "DELEGATION_TOKEN_AUTHORIZATION_FAILED"
        case 66: "DELEGATION_TOKEN_EXPIRED"
        case 67: "INVALID_PRINCIPAL_TYPE"
        case 68: "NON_EMPTY_GROUP"
        case 69: "GROUP_ID_NOT_FOUND"
        case 70: "FETCH_SESSION_ID_NOT_FOUND"
        case 71: "INVALID_FETCH_SESSION_EPOCH"
        case 72: "LISTENER_NOT_FOUND"
        case 73: "TOPIC_DELETION_DISABLED"
        case 74: "FENCED_LEADER_EPOCH"
        case 75: "UNKNOWN_LEADER_EPOCH"
        case 76: "UNSUPPORTED_COMPRESSION_TYPE"
        case 77: "STALE_BROKER_EPOCH"
        case 78: "OFFSET_NOT_AVAILABLE"
        case 79: "MEMBER_ID_REQUIRED"
        case 80: "PREFERRED_LEADER_NOT_AVAILABLE"
        case 81: "GROUP_MAX_SIZE_REACHED"
        case 82: "FENCED_INSTANCE_ID"
        case 83: "ELIGIBLE_LEADERS_NOT_AVAILABLE"
        case 84: "ELECTION_NOT_NEEDED"
        case 85: "NO_REASSIGNMENT_IN_PROGRESS"
        case 86: "GROUP_SUBSCRIBED_TO_TOPIC"
        case 87: "INVALID_RECORD"
        case 88: "UNSTABLE_OFFSET_COMMIT"
        case 89: "THROTTLING_QUOTA_EXCEEDED"
        case 90: "PRODUCER_FENCED"
        case 91: "RESOURCE_NOT_FOUND"
        case 92: "DUPLICATE_RESOURCE"
        case 93: "UNACCEPTABLE_CREDENTIAL"
        case 94: "INCONSISTENT_VOTER_SET"
        case 95: "INVALID_UPDATE_VERSION"
        case 96: "FEATURE_UPDATE_FAILED"
        case 97: "PRINCIPAL_DESERIALIZATION_FAILURE"
        case 98: "SNAPSHOT_NOT_FOUND"
        case 99: "POSITION_OUT_OF_RANGE"
        case 100: "UNKNOWN_TOPIC_ID"
        case 101: "DUPLICATE_BROKER_REGISTRATION"
        case 102: "BROKER_ID_NOT_REGISTERED"
        case 103: "INCONSISTENT_TOPIC_ID"
        case 104: "INCONSISTENT_CLUSTER_ID"
        case 105: "TRANSACTIONAL_ID_NOT_FOUND"
        case 106: "FETCH_SESSION_TOPIC_ID_ERROR"
        case 107: "INELIGIBLE_REPLICA"
        case 108: "NEW_LEADER_ELECTED"
        case 109: "OFFSET_MOVED_TO_TIERED_STORAGE"
        case 110: "FENCED_MEMBER_EPOCH"
        case 111: "UNRELEASED_INSTANCE_ID"
        case 112: "UNSUPPORTED_ASSIGNOR"
        case 113: "STALE_MEMBER_EPOCH"
        case 114: "MISMATCHED_ENDPOINT_TYPE"
        case 115: "UNSUPPORTED_ENDPOINT_TYPE"
        case 116: "UNKNOWN_CONTROLLER_ID"
        case 117: "UNKNOWN_SUBSCRIPTION_ID"
        case 118: "TELEMETRY_TOO_LARGE"
        case 119: "INVALID_REGISTRATION"
        default: nil
        }
    }
}
