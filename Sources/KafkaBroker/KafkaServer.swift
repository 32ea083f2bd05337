import Controller
import Foundation
import KafkaCommon
import KafkaZk
import KafkaProtocol
import KafkaPurgatory
import KafkaStorage
import Logging
import TransactionCoordinator
import NIOCore
import Synchronization
import ZooKeeper

/// A broker's lifecycle (Kafka's `KafkaServer`).
///
/// Start-up, in Kafka's order: connect to ZooKeeper (creating the chroot), create the persistent
/// top-level paths, get or create the cluster id, lock and check every log directory's
/// `meta.properties` (a different cluster id refuses to start, naming the directory), settle the
/// broker id (configured, stored, or generated from `/brokers/seqid`), write `meta.properties`,
/// register `/brokers/ids/<id>` with the advertised listeners, and start the controller, which
/// joins the election. Shutdown: with `controlled.shutdown.enable`, the controller first moves the
/// broker's leaderships away (`KafkaServer+ControlledShutdown.swift`); then the controller resigns,
/// the registration is deleted, the session is closed.
///
/// Isolation: an actor; `startup` and `shutdown` run once each, in that order.
public actor KafkaServer {
    public let config: KafkaConfig
    let logger: Logger
    let time: any Time

    public private(set) var brokerId: BrokerId
    public private(set) var clusterId: String?
    public private(set) var zkClient: KafkaZkClient?
    public private(set) var controller: KafkaController?
    private var locks: [LogDirectoryLock] = []
    private var socketServer: SocketServer?
    private var requestChannel: RequestChannel?
    private var handlerPool: KafkaRequestHandlerPool?
    private var createTopicsPurgatory: DelayedOperationPurgatory<DelayedCreatePartitions>?
    private var replicaManager: ReplicaManager?
    private var groupCoordinator: GroupCoordinator?
    private var transactionCoordinator: TransactionCoordinatorRuntime?
    private var deleteTopicsPurgatory: DelayedOperationPurgatory<DelayedDeleteTopics>?
    private var electPreferredLeaderPurgatory: DelayedOperationPurgatory<DelayedElectPreferredLeader>?
    private var logManager: LogManager?
    private var dynamicConfigManager: DynamicConfigManager?
    /// `server.properties` under the dynamic broker configs, read at start-up (after the broker
    /// id is settled) and kept current by `dynamicConfigManager`.
    private var dynamicConfig: DynamicBrokerConfig?

    /// The effective broker properties as a dictionary (the log layer reads Kafka's `log.*` keys
    /// from it): `server.properties` under the dynamic broker configs once they are read.
    private var brokerProperties: [String: String] {
        dynamicConfig?.current.effective
            ?? Dictionary(config.properties.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
    }
    private var listenerChannels: [Acceptor] = []
    /// The listeners as bound (a configured port 0 replaced by the port the kernel chose).
    public private(set) var boundListeners: [EndPoint] = []
    /// The metrics, and the HTTP listener serving them, when `admin.listener` is set (`KafkaServer+Metrics`).
    var metrics: BrokerMetrics?
    var adminListener: AdminListener?
    private var isShutDown = false

    public init(config: KafkaConfig, time: any Time = SystemTime()) {
        self.config = config
        self.time = time
        self.brokerId = config.brokerId
        self.logger = Logger(label: "kafka.server.KafkaServer")
    }

    private var logIdent: String { "[KafkaServer id=\(brokerId)] " }

    /// How long registration waits for a stale `/brokers/ids/<id>` (left by this broker's previous,
    /// killed process) to expire before concluding that a live broker holds the id.
    var staleRegistrationWait: Duration { .milliseconds(config.zkSessionTimeoutMs) + .seconds(2) }

    public func startup() async throws {
        logger.info("\(logIdent)starting")
        for key in config.unknownKeys {
            logger.warning("The configuration '\(key)' was supplied but isn't a known config.")
        }
        if config.adminListener != nil { metrics = BrokerMetrics(time: time) }
        do {
            let zkLogger = Logger(label: "kafka.zookeeper.ZooKeeperClient")
            logger.info("Connecting to zookeeper on \(config.zkConnect)")
            let zkClient = try await KafkaZkClient.connect(
                config.zkConnect, sessionTimeout: .milliseconds(config.zkSessionTimeoutMs),
                connectionTimeout: .milliseconds(config.zkConnectionTimeoutMs), logger: zkLogger, time: time)
            self.zkClient = zkClient
            try await zkClient.createTopLevelPaths()

            let clusterId = try await zkClient.getOrCreateClusterId(proposed: KafkaZkClient.generateClusterId())
            self.clusterId = clusterId
            logger.info("Cluster ID = \(clusterId)")

            let stored = try lockAndReadLogDirectories(clusterId: clusterId)
            brokerId = try await settleBrokerId(stored: stored, zkClient: zkClient)
            try writeMetaProperties(BrokerMetadata(brokerId: brokerId, clusterId: clusterId))
            // As Kafka, the dynamic broker configs are read before the logs are loaded, so that
            // the log manager starts with the effective defaults.
            let dynamicConfig = try DynamicBrokerConfig(staticConfig: config)
            try await dynamicConfig.initialize(zkClient: zkClient, brokerId: brokerId)
            self.dynamicConfig = dynamicConfig
            try await startLogManager(zkClient: zkClient)
            if let logManager {
                let manager = DynamicConfigManager(
                    zkClient: zkClient, logManager: logManager, brokerId: brokerId, dynamicConfig: dynamicConfig,
                    logger: Logger(label: "kafka.server.DynamicConfigManager"))
                manager.start()
                dynamicConfigManager = manager
                if let cleaner = logManager.cleaner {
                    // Any of the cleaner's keys: rebuilt from all the layers now in effect, so
                    // several keys changed together reconfigure once (the later calls see no change).
                    let cleanerLogger = logger
                    for key in LogCleanerConfig.reconfigurableKeys.sorted() {
                        manager.onChange(of: key) { _ in
                            do {
                                let config = try dynamicConfig.current.cleanerConfig()
                                if config != cleaner.config { cleaner.reconfigure(config) }
                            } catch {
                                cleanerLogger.warning("Cannot apply the new log cleaner config: \(error)")
                            }
                        }
                    }
                }
            }

            try await startSocketServer(handlers: try await requestHandlers(zkClient: zkClient, clusterId: clusterId))
            if let handlerPool {
                let poolLogger = logger
                dynamicConfigManager?.onChange(of: "num.io.threads") { value in
                    guard let count = Int(value) else { return }
                    handlerPool.resize(to: count)
                    poolLogger.info("Resized the request handler pool to \(count) threads (num.io.threads)")
                }
            }
            if let socketServer {
                // Resizes run one after another, in the order of the changes.
                let lastResize = Mutex<Task<Void, Never>?>(nil)
                dynamicConfigManager?.onChange(of: "num.network.threads") { value in
                    guard let count = Int(value) else { return }
                    lastResize.withLock { last in
                        let previous = last
                        last = Task {
                            await previous?.value
                            await socketServer.resizeThreadPool(to: count)
                        }
                    }
                }
            }
            if let fetcherManager = replicaManager?.fetcherManager {
                dynamicConfigManager?.onChange(of: "num.replica.fetchers") { value in
                    guard let count = Int(value) else { return }
                    fetcherManager.resizeThreadPool(count)
                }
            }

            let brokerInfo = BrokerInfo(id: brokerId, endpoints: advertisedEndpoints(), rack: config.rack,
                                        timestamp: time.milliseconds, adminListener: registeredAdminListener)
            let brokerEpoch = try await zkClient.registerBroker(brokerInfo, staleRegistrationWait: staleRegistrationWait)

            let controller = KafkaController(
                brokerInfo: brokerInfo, brokerEpoch: brokerEpoch, zkClient: zkClient,
                logger: Logger(label: "kafka.controller.KafkaController"), staleRegistrationWait: staleRegistrationWait,
                interBrokerListener: config.interBrokerListenerName,
                uncleanLeaderElectionEnable: dynamicConfig.logDefaults.uncleanLeaderElectionEnable,
                autoLeaderRebalance: config.autoLeaderRebalance,
                channelSettings: ControllerChannelManager.Settings(
                    requestTimeout: .milliseconds(config.integer("request.timeout.ms")),
                    connectTimeout: .milliseconds(config.integer("controller.socket.timeout.ms"))))
            self.controller = controller
            dynamicConfigManager?.onUncleanLeaderElectionEnabled { topic in
                controller.enableTopicUncleanLeaderElection(topic)
            }
            dynamicConfigManager?.onDefaultUncleanLeaderElectionChange { enabled in
                controller.updateDefaultUncleanLeaderElection(enabled)
            }
            await controller.startup()
            try await startAdminListener(sources: MetricsSources(
                replicaManager: replicaManager, controller: controller, groupCoordinator: groupCoordinator,
                purgatories: [createTopicsPurgatory as (any PurgatoryGauges)?, deleteTopicsPurgatory, electPreferredLeaderPurgatory].compactMap { $0 },
                networkProcessors: socketServer?.processors))
            logger.info("\(logIdent)started")
        } catch {
            logger.error("\(logIdent)Fatal error during KafkaServer startup. Prepare to shutdown: \(error)")
            await shutdown()
            throw error
        }
    }

    /// Resign (if controller), deregister, close the ZooKeeper session.
    public func shutdown() async {
        guard !isShutDown else { return }
        isShutDown = true
        logger.info("\(logIdent)shutting down")
        // ZooKeeper requests wait out a lost connection while the broker runs; a broker shutting
        // down tries once and moves on instead of hanging on an ensemble that is gone.
        zkClient?.zooKeeper.stopWaitingForConnection()
        // Leaderships move away first, while requests are still served (controlled shutdown).
        let controlledShutdownRan = await controlledShutdownIfEnabled()
        await adminListener?.close()
        // Stop taking requests first; the network threads go last.
        requestChannel?.close()
        completeDelayedRequestsForShutdown()
        for channel in listenerChannels { try? await channel.close() }
        // As in Kafka, the fetchers stop before the registration goes: a follower that kept
        // fetching could be taken back into an ISR the controller has just removed it from.
        if controlledShutdownRan { await replicaManager?.fetcherManager.shutdown() }
        dynamicConfigManager?.stop()
        if let controller {
            await controller.shutdown()
        }
        if let zkClient {
            let path = BrokerIdZNode.path(brokerId)
            if let stat = try? await zkClient.zooKeeper.exists(path), stat.ephemeralOwner == zkClient.zooKeeper.sessionId {
                do {
                    try await zkClient.zooKeeper.delete(path)
                    logger.info("\(logIdent)Deregistered broker \(brokerId) from \(path)")
                } catch {
                    logger.warning("\(logIdent)Could not delete \(path): \(error)")
                }
            }
            await zkClient.close()
        }
        // Requests taken before the channel closed may have started waiting since.
        completeDelayedRequestsForShutdown()
        await handlerPool?.shutdown()
        createTopicsPurgatory?.shutdown()
        groupCoordinator?.shutdown()
        await transactionCoordinator?.shutdown()
        if let replicaManager, let logManager {
            await replicaManager.shutdown { logManager.checkpointHighWatermarks($0) }
        }
        deleteTopicsPurgatory?.shutdown()
        electPreferredLeaderPurgatory?.shutdown()
        logManager?.shutdown()
        await socketServer?.shutdown([])
        for lock in locks { lock.release() }
        locks.removeAll()
        logger.info("\(logIdent)shut down completed")
    }

    /// Answers every request still waiting in a purgatory with what it has now, so none holds
    /// the shutdown or is left unanswered: produces and fetches (an unacknowledged acks=all
    /// produce: REQUEST_TIMED_OUT) and CreateTopics / CreatePartitions / DeleteTopics (the topics
    /// not yet ready: REQUEST_TIMED_OUT). Their connections are still open until the network
    /// threads stop, last.
    private func completeDelayedRequestsForShutdown() {
        replicaManager?.completeDelayedRequestsForShutdown()
        for operation in createTopicsPurgatory?.cancelAll() ?? [] { operation.forceComplete() }
        for operation in deleteTopicsPurgatory?.cancelAll() ?? [] { operation.forceComplete() }
        for operation in electPreferredLeaderPurgatory?.cancelAll() ?? [] { operation.forceComplete() }
    }

    /// The czxid of this broker's current registration (changes when it registers again).
    func currentBrokerEpoch() async -> Int64 {
        await controller?.brokerEpoch ?? -1
    }

    /// Every API this broker answers, wired to the parts they share.
    private func requestHandlers(zkClient: KafkaZkClient, clusterId: String) async throws -> [any KafkaRequestHandler] {
        let metadataCache = MetadataCache(brokerId: brokerId)
        let purgatory = DelayedOperationPurgatory<DelayedCreatePartitions>(purgatoryName: "topic", brokerId: brokerId)
        let deletePurgatory = DelayedOperationPurgatory<DelayedDeleteTopics>(purgatoryName: "DeleteTopics", brokerId: brokerId)
        createTopicsPurgatory = purgatory
        deleteTopicsPurgatory = deletePurgatory
        let electionPurgatory = DelayedOperationPurgatory<DelayedElectPreferredLeader>(
            purgatoryName: "ElectPreferredLeader", brokerId: brokerId)
        electPreferredLeaderPurgatory = electionPurgatory
        let defaultLogConfig = try LogConfig(brokerProperties: brokerProperties)
        let topicCreator = TopicCreator(zkClient: zkClient, defaultLogConfig: defaultLogConfig)
        guard let logManager else { throw ConfigError(file: nil, key: "log.dirs", message: "no log manager") }
        var replicationConfig = ReplicationConfig(config)
        // num.replica.fetchers may be set dynamically (read at start-up with the other dynamic configs).
        if let fetchers = dynamicConfig?.current.value("num.replica.fetchers").flatMap({ Int($0) }) {
            replicationConfig.numReplicaFetchers = max(1, fetchers)
        }
        let replicaManager = ReplicaManager(
            brokerId: brokerId, config: replicationConfig, time: time, isrStore: zkClient,
            checkpointedHighWatermarks: logManager.highWatermarkCheckpoints()
        ) { tp, config in
            try logManager.getOrCreateLog(tp, config: config)
        }
        replicaManager.startup { logManager.checkpointHighWatermarks($0) }
        // The cleaner never cleans above a partition's high watermark (nor a partition not hosted yet).
        logManager.cleaner?.manager.setFirstUnstableOffsetProvider { [weak replicaManager] tp in
            replicaManager?.partition(tp)?.highWatermark
        }
        self.replicaManager = replicaManager
        if let metrics { _ = replicaManager.metrics.storeIfNil(metrics) }
        guard let dynamicConfig else { throw ConfigError(file: nil, key: "broker.id", message: "dynamic configs not read") }
        let topicConfig: @Sendable (String) async -> LogConfig = { topic in
            let defaults = dynamicConfig.logDefaults
            return (try? await zkClient.logConfig(forTopic: topic, defaults: defaults)) ?? defaults
        }
        let epoch: @Sendable () async -> Int64 = { [weak self] in await self?.currentBrokerEpoch() ?? -1 }
        let numPartitions = Int32(config.integer("num.partitions"))
        let replicationFactor = Int16(config.integer("default.replication.factor"))
        var autoCreate: (@Sendable (String) async -> ErrorCode)?
        if config.value("auto.create.topics.enable") == "true" {
            autoCreate = Self.autoCreator(topicCreator, partitions: numPartitions, replicationFactor: replicationFactor)
        }
        // Kafka reads the offsets topic's partition count once: the topic's, else the config's.
        let groupConfig = config.groupCoordinator
        let offsetsPartitionCount = try await zkClient.topicAssignment(GroupCoordinatorConfig.offsetsTopicName)
            .map { Int32($0.assignment.count) } ?? groupConfig.offsetsTopicNumPartitions
        let internalTopicCreator = InternalTopicCreator(
            config: groupConfig,
            createTopic: { name, partitions, replicationFactor, configs in
                _ = try await topicCreator.create(name: name, numPartitions: partitions, replicationFactor: replicationFactor,
                                                  assignments: [], configs: configs, validateOnly: false, rackAwareMode: .safe)
            },
            logger: Logger(label: "kafka.server.KafkaApis"))
        let groupCoordinator = GroupCoordinator(
            manager: GroupMetadataManager(
                brokerId: brokerId, config: groupConfig, interBrokerProtocolVersion: config.interBrokerProtocolVersion,
                partitionCount: offsetsPartitionCount, replicaManager: replicaManager, time: time,
                logger: Logger(label: "kafka.coordinator.group.GroupMetadataManager")),
            time: time, logger: Logger(label: "kafka.coordinator.group.GroupCoordinator"))
        self.groupCoordinator = groupCoordinator
        groupCoordinator.startup()
        let producerIdManager = try await ProducerIdManager.start(
            brokerId: brokerId, zkClient: zkClient, logger: Logger(label: "kafka.coordinator.transaction.ProducerIdManager"))
        let offsetsTopic = GroupCoordinatorConfig.offsetsTopicName
        let transactions = try await startTransactionCoordinator(
            zkClient: zkClient, replicaManager: replicaManager, metadataCache: metadataCache, producerIds: producerIdManager)
        self.transactionCoordinator = transactions.runtime
        return [
            FindCoordinatorHandler(cache: metadataCache, offsetsTopicPartitionCount: offsetsPartitionCount,
                                   internalTopicCreator: internalTopicCreator, transactions: transactions.lookup),
            MetadataHandler(cache: metadataCache, clusterId: clusterId, autoCreate: autoCreate,
                            internalTopicCreator: internalTopicCreator),
            UpdateMetadataHandler(cache: metadataCache, createTopicsPurgatory: purgatory, deleteTopicsPurgatory: deletePurgatory,
                                  currentBrokerEpoch: epoch,
                                  onDeletedPartitions: { groupCoordinator.handleDeletedPartitions($0) },
                                  electPreferredLeaderPurgatory: electionPurgatory),
            StopReplicaHandler(replicaManager: replicaManager, logManager: logManager, currentBrokerEpoch: epoch,
                               onStopped: { stopped in
                                   for tp in stopped where tp.topic == offsetsTopic { groupCoordinator.onResignation(tp.partition) }
                                   transactions.runtime.onStopReplica(stopped)
                               }),
            ControlledShutdownHandler(controller: { [weak self] in await self?.controller }),
            DeleteTopicsHandler(zkClient: zkClient, cache: metadataCache, purgatory: deletePurgatory,
                                deleteTopicEnable: config.value("delete.topic.enable") == "true"),
            LeaderAndIsrHandler(replicaManager: replicaManager, currentBrokerEpoch: epoch, topicConfig: topicConfig,
                                onLeadershipChange: { leaders, followers in
                                    for tp in leaders where tp.topic == offsetsTopic { groupCoordinator.onElection(tp.partition) }
                                    for tp in followers where tp.topic == offsetsTopic { groupCoordinator.onResignation(tp.partition) }
                                    transactions.runtime.onLeadershipChange(leaders: leaders, followers: followers, replicaManager: replicaManager)
                                }),
            JoinGroupHandler(coordinator: groupCoordinator),
            SyncGroupHandler(coordinator: groupCoordinator),
            HeartbeatHandler(coordinator: groupCoordinator),
            LeaveGroupHandler(coordinator: groupCoordinator),
            OffsetCommitHandler(coordinator: groupCoordinator, cache: metadataCache, time: time, zkOffsets: zkClient),
            OffsetFetchHandler(coordinator: groupCoordinator, zkOffsets: zkClient, cache: metadataCache),
            ListGroupsHandler(coordinator: groupCoordinator),
            DescribeGroupsHandler(coordinator: groupCoordinator),
            DeleteGroupsHandler(coordinator: groupCoordinator),
            ProduceHandler(replicaManager: replicaManager),
            WriteTxnMarkersHandler(replicaManager: replicaManager, requestTimeoutMs: Int64(config.integer("request.timeout.ms")), time: time,
                                   groupCoordinator: groupCoordinator),
            TxnOffsetCommitHandler(coordinator: groupCoordinator, cache: metadataCache, time: time),
            InitProducerIdHandler(producerIdManager: producerIdManager, logger: Logger(label: "kafka.server.KafkaApis"),
                                  transactions: transactions.runtime.coordinator),
            AddPartitionsToTxnHandler(coordinator: transactions.runtime.coordinator, cache: metadataCache),
            AddOffsetsToTxnHandler(coordinator: transactions.runtime.coordinator, offsetsTopicPartitionCount: offsetsPartitionCount),
            EndTxnHandler(coordinator: transactions.runtime.coordinator),
            FetchHandler(replicaManager: replicaManager, fetchManager: FetchManager(cache: try config.fetchSessionCache(), time: time)),
            OffsetForLeaderEpochHandler(replicaManager: replicaManager),
            ListOffsetsHandler(replicaManager: replicaManager),
            DeleteRecordsHandler(replicaManager: replicaManager),
            DescribeLogDirsHandler(logManager: logManager),
            DescribeConfigsHandler(brokerId: brokerId, config: config, zkClient: zkClient, dynamicConfig: dynamicConfig),
            AlterConfigsHandler(brokerId: brokerId, zkClient: zkClient, dynamicConfig: dynamicConfig),
            CreateTopicsHandler(topicCreator: topicCreator, cache: metadataCache, purgatory: purgatory),
            CreatePartitionsHandler(zkClient: zkClient, cache: metadataCache, purgatory: purgatory),
            ElectPreferredLeadersHandler(cache: metadataCache, purgatory: electionPurgatory,
                                         controller: { [weak self] in await self?.controller }),
        ]
    }

    /// Metadata's auto-creation: the broker defaults, answered LEADER_NOT_AVAILABLE until the
    /// controller has elected the new partitions' leaders.
    static func autoCreator(
        _ topicCreator: TopicCreator, partitions: Int32, replicationFactor: Int16
    ) -> @Sendable (String) async -> ErrorCode {
        { topic in
            do {
                _ = try await topicCreator.create(name: topic, numPartitions: partitions, replicationFactor: replicationFactor,
                                                  assignments: [], configs: [:], validateOnly: false, rackAwareMode: .safe)
                return .leaderNotAvailable
            } catch let error as TopicCreationError {
                return error.code == .topicAlreadyExists ? .leaderNotAvailable : error.code
            } catch {
                return .unknownServerError
            }
        }
    }

    // MARK: - Start-up steps

    /// Creates missing log directories, locks each, and reads its `meta.properties`. A stored
    /// cluster id other than ZooKeeper's, or broker ids that differ between directories, stop
    /// start-up.
    private func lockAndReadLogDirectories(clusterId: String) throws -> [String: BrokerMetadata] {
        var stored: [String: BrokerMetadata] = [:]
        for directory in config.logDirs {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw ConfigError(file: directory, key: "log.dirs", message: "cannot create log directory: \(error.localizedDescription)")
            }
            locks.append(try LogDirectoryLock(directory: directory))
            guard let metadata = try BrokerMetadataCheckpoint(directory: directory).read() else { continue }
            if let storedCluster = metadata.clusterId, storedCluster != clusterId {
                throw ConfigError(
                    file: BrokerMetadataCheckpoint(directory: directory).url.path, key: "cluster.id",
                    message: "The Cluster ID \(clusterId) doesn't match stored clusterId \(storedCluster) in meta.properties of log directory \(directory). The broker is trying to join the wrong cluster. Configured zookeeper.connect may be wrong.")
            }
            stored[directory] = metadata
        }
        let ids = Set(stored.values.map(\.brokerId))
        if ids.count > 1 {
            throw ConfigError(file: nil, key: "broker.id",
                              message: "Failed to match broker.id across log.dirs: \(stored.map { "\($0.key) has \($0.value.brokerId)" }.sorted().joined(separator: ", "))")
        }
        return stored
    }

    /// The configured broker id, checked against the stored one; or the stored one; or a new one
    /// generated from `/brokers/seqid` (above `reserved.broker.max.id`).
    private func settleBrokerId(stored: [String: BrokerMetadata], zkClient: KafkaZkClient) async throws -> BrokerId {
        let storedId = stored.values.first?.brokerId
        if config.brokerId != .none {
            if let storedId, storedId != config.brokerId {
                throw ConfigError(
                    file: config.file, key: "broker.id",
                    message: "Configured broker.id \(config.brokerId) doesn't match stored broker.id \(storedId) in meta.properties. If you moved your data, make sure your configured broker.id matches. If you intend to create a new broker, you should remove all data in your data directories (log.dirs).")
            }
            return config.brokerId
        }
        if let storedId { return storedId }
        let sequence = try await zkClient.generateBrokerSequenceId()
        let generated = BrokerId(config.reservedBrokerMaxId + sequence)
        logger.info("Generated broker.id \(generated) from \(PersistentZkPaths.brokerSequenceId)")
        return generated
    }

    private func writeMetaProperties(_ metadata: BrokerMetadata) throws {
        for directory in config.logDirs {
            let checkpoint = BrokerMetadataCheckpoint(directory: directory)
            if try checkpoint.read() != metadata { try checkpoint.write(metadata) }
        }
    }

    /// Loads every log in `log.dirs` (recovering them after an unclean shutdown) with its topic's
    /// config from ZooKeeper, and starts retention, flush and checkpoint tasks.
    private func startLogManager(zkClient: KafkaZkClient) async throws {
        let defaults = try LogConfig(brokerProperties: brokerProperties)
        var topicConfigs: [String: LogConfig] = [:]
        for topic in try await zkClient.allTopics() {
            topicConfigs[topic] = try await zkClient.logConfig(forTopic: topic, defaults: defaults)
        }
        let manager = try LogManager(
            logDirs: config.logDirs, defaultConfig: defaults, settings: try LogManagerConfig(brokerProperties: brokerProperties),
            scheduler: DispatchScheduler(label: "kafka-scheduler-\(brokerId)"), time: time,
            logger: Logger(label: "kafka.log.LogManager"), cleanerConfig: try LogCleanerConfig(brokerProperties: brokerProperties))
        // Nothing is cleaned until the replica manager gives the high watermarks (startReplication).
        manager.cleaner?.manager.setFirstUnstableOffsetProvider { _ in nil }
        try manager.startup(topicConfigs: topicConfigs)
        logManager = manager
    }

    /// Binds the listeners and starts the request handlers (`num.io.threads`).
    private func startSocketServer(handlers: [any KafkaRequestHandler]) async throws {
        let channel = RequestChannel(capacity: config.queuedMaxRequests, requestMetrics: metrics?.requestMetrics)
        let apis = KafkaApis(logger: Logger(label: "kafka.server.KafkaApis"), handlers: handlers,
                             requestMetrics: metrics?.requestMetrics)
        // num.io.threads may be set dynamically (read at start-up with the other dynamic configs).
        let ioThreads = dynamicConfig?.current.value("num.io.threads").flatMap { Int($0) } ?? config.numIoThreads
        handlerPool = KafkaRequestHandlerPool(threads: ioThreads, channel: channel, apis: apis)
        requestChannel = channel
        // num.network.threads may be set dynamically too.
        var socketSettings = config.socketServerSettings
        if let networkThreads = dynamicConfig?.current.value("num.network.threads").flatMap({ Int($0) }) {
            socketSettings.networkThreads = max(1, networkThreads)
        }
        let server = SocketServer(settings: socketSettings, requestChannel: channel,
                                  logger: Logger(label: "kafka.network.SocketServer"), time: time)
        socketServer = server
        let bound = try await server.bind(config.listeners)
        listenerChannels = bound.map(\.channel)
        boundListeners = bound.map(\.endpoint)
    }

    /// The advertised listeners, with an empty host replaced by this machine's host name and a
    /// port 0 replaced by the port its listener was bound to.
    private func advertisedEndpoints() -> [EndPoint] {
        config.advertisedListeners.map { endpoint in
            var filled = endpoint
            if filled.host.trimmingCharacters(in: .whitespaces).isEmpty { filled.host = ProcessInfo.processInfo.hostName }
            if filled.port == 0, let bound = boundListeners.first(where: { $0.listenerName == endpoint.listenerName }) {
                filled.port = bound.port
            }
            return filled
        }
    }
}
