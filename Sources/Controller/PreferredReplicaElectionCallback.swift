import KafkaCommon
import Synchronization

/// Where the controller answers an ElectPreferredLeaders request (Kafka's
/// `ElectPreferredLeadersCallback`): the partitions elected, each with the leader the answering
/// broker is to wait for in its metadata, and every requested partition's result.
///
/// Called exactly once. A request whose event is never processed — dropped from the queue by a
/// session expiry or a shutdown, as Kafka preempts it — is answered NOT_CONTROLLER for every
/// partition when the event is released (`deinit`), so no request waits for an answer that will
/// not come. Equality is identity, so that events carrying one stay `Equatable`.
public final class PreferredReplicaElectionCallback: Sendable, Equatable {
    public typealias Results = [TopicPartition: PreferredReplicaPartitionLeaderElection.PartitionResult]
    public typealias Body = @Sendable (_ expectedLeaders: [TopicPartition: BrokerId], _ results: Results) -> Void

    /// The requested partitions.
    public let partitions: Set<TopicPartition>
    private let body: Mutex<Body?>

    public init(partitions: Set<TopicPartition>, _ body: @escaping Body) {
        self.partitions = partitions
        self.body = Mutex(body)
    }

    /// Answers, unless already answered.
    public func complete(expectedLeaders: [TopicPartition: BrokerId], results: Results) {
        let body = self.body.withLock { body in
            defer { body = nil }
            return body
        }
        body?(expectedLeaders, results)
    }

    /// Answers NOT_CONTROLLER for every requested partition (this broker is not, or no longer,
    /// the controller).
    public func completeNotController() {
        complete(expectedLeaders: [:], results: Dictionary(uniqueKeysWithValues: partitions.map {
            ($0, PreferredReplicaPartitionLeaderElection.PartitionResult(.notController))
        }))
    }

    deinit { completeNotController() }

    public static func == (lhs: PreferredReplicaElectionCallback, rhs: PreferredReplicaElectionCallback) -> Bool { lhs === rhs }
}
