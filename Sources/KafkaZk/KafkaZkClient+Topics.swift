import KafkaCommon
import ZooKeeper

/// Topics, their assignments, configs and partition states.
extension KafkaZkClient {
    /// Creates a topic as Kafka's admin path does: the config znode `/config/topics/<t>` first,
    /// then the assignment `/brokers/topics/<t>`, whose creation the controller watches for.
    /// Throws `ZooKeeperError(.nodeExists)` when the topic exists.
    public func createTopic(_ topic: String, assignment: [Int32: [BrokerId]], config: [String: String]) async throws {
        let configPath = ConfigEntityZNode.path(entityType: "topics", entity: topic)
        do {
            try await zooKeeper.create(configPath, data: ConfigEntityZNode.encode(config))
        } catch let error as ZooKeeperError where error.code == .nodeExists {
            try await zooKeeper.setData(configPath, data: ConfigEntityZNode.encode(config))
        }
        try await zooKeeper.create(TopicZNode.path(topic), data: TopicZNode.encode(assignment))
    }

    /// Replaces a topic's assignment (CreatePartitions, reassignment), if `expectedVersion` matches.
    public func setTopicAssignment(_ topic: String, assignment: [Int32: [BrokerId]], expectedVersion: ZkVersion = .any) async throws {
        try await zooKeeper.setData(TopicZNode.path(topic), data: TopicZNode.encode(assignment), version: expectedVersion)
    }

    /// Every topic under `/brokers/topics`; with `watch`, arms a children watch.
    public func allTopics(watch: Bool = false) async throws -> Set<String> {
        Set(try await zooKeeper.children(PersistentZkPaths.brokerTopics, watch: watch).names)
    }

    /// A topic's assignment and the znode version, or nil when the topic does not exist.
    /// With `watch`, arms a data watch (partition additions and reassignments).
    public func topicAssignment(_ topic: String, watch: Bool = false) async throws -> (assignment: [Int32: [BrokerId]], version: ZkVersion)? {
        guard let (bytes, stat) = try await dataIfExists(TopicZNode.path(topic), watch: watch) else { return nil }
        return (try TopicZNode.decode(topic: topic, bytes), ZkVersion(stat.version))
    }

    /// A topic's config overrides (`{}` when it has none).
    public func topicConfig(_ topic: String) async throws -> [String: String] {
        try await entityConfig(entityType: ConfigType.topic, entity: topic)
    }

    /// Writes a topic's config overrides and announces the change under `/config/changes` so that
    /// every broker reloads them (Kafka's `AdminZkClient.changeTopicConfig`).
    public func changeTopicConfig(_ topic: String, config: [String: String]) async throws {
        try await changeEntityConfig(entityType: ConfigType.topic, entity: topic, config: config)
    }

    /// The partition state, or nil when the znode does not exist.
    public func partitionState(_ partition: TopicPartition, watch: Bool = false) async throws -> LeaderIsrAndControllerEpoch? {
        guard let (bytes, stat) = try await dataIfExists(TopicPartitionStateZNode.path(partition), watch: watch) else {
            return nil
        }
        return try TopicPartitionStateZNode.decode(partition, bytes, zkVersion: stat.version)
    }

    /// The states of `partitions`, read with pipelined requests in one batch
    /// (`partitionStates(batch:)`); partitions without a state znode are absent from the result.
    public func partitionStates(_ partitions: [TopicPartition]) async throws -> [TopicPartition: LeaderIsrAndControllerEpoch] {
        try await partitionStates(batch: partitions)
    }

    /// The controller creates the state znodes of new partitions (and their parents), fenced by
    /// its epoch. Returns, per partition, the created state or the error that kept it from being
    /// created (`nodeExists` when another controller already did). Each level — the topics'
    /// `partitions` znodes, each partition's znode, the states — is written in multis of up to
    /// `creationChunk` creates behind one epoch check, pipelined: a thousand partitions cost a
    /// few dozen ZooKeeper transactions, not three thousand round trips one after the other.
    /// (Kafka 2.3 pipelines one multi per znode; a multi is one transaction, one log write.)
    public func createPartitionStates(
        _ states: [TopicPartition: LeaderIsrAndControllerEpoch], expectedControllerEpochZkVersion: ZkVersion
    ) async throws -> [TopicPartition: Result<LeaderIsrAndControllerEpoch, ZooKeeperError>] {
        let partitions = states.keys.sorted()
        let fence = expectedControllerEpochZkVersion
        for parents in [Set(partitions.map(\.topic)).sorted().map(TopicPartitionStateZNode.partitionsPath),
                        partitions.map(TopicPartitionStateZNode.partitionPath)] {
            let failed = try await createInChunks(parents.map { ($0, []) }, expectedControllerEpochZkVersion: fence)
            if let error = failed.values.first(where: { $0.code != .nodeExists }) { throw error }
        }
        let stateNodes = partitions.compactMap { tp in states[tp].map { (TopicPartitionStateZNode.path(tp), TopicPartitionStateZNode.encode($0)) } }
        let failed = try await createInChunks(stateNodes, expectedControllerEpochZkVersion: fence)
        var results: [TopicPartition: Result<LeaderIsrAndControllerEpoch, ZooKeeperError>] = [:]
        for tp in partitions {
            guard var created = states[tp] else { continue }
            if let error = failed[TopicPartitionStateZNode.path(tp)] {
                results[tp] = .failure(error)
            } else {
                created.leaderAndIsr.zkVersion = 0
                results[tp] = .success(created)
            }
        }
        return results
    }

