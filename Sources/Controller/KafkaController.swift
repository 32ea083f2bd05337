import KafkaCommon
import KafkaZk
import Logging
import ZooKeeper

/// The controller (Kafka's `KafkaController`). Every broker runs one; the one whose broker
/// created the ephemeral `/controller` is active, bumped `/controller_epoch`, and manages the
/// cluster until it resigns.
///
/// Election, as Kafka does it: watch `/controller`; when it is missing, race to create it and bump
/// the epoch in one multi (`registerControllerAndIncrementControllerEpoch`). Losers keep the
/// watch and race again when the node goes. A controller that sees `/controller` name someone else
/// resigns. On session expiry the controller resigns before anything else (the expiry event is put
/// with `clearAndPut` and awaited before the new session is created), then the broker registers
/// again and re-joins the race.
///
/// Isolation: an actor, and all of its work is driven by the `ControllerEventManager`'s single
/// task, one event at a time. ZooKeeper watches and session callbacks only enqueue events. Every
/// write the controller makes goes through `multiFencedByControllerEpoch` with the epoch znode
/// version it won, so a superseded controller can never write.
public actor KafkaController {
    public nonisolated let brokerId: BrokerId
    let zkClient: KafkaZkClient
    let eventManager: ControllerEventManager
    let logger: Logger
    let stateChangeLogger: StateChangeLogger
    let staleRegistrationWait: Duration
    /// Senders to every live broker while this controller is active.
    let channelManager: ControllerChannelManager
    /// The broker's `unclean.leader.election.enable`: whether a partition with no live in-sync
    /// replica may be led by an out-of-sync one (losing records). A topic's own setting in
    /// `/config/topics/<topic>`, read at election time, overrides it. A dynamic broker config
    /// changes it at run time (`updateDefaultUncleanLeaderElection`), through the event queue.
    var uncleanLeaderElectionEnable: Bool
    /// The automatic leader rebalance settings.
    let autoLeaderRebalance: AutoLeaderRebalanceConfig
    /// Schedules the next leader-imbalance check while active (cancelled at resignation).
    let scheduler: ControllerScheduler
    /// Leader election times and unclean elections, for the broker's metrics (`ControllerStats`).
    public nonisolated let stats = ControllerStats()

    private var brokerInfo: BrokerInfo
    /// The czxid of this broker's registration znode (Kafka's broker epoch).
    public private(set) var brokerEpoch: Int64
    /// The controller this broker believes is active (`.none` when unknown).
    public private(set) var activeControllerId: BrokerId = .none
    public internal(set) var context = ControllerContext()
    private var watchTask: Task<Void, Never>?
    /// A broker failure's (or controlled shutdown's) ISR shrinks written with its elections
    /// (`IsrShrinksAhead`); set only while `onBrokerFailure` or a controlled shutdown runs.
    var isrShrinksAhead: IsrShrinksAhead?

    public init(
        brokerInfo: BrokerInfo, brokerEpoch: Int64, zkClient: KafkaZkClient, logger: Logger,
        staleRegistrationWait: Duration, interBrokerListener: String = "PLAINTEXT",
        uncleanLeaderElectionEnable: Bool = false,
        autoLeaderRebalance: AutoLeaderRebalanceConfig = AutoLeaderRebalanceConfig(),
        rebalanceClock: any Clock<Duration> = ContinuousClock(),
        channelSettings: ControllerChannelManager.Settings = ControllerChannelManager.Settings()
    ) {
        self.brokerId = brokerInfo.id
        self.brokerInfo = brokerInfo
        self.brokerEpoch = brokerEpoch
        self.zkClient = zkClient
        self.staleRegistrationWait = staleRegistrationWait
        self.uncleanLeaderElectionEnable = uncleanLeaderElectionEnable
        self.autoLeaderRebalance = autoLeaderRebalance
        self.scheduler = ControllerScheduler(clock: rebalanceClock)
        var logger = logger
        logger[metadataKey: "broker"] = "\(brokerInfo.id)"
        self.logger = logger
        self.stateChangeLogger = StateChangeLogger(brokerId: brokerInfo.id)
        self.eventManager = ControllerEventManager(logger: logger)
        self.channelManager = ControllerChannelManager(
            controllerId: brokerInfo.id, interBrokerListener: interBrokerListener, settings: channelSettings,
            logger: logger)
    }

    public var isActive: Bool { activeControllerId == brokerId }

    /// The epoch this controller was elected with (meaningful while active).
    public var epoch: ControllerEpoch { context.epoch }

    private var logIdent: String { "[Controller id=\(brokerId)] " }

    // MARK: - Lifecycle

    /// Registers the session handler and the watch dispatcher, then starts the event loop with
    /// the `startup` event (which arms the `/controller` watch and runs the first election).
    public func startup() {
        zkClient.zooKeeper.registerSessionHandler(
            name: "controller", ControllerSessionHandler(eventManager: eventManager))
        let events = zkClient.zooKeeper.events()
        let eventManager = self.eventManager
        watchTask = Task {
            for await event in events {
                guard case .watch(let watched) = event else { continue }
                switch (watched.path, watched.kind) {
                case (ControllerZNode.path, .nodeDeleted): eventManager.put(.reelect)
                case (ControllerZNode.path, .nodeCreated), (ControllerZNode.path, .nodeDataChanged):
                    eventManager.put(.controllerChange)
                case (BrokerIdsZNode.path, .nodeChildrenChanged): eventManager.put(.brokerChange)
                case (PersistentZkPaths.brokerTopics, .nodeChildrenChanged): eventManager.put(.topicChange)
                case (PersistentZkPaths.deleteTopics, .nodeChildrenChanged): eventManager.put(.topicDeletion)
                case (PersistentZkPaths.isrChangeNotification, .nodeChildrenChanged): eventManager.put(.isrChangeNotification)
                case (PreferredReplicaElectionZNode.path, .nodeCreated): eventManager.put(.preferredReplicaLeaderElection(nil))
                case (ReassignPartitionsZNode.path, .nodeCreated), (ReassignPartitionsZNode.path, .nodeDataChanged),
                     (ReassignPartitionsZNode.path, .nodeDeleted):
                    eventManager.put(.partitionReassignment)
                case (let path, .nodeDataChanged):
                    if let topic = KafkaController.topic(ofAssignmentPath: path) { eventManager.put(.partitionModifications(topic: topic)) }
                    if let tp = KafkaController.partition(ofStatePath: path) { eventManager.put(.partitionReassignmentIsrChange(tp)) }
                default: break
                }
            }
        }
        eventManager.put(.startup)
        eventManager.start { [weak self] event in await self?.process(event) }
        logger.info("\(logIdent)Controller startup complete")
    }

    /// Stops the event loop; an active controller gives up `/controller` (fenced by its epoch, so
    /// a superseded one leaves its successor's node alone) and resigns.
    public func shutdown() async {
        zkClient.zooKeeper.unregisterSessionHandler(name: "controller")
        watchTask?.cancel()
        await eventManager.close()
        if isActive {
            do {
                try await zkClient.deleteController(expectedControllerEpochZkVersion: context.epochZkVersion)
            } catch {
                logger.warning("\(logIdent)Could not delete \(ControllerZNode.path) at shutdown: \(error)")
            }
            onControllerResignation()
        }
        activeControllerId = .none
        logger.info("\(logIdent)Shutdown completed")
    }

    /// A topic's config changed to enable unclean leader election (the broker's topic-config
    /// handler calls this, as Kafka's does): the controller, if active, tries its offline
    /// partitions again.
    public nonisolated func enableTopicUncleanLeaderElection(_ topic: String) {
        eventManager.put(.topicUncleanLeaderElectionEnable(topic: topic))
    }

    // MARK: - Events

    func process(_ event: ControllerEvent) async {
        let started = ContinuousClock.now
        defer { stats.eventProcessed(event.state, took: ContinuousClock.now - started) }
        do {
            switch event {
            case .startup:
                _ = try await zkClient.controllerId(watch: true)
                try await elect()
            case .controllerChange:
                try await maybeResign()
            case .reelect:
                try await maybeResign()
                try await elect()
            case .expire:
                let wasActive = isActive
                activeControllerId = .none
                if wasActive { onControllerResignation() }
            case .registerBrokerAndReelect:
                brokerInfo.timestamp = zkClient.time.milliseconds
                brokerEpoch = try await zkClient.registerBroker(brokerInfo, staleRegistrationWait: staleRegistrationWait)
                try await maybeResign()
                try await elect()
            case .brokerChange:
                try await processBrokerChange()
            case .topicChange:
                try await processTopicChange()
            case .partitionModifications(let topic):
                try await processPartitionModifications(topic: topic)
            case .topicDeletion:
                try await processTopicDeletion()
            case .topicDeletionStopReplicaResponseReceived(let replicaId, let requestError, let partitionErrors):
                try await processTopicDeletionStopReplicaResponseReceived(
                    replicaId: replicaId, requestError: requestError, partitionErrors: partitionErrors)
            case .isrChangeNotification:
                try await processIsrChangeNotification()
            case .topicUncleanLeaderElectionEnable(let topic):
                try await processTopicUncleanLeaderElectionEnable(topic: topic)
            case .uncleanLeaderElectionEnable(let enabled):
                try await processUncleanLeaderElectionEnable(enabled)
            case .preferredReplicaLeaderElection(let callback):
                try await processPreferredReplicaLeaderElection(callback)
            case .autoPreferredReplicaLeaderElection:
                try await processAutoPreferredReplicaLeaderElection()
            case .partitionReassignment:
                try await processPartitionReassignment()
            case .partitionReassignmentIsrChange(let tp):
                try await processPartitionReassignmentIsrChange(tp)
            case .controlledShutdown(let id, let brokerEpoch, let callback):
                try await processControlledShutdown(id: id, brokerEpoch: brokerEpoch, callback: callback)
            }
        } catch let error as ZooKeeperError where error.code.isRetriable {
            // Retried from outside the event loop: blocking the loop here would also block the
            // expiry event that must run before a new session can be created.
            logger.warning("\(logIdent)ZooKeeper connection lost while processing \(event); retrying once connected")
            let zooKeeper = zkClient.zooKeeper
            let eventManager = self.eventManager
            Task {
                try? await zooKeeper.waitUntilConnected(timeout: nil)
                eventManager.put(event)
            }
        } catch let error as KafkaZkError {
            // A fenced write failed: `/controller_epoch` moved on, so another controller was
            // elected. As Kafka does, re-read `/controller` and resign if it names someone else.
            guard case .controllerMoved = error else {
                logger.error("\(logIdent)Error processing event \(event): \(error)")
                return
            }
            logger.info("\(logIdent)Controller moved to another broker when processing \(event): \(error)")
            try? await maybeResign()
        } catch let error as ZooKeeperError where error.code == .sessionExpired || error.code == .closing {
            logger.info("\(logIdent)Session ended while processing \(event): \(error)")
        } catch {
            logger.error("\(logIdent)Error processing event \(event): \(error)")
        }
    }

    private func elect() async throws {
        activeControllerId = try await zkClient.controllerId() ?? .none
        if activeControllerId != .none {
            logger.debug("\(logIdent)Broker \(activeControllerId) has been elected as the controller, so stopping the election process.")
            return
        }
        do {
            let (epoch, epochZkVersion) = try await zkClient.registerControllerAndIncrementControllerEpoch(brokerId)
            context.epoch = epoch
            context.epochZkVersion = epochZkVersion
            activeControllerId = brokerId
            stateChangeLogger.controller(epoch: epoch,
                "Elected as the controller (epoch znode version \(epochZkVersion))")
            logger.info("\(logIdent)\(brokerId) successfully elected as the controller. Epoch incremented to \(epoch) and epoch zk version is now \(epochZkVersion)")
        } catch let error as KafkaZkError {
            guard case .controllerMoved = error else { throw error }
            logger.info("\(logIdent)Controller moved to another broker when trying to become controller: \(error)")
            try await maybeResign()
            return
        }
        do {
            try await onControllerFailover()
        } catch {
            // Half a failover must not stay in charge: as Kafka does, give the role up so that
            // some broker (maybe this one) is elected afresh and starts over.
            logger.error("\(logIdent)Error while becoming controller; triggering controller movement: \(error)")
            triggerControllerMove()
        }
    }

    /// Resigns and deletes `/controller` (fenced by this controller's epoch version, so a late
    /// deletion never removes a successor's node); its deletion makes every broker race again.
    /// A deletion that meets a lost connection is retried once the session is back.
    private func triggerControllerMove() {
        let expected = context.epochZkVersion
        activeControllerId = .none
        onControllerResignation()
        let zkClient = self.zkClient
        let logger = self.logger
        let logIdent = self.logIdent
        Task {
            for _ in 0..<10 {
                do {
                    try await zkClient.deleteController(expectedControllerEpochZkVersion: expected)
                    return
                } catch let error as ZooKeeperError where error.code.isRetriable {
                    try? await zkClient.zooKeeper.waitUntilConnected(timeout: .seconds(30))
                } catch {
                    logger.warning("\(logIdent)Could not delete \(ControllerZNode.path) to move the controller: \(error)")
                    return
                }
            }
        }
    }

    /// Reads `/controller` (re-arming its watch); a controller that no longer holds it resigns.
    private func maybeResign() async throws {
        let wasActive = isActive
        activeControllerId = try await zkClient.controllerId(watch: true) ?? .none
        if wasActive && !isActive {
            onControllerResignation()
        }
    }

    /// Becoming the active controller, in Kafka's order: clear the notification queues this
    /// controller will consume (reading `/isr_change_notification` arms its children watch), watch
    /// `/brokers/ids` and load the live brokers and the topics; tell every broker the live brokers;
    /// load the reassignments in progress (so that their topics' deletions wait);
    /// queue the deletions in progress (`initializeTopicDeletion`); start the replica state machine (live replicas
    /// OnlineReplica, with their LeaderAndIsr; replicas on dead brokers OfflineReplica, which
    /// removes them from ISRs) and then the partition state machine (leaders for the new and
    /// offline partitions); then resume the reassignments and the deletions. A partition whose leader died before
    /// this controller took over is therefore written twice: leaderless with the dead broker out
    /// of the ISR, then elected.
    private func onControllerFailover() async throws {
        logger.info("\(logIdent)Starting become-controller state transition")
        let pendingIsrChanges = try await zkClient.isrChangeNotifications(watch: true)
        try await zkClient.deleteIsrChangeNotifications(pendingIsrChanges, expectedControllerEpochZkVersion: context.epochZkVersion)
        try await deleteNotifications(under: PersistentZkPaths.logDirEventNotification)
        let ids = try await zkClient.liveBrokerIds(watch: true)
        for (id, registration) in try await zkClient.brokerRegistrations(batch: ids) {
            context.liveBrokers[id] = registration.info
            context.liveBrokerEpochs[id] = registration.czxid
        }
        stateChangeLogger.controller(epoch: context.epoch,
            "Initialized controller context with live brokers [\(context.liveBrokers.keys.sorted().map(\.description).joined(separator: ","))]")
        try await loadTopics()
        try await initializePartitionReassignment()
        for info in context.liveBrokers.values { channelManager.addBroker(info) }
        // Brokers learn the live brokers before the LeaderAndIsr requests that name them.
        sendUpdateMetadata(to: context.liveBrokers.keys.sorted())
        try await initializeTopicDeletion()

        var batch = ControllerBrokerRequestBatch()
        initializeReplicaStates()
        let replicas = context.replicas(onBrokers: Set(context.partitionAssignments.values.joined()))
            .filter { !context.isTopicQueuedUpForDeletion($0.topicPartition.topic) }
        let live = context.liveBrokerIds
        transitionReplicasOnline(replicas.filter { live.contains($0.replica) }, &batch)
        try await transitionReplicasOffline(replicas.filter { !live.contains($0.replica) }, &batch)
        try await triggerOnlinePartitionStateChange(&batch)
        batch.addUpdateMetadata(context.partitionLeadership.keys.filter { !context.isTopicQueuedUpForDeletion($0.topic) })
        sendRequests(batch)
        try await resumePartitionReassignments()
        try await resumeDeletions()
        try await onControllerFailoverPreferredReplicaElection()
        logger.info("\(logIdent)Ready to serve as the new controller with epoch \(context.epoch)")
    }

    private func deleteNotifications(under path: String) async throws {
        let names = try await zkClient.zooKeeper.children(path).names
        guard !names.isEmpty else { return }
        _ = try await zkClient.multiFencedByControllerEpoch(
            names.map { .delete(path: "\(path)/\($0)") }, expectedControllerEpochZkVersion: context.epochZkVersion)
    }

    func onControllerResignation() {
        channelManager.shutdown()
        scheduler.cancel()
        let epoch = context.epoch
        context = ControllerContext()
        stateChangeLogger.controller(epoch: epoch, "Resigned as the controller")
        logger.info("\(logIdent)Resigned")
    }
}

/// Bridges the ZooKeeper client's session lifecycle into controller events.
struct ControllerSessionHandler: ZooKeeperSessionHandler {
    let eventManager: ControllerEventManager

    func beforeInitializingSession() async {
        await eventManager.clearAndPut(.expire)
    }

    func afterInitializingSession() async {
        eventManager.put(.registerBrokerAndReelect)
    }
}
