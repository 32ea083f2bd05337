import KafkaCommon
import KafkaProtocol
import KafkaZk
import ZooKeeper

/// Topics: loading them at failover, new topics (TopicChange), and the partition state machine's
/// NewPartition → OnlinePartition step with the LeaderAndIsr requests it produces.
extension KafkaController {
    /// The LeaderAndIsr version this controller sends (Kafka 2.3's).
    static let leaderAndIsrVersion: Int16 = 2

    /// Reads every topic's assignment and partition state into the context and watches
    /// `/brokers/topics` for new topics and each `/brokers/topics/<t>` for added partitions.
    func loadTopics() async throws {
        let topics = try await zkClient.allTopics(watch: true)
        for topic in topics.sorted() { try await loadTopic(topic) }
        stateChangeLogger.controller(epoch: context.epoch,
            "Loaded \(topics.count) topics with \(context.partitionAssignments.count) partitions")
    }

    private func loadTopic(_ topic: String) async throws {
        guard let (assignment, _) = try await zkClient.topicAssignment(topic, watch: true) else { return }
        for (partition, replicas) in assignment {
            let tp = TopicPartition(topic, partition)
            context.partitionAssignments[tp] = replicas
            if let state = try await zkClient.partitionState(tp) {
                context.partitionLeadership[tp] = state
                let leaderAlive = context.liveBrokers[state.leaderAndIsr.leader] != nil
                context.partitionStates[tp] = leaderAlive ? .onlinePartition : .offlinePartition
            } else {
                context.partitionStates[tp] = .newPartition
            }
        }
    }

    /// New topics under `/brokers/topics`: their partitions start (Kafka's `onNewPartitionCreation`);
    /// topics gone from ZooKeeper leave the context.
    func processTopicChange() async throws {
        guard isActive else { return }
        let topics = try await zkClient.allTopics(watch: true)
        let known = context.allTopics
        for gone in known.subtracting(topics) {
            for tp in context.partitionAssignments.keys where tp.topic == gone { context.removePartition(tp) }
        }
        let added = topics.subtracting(known).sorted()
        // Partitions whose start an earlier, interrupted attempt (a lost connection) left unfinished.
        let unstarted = context.partitionAssignments.keys.filter {
            context.partitionLeadership[$0] == nil && context.topicsToBeDeleted[$0.topic] == nil
        }
        guard !added.isEmpty else {
            if !unstarted.isEmpty { try await onNewPartitionCreation(unstarted.sorted()) }
            return
        }
        var partitions: [TopicPartition] = []
        for topic in added {
            guard let (assignment, _) = try await zkClient.topicAssignment(topic, watch: true) else { continue }
            for (partition, replicas) in assignment {
                let tp = TopicPartition(topic, partition)
                context.partitionAssignments[tp] = replicas
                partitions.append(tp)
            }
        }
        stateChangeLogger.controller(epoch: context.epoch,
            "New topics: [\(added.joined(separator: ","))], new partitions: \(partitions.count)")
        try await onNewPartitionCreation(Array(Set(partitions + unstarted)).sorted())
    }

    /// NonExistentPartition → NewPartition → OnlinePartition: the first live replica of the
    /// assignment leads, the live replicas form the ISR, leader epoch 0; the state znodes are
    /// created with the controller-epoch-fenced multi; the replicas get LeaderAndIsr (isNew) and
    /// every live broker UpdateMetadata. A partition with no live replica stays NewPartition.
    func onNewPartitionCreation(_ partitions: [TopicPartition]) async throws {
        var initial: [TopicPartition: LeaderIsrAndControllerEpoch] = [:]
        for tp in partitions {
            transition(tp, to: .newPartition)
            let replicas = context.partitionAssignments[tp] ?? []
            for replica in replicas where context.replicaStates[PartitionReplica(tp, replica)] == nil {
                transition(PartitionReplica(tp, replica), to: .newReplica)
            }
            let live = replicas.filter { context.liveBrokers[$0] != nil }
            guard let leader = live.first else {
                stateChangeLogger.controller(epoch: context.epoch,
                    "Cannot start partition \(tp): none of its replicas [\(replicas.map(\.description).joined(separator: ","))] is alive")
                continue
            }
            initial[tp] = LeaderIsrAndControllerEpoch(leaderAndIsr: KafkaZk.LeaderAndIsr(leader: leader, isr: live),
                                                      controllerEpoch: context.epoch)
        }
        let clock = ContinuousClock()
        let writeStart = clock.now
        let results = try await zkClient.createPartitionStates(initial, expectedControllerEpochZkVersion: context.epochZkVersion)
        stateChangeLogger.controller(epoch: context.epoch,
            "Wrote the state znodes of \(initial.count) new partitions in \((clock.now - writeStart).formatted(.units(allowed: [.milliseconds])))")
        var started: [TopicPartition] = []
        for (tp, result) in results.sorted(by: { $0.key < $1.key }) {
            switch result {
            case .success(let state):
                context.partitionLeadership[tp] = state
                transition(tp, to: .onlinePartition)
                started.append(tp)
                for replica in context.partitionAssignments[tp] ?? [] { transition(PartitionReplica(tp, replica), to: .onlineReplica) }
            case .failure(let error):
                // Our own earlier attempt may have written it before its connection was lost.
                if error.code == .nodeExists, let existing = try await zkClient.partitionState(tp),
                   existing.controllerEpoch == context.epoch {
                    context.partitionLeadership[tp] = existing
                    transition(tp, to: .onlinePartition)
                    started.append(tp)
                    for replica in context.partitionAssignments[tp] ?? [] { transition(PartitionReplica(tp, replica), to: .onlineReplica) }
                    continue
                }
                stateChangeLogger.controller(epoch: context.epoch,
                    "Error while creating the state znode of \(tp): \(error); it stays NewPartition")
            }
        }
        sendLeaderAndIsr(for: started, isNew: true)
        sendUpdateMetadata(to: context.liveBrokers.keys.sorted(), partitions: started)
    }