    /// Creates in one multi, behind the controller-epoch check, at most this many znodes.
    public static let creationChunk = 200

    /// Creates the znodes (path, data) in multis of `creationChunk`, pipelined. A multi is all or
    /// nothing: when one fails (some znode already exists), its znodes are created one by one, so
    /// each gets its own answer. Returns the paths that were not created, with why. Throws
    /// `controllerMoved` when the fence fails.
    func createInChunks(_ nodes: [(String, [UInt8])], expectedControllerEpochZkVersion: ZkVersion) async throws
        -> [String: ZooKeeperError]
    {
        let chunks = stride(from: 0, to: nodes.count, by: Self.creationChunk).map {
            Array(nodes[$0..<min($0 + Self.creationChunk, nodes.count)])
        }
        let answered = try await pipelined(chunks) { chunk -> [String: ZooKeeperError] in
            do {
                _ = try await self.multiFencedByControllerEpoch(chunk.map { .create(path: $0.0, data: $0.1) },
                                                               expectedControllerEpochZkVersion: expectedControllerEpochZkVersion)
                return [:]
            } catch is ZooKeeperError where chunk.count > 1 {
                var failed: [String: ZooKeeperError] = [:]
                for (path, data) in chunk {
                    do {
                        _ = try await self.multiFencedByControllerEpoch([.create(path: path, data: data)],
                                                                       expectedControllerEpochZkVersion: expectedControllerEpochZkVersion)
                    } catch let error as ZooKeeperError {
                        failed[path] = error
                    }
                }
                return failed
            } catch let error as ZooKeeperError {
                return [chunk[0].0: error]
            }
        }
        return answered.reduce(into: [:]) { all, chunk in all.merge(chunk.1) { first, _ in first } }
    }

    /// The controller updates partition states, each conditional on the version it read and fenced
    /// by its epoch. The writes go in multis of up to `updateChunk` setData ops behind one epoch
    /// check, pipelined: a multi is one ZooKeeper transaction, so re-electing a thousand leaders
    /// costs a handful of transactions instead of a thousand (Kafka 2.3 pipelines one request per
    /// partition). A multi is all or nothing: when one of its partitions conflicts (`badVersion`:
    /// a leader changing its ISR wrote first), that chunk is written again one partition per
    /// multi (pipelined), so the conflict fails only its own partition, as it would in Kafka. Returns the new
    /// states (with their new versions) or the per-partition error (re-read and retry). Throws
    /// `controllerMoved` when the fence fails.
    public func updatePartitionStates(
        _ states: [TopicPartition: LeaderIsrAndControllerEpoch], expectedControllerEpochZkVersion: ZkVersion
    ) async throws -> [TopicPartition: Result<LeaderIsrAndControllerEpoch, ZooKeeperError>] {
        let sorted = states.sorted(by: { $0.key < $1.key })
        let chunks = stride(from: 0, to: sorted.count, by: Self.updateChunk).map {
            Array(sorted[$0..<min($0 + Self.updateChunk, sorted.count)])
        }
        let written = try await pipelined(chunks) { chunk in
            do {
                return try await self.writePartitionStates(chunk, expectedControllerEpochZkVersion: expectedControllerEpochZkVersion)
                    .map { Result<LeaderIsrAndControllerEpoch, ZooKeeperError>.success($0) }
            } catch is ZooKeeperError where chunk.count > 1 {
                // One multi per partition, pipelined: a chunk decided from stale cached states
                // may hold many conflicts, and each costs no more than its own round trip.
                let one = try await self.pipelined(Array(chunk.enumerated())) { _, entry in
                    do {
                        return Result<LeaderIsrAndControllerEpoch, ZooKeeperError>.success(try await self.writePartitionStates(
                            [entry], expectedControllerEpochZkVersion: expectedControllerEpochZkVersion)[0])
                    } catch let error as ZooKeeperError {
                        return .failure(error)
                    }
                }
                return one.sorted { $0.0.offset < $1.0.offset }.map(\.1)
            } catch let error as ZooKeeperError {
                return [.failure(error)]
            }
        }
        var results: [TopicPartition: Result<LeaderIsrAndControllerEpoch, ZooKeeperError>] = [:]
        for (chunk, outcomes) in written {
            for ((partition, _), outcome) in zip(chunk, outcomes) { results[partition] = outcome }
        }
        return results
    }

