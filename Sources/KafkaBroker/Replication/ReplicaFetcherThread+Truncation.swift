import KafkaClient
import KafkaCommon
import KafkaProtocol

extension ReplicaFetcherThread {
    /// Step 1 of the loop: where do the truncating partitions' logs really end? Partitions whose
    /// log holds leader epochs ask the leader (OffsetForLeaderEpoch with their latest epoch) and
    /// cut where `OffsetTruncation` says; those without epochs (empty, or old message formats)
    /// cut at their initial fetch offset, the high watermark (Kafka's `maybeTruncate`).
    func truncate(_ truncating: [TopicPartition: PartitionFetchState], _ connection: BrokerConnection) async throws {
        var withEpochs: [TopicPartition: (state: PartitionFetchState, epoch: Int32)] = [:]
        for (tp, state) in truncating {
            guard let partition = localPartition(tp) else {
                update(tp, from: state, to: PartitionFetchState?.none)
                continue
            }
            if let epoch = partition.latestLocalLeaderEpoch {
                withEpochs[tp] = (state, epoch)
            } else {
                finishTruncation(tp, partition, state, OffsetTruncation(offset: state.fetchOffset, isComplete: true))
            }
        }
        guard !withEpochs.isEmpty else { return }
        let request = OffsetForLeaderEpoch.Request(replicaId: brokerId, topics: Dictionary(grouping: withEpochs, by: \.key.topic).sorted { $0.key < $1.key }.map { topic, members in
            OffsetForLeaderEpoch.Topic(name: topic, partitions: members.sorted { $0.key < $1.key }.map { tp, entry in
                OffsetForLeaderEpoch.Partition(partitionIndex: tp.partition, currentLeaderEpoch: entry.state.currentLeaderEpoch,
                                               leaderEpoch: LeaderEpoch(entry.epoch))
            })
        })
        let response = try await send(OffsetForLeaderEpoch.self, request, version: Self.offsetForLeaderEpochVersion, on: connection)
        for topic in response.topics {
            for answer in topic.partitions {
                let tp = TopicPartition(topic.name, answer.partitionIndex)
                guard let (state, _) = withEpochs[tp], fetchState(tp) == state, let partition = localPartition(tp) else { continue }
                switch answer.errorCode {
                case .none:
                    let decision = OffsetTruncation.decide(
                        leaderEpoch: answer.leaderEpoch.rawValue, leaderEndOffset: answer.endOffset,
                        localEndOffsetForLeaderEpoch: partition.localEndOffset(forLeaderEpoch: answer.leaderEpoch.rawValue),
                        localLogEndOffset: partition.logEndOffset, initialFetchOffset: state.fetchOffset)
                    finishTruncation(tp, partition, state, decision)
                case .fencedLeaderEpoch:
                    logger.info("Partition \(tp) fenced at leader epoch \(state.currentLeaderEpoch) by broker \(sourceBroker); waiting for a newer LeaderAndIsr")
                    update(tp, from: state, to: PartitionFetchState?.none)
                default:
                    logger.info("Error \(answer.errorCode) asking broker \(sourceBroker) where epoch of \(tp) ends; retrying")
                    delay(tp, ifStill: state)
                }
            }
        }
    }

    private func finishTruncation(_ tp: TopicPartition, _ partition: Partition, _ state: PartitionFetchState, _ decision: OffsetTruncation) {
        do {
            let before = partition.logEndOffset
            try partition.truncateAsFollower(to: decision.offset)
            if decision.offset < before {
                logger.info("Truncated \(tp) from log end offset \(before) to \(decision.offset) (leader epoch exchange with broker \(sourceBroker))")
            }
            var next = state
            next.fetchOffset = min(decision.offset, partition.logEndOffset)
            next.phase = decision.isComplete ? .fetching : .truncating
            next.delayedUntilMs = nil
            update(tp, from: state, to: next)
        } catch {
            logger.error("Error truncating \(tp) to \(decision.offset): \(error)")
            delay(tp, ifStill: state)
        }
    }
}