    /// Sends each live replica of `partitions` one LeaderAndIsr request with its partitions'
    /// leader, ISR, epochs and replicas (Kafka batches per broker the same way).
    func sendLeaderAndIsr(for partitions: [TopicPartition], isNew: Bool, onlyTo: Set<BrokerId>? = nil) {
        var perBroker: [BrokerId: [TopicPartition]] = [:]
        for tp in partitions where context.topicsToBeDeleted[tp.topic] == nil {
            for replica in context.partitionAssignments[tp] ?? [] where context.liveBrokers[replica] != nil {
                if let onlyTo, !onlyTo.contains(replica) { continue }
                perBroker[replica, default: []].append(tp)
            }
        }
        sendLeaderAndIsr(perBroker: perBroker, isNew: isNew)
    }

    /// Sends an event's batched requests: LeaderAndIsr (isNew false) to each live broker for its
    /// partitions, then UpdateMetadata to every live broker, each partition in the state the
    /// context holds now. Partitions of topics being deleted are left out of LeaderAndIsr.
    func sendRequests(_ batch: ControllerBrokerRequestBatch) {
        var perBroker: [BrokerId: [TopicPartition]] = [:]
        for (broker, partitions) in batch.leaderAndIsr where context.liveBrokers[broker] != nil {
            let members = partitions.filter { !context.isTopicQueuedUpForDeletion($0.topic) }
            if !members.isEmpty { perBroker[broker] = members.sorted() }
        }
        sendLeaderAndIsr(perBroker: perBroker, isNew: false)
        if batch.isUpdateMetadataRequested || !batch.updateMetadataPartitions.isEmpty {
            sendUpdateMetadata(to: context.liveBrokers.keys.sorted(), partitions: batch.updateMetadataPartitions.sorted())
        }
    }

    /// Sends each broker one LeaderAndIsr request for its partitions (those without leadership
    /// are left out).
    private func sendLeaderAndIsr(perBroker: [BrokerId: [TopicPartition]], isNew: Bool) {
        let epoch = context.epoch
        for (broker, members) in perBroker.sorted(by: { $0.key < $1.key }) {
            let topicStates = Dictionary(grouping: members, by: \.topic).sorted { $0.key < $1.key }.map { topic, tps in
                KafkaProtocol.LeaderAndIsr.TopicState(topicName: topic, partitionStates: tps.sorted().compactMap { tp in
                    guard let state = context.partitionLeadership[tp] else { return nil }
                    return KafkaProtocol.LeaderAndIsr.PartitionState(
                        partitionIndex: tp.partition, controllerEpoch: state.controllerEpoch,
                        leader: state.leaderAndIsr.leader, leaderEpoch: state.leaderAndIsr.leaderEpoch,
                        isr: state.leaderAndIsr.isr, zkVersion: state.leaderAndIsr.zkVersion,
                        replicas: context.partitionAssignments[tp] ?? [], isNew: isNew)
                })
            }
            let leaders = Set(members.compactMap { context.partitionLeadership[$0]?.leaderAndIsr.leader })
            let liveLeaders = leaders.sorted().compactMap { id -> KafkaProtocol.LeaderAndIsr.LiveLeader? in
                guard let info = context.liveBrokers[id],
                      let endpoint = info.endpoint(listenerName: channelManager.interBrokerListener) ?? info.endpoints.first
                else { return nil }
                return KafkaProtocol.LeaderAndIsr.LiveLeader(brokerId: id, hostName: endpoint.host, port: endpoint.port)
            }
            let request = KafkaProtocol.LeaderAndIsr.Request(
                controllerId: brokerId, controllerEpoch: epoch, brokerEpoch: context.liveBrokerEpochs[broker] ?? -1,
                topicStates: topicStates, liveLeaders: liveLeaders)
            let logger = stateChangeLogger
            channelManager.send(to: broker, KafkaProtocol.LeaderAndIsr.self, request, version: Self.leaderAndIsrVersion) { response in
                let failed = response.partitionErrors.filter { $0.errorCode != .none }
                if response.errorCode != .none || !failed.isEmpty {
                    logger.controller(epoch: epoch,
                        "LeaderAndIsr to broker \(broker) answered \(response.errorCode), partition errors \(failed.map { "\($0.topicName)-\($0.partitionIndex): \($0.errorCode)" })")
                }
            }
            stateChangeLogger.controller(epoch: epoch,
                "Sending LeaderAndIsr request to broker \(broker) for \(members.count) partitions")
        }
    }
}
