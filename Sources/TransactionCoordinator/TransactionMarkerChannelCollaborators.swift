import KafkaCommon
import KafkaProtocol

/// Where the marker of one partition goes, from the broker's metadata (Kafka 2.3's
/// `MetadataCache.getPartitionLeaderEndpoint` as the channel manager reads it).
public enum TxnMarkerDestination: Sendable, Equatable {
    /// The partition's leader, reachable on the inter-broker listener.
    case leader(BrokerId)
    /// The partition exists but has no live leader now: the marker waits and is routed again.
    case leaderNotAvailable
    /// The partition is not in the metadata (deleted): its marker is skipped.
    case partitionDeleted
}

/// The broker's metadata as the channel manager needs it.
public protocol TxnMarkerMetadata: Sendable {
    func destination(of partition: TopicPartition) async -> TxnMarkerDestination
}

/// Sends one WriteTxnMarkers request (v0) to a broker and returns its response; throws when the
/// broker cannot be reached or the connection fails before the answer (Kafka's disconnected
/// response), after which every marker of the request is routed again.
public protocol TxnMarkerNetwork: Sendable {
    func send(_ request: WriteTxnMarkers.Request, to broker: BrokerId) async throws -> WriteTxnMarkers.Response
}

/// What the channel manager asks the coordinator: whether a transaction's markers are still
/// wanted, and the final append once they are all written. ``TransactionCoordinator`` conforms.
public protocol TxnMarkerCompletionTarget: AnyObject, Sendable {
    /// Whether this broker still coordinates `transactionalId` at `coordinatorEpoch` (the
    /// partition is loaded and not leaving, the id is cached, its epoch unchanged). When it does
    /// not, the transaction's queued markers are dropped: the new coordinator sends them again.
    func stillCoordinates(transactionalId: String, coordinatorEpoch: Int32) async -> Bool

    /// Appends `transit` (CompleteCommit or CompleteAbort) and completes the transition; returns
    /// the coordinator's error. COORDINATOR_NOT_AVAILABLE leaves the transition pending, for a
    /// retry.
    func completeTransaction(transactionalId: String, coordinatorEpoch: Int32, transit: TxnTransitMetadata) async -> ErrorCode
}
