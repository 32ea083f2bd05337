import KafkaCommon
import KafkaProtocol
import KafkaZk
import Logging
import TransactionCoordinator

/// The transaction coordinator as this broker runs it (the start-up, scheduling and leadership
/// side of Kafka 2.3's `TransactionCoordinator`): the ``TransactionCoordinator`` actor over this
/// broker's log (``ReplicaManagerTransactionLog``), the marker channel to the other brokers
/// (``TransactionMarkerChannelManager`` over ``InterBrokerTxnMarkerNetwork``), the producer id
/// blocks in ZooKeeper, and the two periodic sweeps.
///
/// Lifecycle: ``start`` (given the broker's producer id manager) starts the marker channel and the sweeps
/// (aborting timed-out transactions every
/// `transaction.abort.timed.out.transaction.cleanup.interval.ms`, removing expired transactional
/// ids every `transaction.remove.expired.transaction.cleanup.interval.ms`); LeaderAndIsr calls
/// ``onElection(_:coordinatorEpoch:)`` and ``onResignation(_:coordinatorEpoch:)`` for
/// `__transaction_state` partitions, StopReplica the latter; ``shutdown()`` stops it all.
///
/// Isolation: immutable references; loads and unloads of one partition run in order on one
/// serial task chain so a quick leader→follower→leader sequence applies in order.
final class TransactionCoordinatorRuntime: Sendable {
    let coordinator: TransactionCoordinator
    let markerChannel: TransactionMarkerChannelManager
    let config: TransactionConfig
    private let network: InterBrokerTxnMarkerNetwork
    private let log: ReplicaManagerTransactionLog
    private let producerIds: ProducerIdManager
    private let leadership: LeadershipQueue
    private let sweeps: SweepTasks
    private let logger: Logger

    private init(
        coordinator: TransactionCoordinator, markerChannel: TransactionMarkerChannelManager, config: TransactionConfig,
        network: InterBrokerTxnMarkerNetwork, log: ReplicaManagerTransactionLog, producerIds: ProducerIdManager, logger: Logger
    ) {
        self.coordinator = coordinator
        self.markerChannel = markerChannel
        self.config = config
        self.network = network
        self.log = log
        self.producerIds = producerIds
        self.leadership = LeadershipQueue()
        self.sweeps = SweepTasks()
        self.logger = logger
    }

    static func start(
        brokerId: BrokerId, config: TransactionConfig, partitionCount: Int32, zkClient: KafkaZkClient, replicaManager: ReplicaManager,
        metadataCache: MetadataCache, interBrokerListener: String, producerIds: ProducerIdManager, time: any Time
    ) async throws -> TransactionCoordinatorRuntime {
        let logger = Logger(label: "kafka.coordinator.transaction.TransactionCoordinator")
        let stateManager = TransactionStateManager(brokerId: brokerId, config: config, partitionCount: partitionCount)
        let network = InterBrokerTxnMarkerNetwork(
            brokerId: brokerId, cache: metadataCache, listenerName: interBrokerListener, requestTimeoutMs: Int64(config.requestTimeoutMs))
        let markerChannel = TransactionMarkerChannelManager(
            brokerId: brokerId, metadata: MetadataCacheTxnMarkerMetadata(cache: metadataCache, listenerName: interBrokerListener),
            network: network, partitionFor: { stateManager.partitionFor($0) },
            logger: Logger(label: "kafka.coordinator.transaction.TransactionMarkerChannelManager"))
        let log = ReplicaManagerTransactionLog(replicaManager: replicaManager)
        let coordinator = TransactionCoordinator(
            stateManager: stateManager, appender: log, markerSender: markerChannel, producerIds: producerIds, time: time, logger: logger)
        await markerChannel.attach(coordinator)
        let runtime = TransactionCoordinatorRuntime(
            coordinator: coordinator, markerChannel: markerChannel, config: config, network: network, log: log, producerIds: producerIds,
            logger: logger)
        logger.info("[TransactionCoordinator id=\(brokerId.rawValue)] Starting up.")
        await markerChannel.start()
        runtime.sweeps.start(
            abortEveryMs: config.abortTimedOutTransactionsIntervalMs, expireEveryMs: config.removeExpiredTransactionalIdsIntervalMs,
            coordinator: coordinator)
        logger.info("[TransactionCoordinator id=\(brokerId.rawValue)] Startup complete.")
        return runtime
    }

    /// This broker became leader of `__transaction_state`-`partition` at leader epoch
    /// `coordinatorEpoch`: load it (Kafka's `handleTxnImmigration`).
    func onElection(_ partition: Int32, coordinatorEpoch: Int32) {
        let coordinator = coordinator, log = log
        leadership.enqueue { await coordinator.handleTxnImmigration(partition: partition, coordinatorEpoch: coordinatorEpoch, reader: log) }
    }

    /// This broker no longer leads the partition: unload it (Kafka's `handleTxnEmigration`).
    func onResignation(_ partition: Int32, coordinatorEpoch: Int32) {
        let coordinator = coordinator
        leadership.enqueue { await coordinator.handleTxnEmigration(partition: partition, coordinatorEpoch: coordinatorEpoch) }
    }

    func shutdown() async {
        logger.info("[TransactionCoordinator] Shutting down.")
        sweeps.stop()
        await markerChannel.shutdown()
        await network.shutdown()
        await producerIds.shutdown()
        logger.info("[TransactionCoordinator] Shutdown complete.")
    }
}
