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
    /// `/brokers/topics` for new topics and each `/brokers/topics/<t>` for added partitions. The
    /// assignments are read in one batch, then every partition state in another
    /// (`KafkaZkClient+Batch`): a thousand partitions cost two waits, not a thousand.
    func loadTopics() async throws {
        let topics = try await zkClient.allTopics(watch: true)
        let assignments = try await zkClient.topicAssignments(batch: topics.sorted(), watch: true)
        var partitions: [TopicPartition] = []
        for (topic, (assignment, _)) in assignments {
            for (partition, replicas) in assignment {
                let tp = TopicPartition(topic, partition)
                context.partitionAssignments[tp] = replicas
                partitions.append(tp)
            }
        }
        let states = try await zkClient.partitionStates(batch: partitions)
        for tp in partitions {
            if let state = states[tp] {
                context.partitionLeadership[tp] = state
                let leaderAlive = context.liveBrokers[state.leaderAndIsr.leader] != nil
                context.partitionStates[tp] = leaderAlive ? .onlinePartition : .offlinePartition
            } else {
                context.partitionStates[tp] = .newPartition
            }
        }
        stateChangeLogger.controller(epoch: context.epoch,
            "Loaded \(topics.count) topics with \(context.partitionAssignments.count) partitions")
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

    /// NonExistentPartition → NewPartition → OnlinePartition, and their replicas NewReplica →
    /// OnlineReplica (Kafka's `onNewPartitionCreation`): the partition state machine plans each
    /// partition's initial state (the first live replica of the assignment leads, the live
    /// replicas form the ISR, leader epoch 0); the state znodes are created with the
    /// controller-epoch-fenced multi; the replicas get LeaderAndIsr (isNew) and every live broker
    /// UpdateMetadata, in one batch. A partition with no live replica stays NewPartition.
    func onNewPartitionCreation(_ partitions: [TopicPartition]) async throws {
        var batch = ControllerBrokerRequestBatch()
        try await startNewPartitions(partitions, &batch)
        sendRequests(batch)
    }

    /// `onNewPartitionCreation` with its requests added to `batch`: NonExistentPartition and
    /// NewPartition partitions go OnlinePartition where a replica is live.
    func startNewPartitions(_ partitions: [TopicPartition], _ batch: inout ControllerBrokerRequestBatch) async throws {
        let unknown = partitions.filter { (context.partitionStates[$0] ?? .nonExistentPartition) == .nonExistentPartition }
        record(partitionStateMachine.handleStateChanges(unknown, to: .newPartition, context: &context), &batch)
        let newReplicas = partitions.flatMap { tp in
            (context.partitionAssignments[tp] ?? []).map { PartitionReplica(tp, $0) }.filter { context.replicaStates[$0] == nil }
        }
        record(replicaStateMachine.handleStateChanges(newReplicas, to: .newReplica, context: &context), &batch)
        let plan = partitionStateMachine.handleStateChanges(
            partitions.filter { context.partitionStates[$0] == .newPartition }, to: .onlinePartition, context: &context)
        record(plan, &batch)
        var outcomes: [TopicPartition: PartitionStateMachine.StateZNodeCreation] = [:]
        let initial = plan.statesToCreate
        guard !initial.isEmpty else {
            return
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
                outcomes[tp] = .created(state)
            case .failure(let error) where error.code == .nodeExists:
                // Maybe our own earlier attempt, which lost its connection after writing it.
                outcomes[tp] = .alreadyExists(try await zkClient.partitionState(tp))
            case .failure(let error):
                outcomes[tp] = .failed("\(error)")
            }
        }
        record(partitionStateMachine.onStatesCreated(outcomes, context: &context), &batch)
        started = outcomes.keys.filter { context.partitionStates[$0] == .onlinePartition }.sorted()
        let startedReplicas = started.flatMap { tp in (context.partitionAssignments[tp] ?? []).map { PartitionReplica(tp, $0) } }
        record(replicaStateMachine.handleStateChanges(startedReplicas, to: .onlineReplica, context: &context), &batch)
    }

    /// Sends an event's batched requests (Kafka's `sendRequestsToBrokers`): LeaderAndIsr to each
    /// live broker for its partitions, then UpdateMetadata to every live broker, each partition in
    /// the state the context holds now, then StopReplica. Partitions of topics being deleted are
    /// left out of LeaderAndIsr.
    func sendRequests(_ batch: ControllerBrokerRequestBatch) {
        context.unannouncedStateWrites.removeAll()
        var perBroker: [BrokerId: [TopicPartition]] = [:]
        for (broker, partitions) in batch.leaderAndIsr where context.liveBrokers[broker] != nil {
            let members = partitions.filter { !context.isTopicQueuedUpForDeletion($0.topic) }
            if !members.isEmpty { perBroker[broker] = members.sorted() }
        }
        sendLeaderAndIsr(perBroker: perBroker, newPartitions: batch.newPartitions)
        if batch.isUpdateMetadataRequested || !batch.updateMetadataPartitions.isEmpty {
            sendUpdateMetadata(to: context.liveBrokers.keys.sorted(), partitions: batch.updateMetadataPartitions.sorted())
        }
        for (broker, partitions) in batch.stopReplica.sorted(by: { $0.key < $1.key }) where context.liveBrokers[broker] != nil {
            sendStopReplica(to: broker, partitions)
        }
    }

    /// Sends each broker one LeaderAndIsr request for its partitions (those without leadership
    /// are left out); those in `newPartitions` say isNew.
    private func sendLeaderAndIsr(perBroker: [BrokerId: [TopicPartition]], newPartitions: Set<TopicPartition>) {
        let epoch = context.epoch
        for (broker, members) in perBroker.sorted(by: { $0.key < $1.key }) {
            let topicStates = Dictionary(grouping: members, by: \.topic).sorted { $0.key < $1.key }.map { topic, tps in
                KafkaProtocol.LeaderAndIsr.TopicState(topicName: topic, partitionStates: tps.sorted().compactMap { tp in
                    guard let state = context.partitionLeadership[tp] else { return nil }
                    return KafkaProtocol.LeaderAndIsr.PartitionState(
                        partitionIndex: tp.partition, controllerEpoch: state.controllerEpoch,
                        leader: state.leaderAndIsr.leader, leaderEpoch: state.leaderAndIsr.leaderEpoch,
                        isr: state.leaderAndIsr.isr, zkVersion: state.leaderAndIsr.zkVersion,
                        replicas: context.partitionAssignments[tp] ?? [], isNew: newPartitions.contains(tp))
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
                topicStates: topicStates, liveLeaders: liveLeaders, version: Self.leaderAndIsrVersion)
            let logger = stateChangeLogger
            channelManager.send(to: broker, KafkaProtocol.LeaderAndIsr.self, request, version: Self.leaderAndIsrVersion) { response in
                let failed = response.partitionErrors.filter { $0.errorCode != .none }
                if response.errorCode != .none || !failed.isEmpty {
                    logger.controller(epoch: epoch,
                        "LeaderAndIsr to broker \(broker) answered \(response.errorCode), partition errors \(failed.map { "\($0.topicName)-\($0.partitionIndex): \($0.errorCode)" })")
                } else {
                    // The answer, for the failover lab's timeline (Kafka logs it at TRACE).
                    logger.controller(epoch: epoch,
                        "Received LeaderAndIsr response from broker \(broker): NONE for \(response.partitionErrors.count) partitions")
                }
            }
            stateChangeLogger.controller(epoch: epoch,
                "Sending LeaderAndIsr request to broker \(broker) for \(members.count) partitions")
        }
    }
}