    /// How many partition-state writes share one multi. Each multi costs ZooKeeper a quorum
    /// commit (17-27 ms on a 3-node ensemble on this machine's disk), and the ensemble does not
    /// always commit pipelined multis side by side: at 100 a dead broker's 300 partitions took
    /// three multis and 0.021-0.047 s, at 1,000 one multi and 0.011 s (1,000 partitions: 0.048-0.093
    /// against 0.028 s). A full chunk with the longest topic name (249 characters) is about 400 KB,
    /// under ZooKeeper's default `jute.maxbuffer` of 1 MB (`TopicZNodeTests`).
    public static let updateChunk = 1000

    /// One multi: the epoch check and a conditional setData per state; the states with their new
    /// versions, in order.
    func writePartitionStates(
        _ entries: [(key: TopicPartition, value: LeaderIsrAndControllerEpoch)], expectedControllerEpochZkVersion: ZkVersion
    ) async throws -> [LeaderIsrAndControllerEpoch] {
        let results = try await multiFencedByControllerEpoch(
            entries.map { partition, state in
                .setData(path: TopicPartitionStateZNode.path(partition), data: TopicPartitionStateZNode.encode(state),
                         version: ZkVersion(state.leaderAndIsr.zkVersion))
            },
            expectedControllerEpochZkVersion: expectedControllerEpochZkVersion)
        return zip(entries, results).map { entry, result in
            var updated = entry.value
            if case .setData(let stat) = result { updated.leaderAndIsr.zkVersion = stat.version }
            return updated
        }
    }

    /// A partition leader changes its ISR (expand or shrink) with a plain conditional setData — no
    /// controller fence, no leader-epoch bump. Returns the new znode version, or nil when the
    /// version no longer matches (the controller changed the state meanwhile: re-read). A
    /// mismatch because this very write landed before a lost connection was retried is success
    /// (`versionIfAlreadyWritten`).
    public func conditionalUpdatePartitionState(_ partition: TopicPartition, _ state: LeaderIsrAndControllerEpoch) async throws -> Int32? {
        do {
            return try await zooKeeper.setData(
                TopicPartitionStateZNode.path(partition), data: TopicPartitionStateZNode.encode(state),
                version: ZkVersion(state.leaderAndIsr.zkVersion)).version
        } catch let error as ZooKeeperError where error.code == .badVersion {
            return try await versionIfAlreadyWritten(partition, state)
        }
    }

    /// Leaders' ISR changes for many partitions, pipelined: each a conditional setData as above,
    /// on its own (one conflict or failure does not stop the others).
    public func conditionalUpdatePartitionStates(_ states: [TopicPartition: LeaderIsrAndControllerEpoch]) async
        -> [TopicPartition: Result<Int32?, any Error>]
    {
        let written = try? await pipelined(states.sorted(by: { $0.key < $1.key })) { partition, state in
            do {
                return Result<Int32?, any Error>.success(try await self.conditionalUpdatePartitionState(partition, state))
            } catch {
                return .failure(error)
            }
        }
        var results: [TopicPartition: Result<Int32?, any Error>] = [:]
        for ((partition, _), result) in written ?? [] { results[partition] = result }
        return results
    }

    /// Asks the controller to delete a topic (`/admin/delete_topics/<t>`).
    public func requestTopicDeletion(_ topic: String) async throws {
        do {
            try await zooKeeper.create(DeleteTopicsTopicZNode.path(topic))
        } catch let error as ZooKeeperError where error.code == .nodeExists {}
    }

    /// Announces ISR changes for the controller (`/isr_change_notification/isr_change_<seq>`).
    @discardableResult
    public func propagateIsrChanges(_ partitions: [TopicPartition]) async throws -> String {
        try await zooKeeper.create(
            "\(IsrChangeNotificationZNode.path)/\(IsrChangeNotificationZNode.prefix)",
            data: IsrChangeNotificationZNode.encode(partitions), mode: .persistentSequential)
    }
}

extension KafkaZkClient {
    /// Runs `body` for every element with at most `width` calls in flight: the session pipelines
    /// the requests, as Kafka's client does, instead of waiting for each answer in turn. Results
    /// come back in completion order; the first error thrown cancels the rest and is rethrown.
    func pipelined<Element: Sendable, Output: Sendable>(
        _ elements: [Element], width: Int = 128, _ body: @escaping @Sendable (Element) async throws -> Output
    ) async throws -> [(Element, Output)] {
        try await withThrowingTaskGroup(of: (Element, Output).self) { group in
            var results: [(Element, Output)] = []
            results.reserveCapacity(elements.count)
            var next = elements.startIndex
            while next < elements.endIndex && next - elements.startIndex < width {
                let element = elements[next]
                group.addTask { (element, try await body(element)) }
                next += 1
            }
            while let result = try await group.next() {
                results.append(result)
                if next < elements.endIndex {
                    let element = elements[next]
                    group.addTask { (element, try await body(element)) }
                    next += 1
                }
            }
            return results
        }
    }
}
