import KafkaClient
import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaStorage

extension ReplicaFetcherThread {
    /// Step 2 and 3 of the loop: one Fetch for the ready partitions, its data appended. The
    /// session decides what the request carries: every ready partition (a full fetch) or only
    /// those added or changed since the last request, with the ones no longer ready forgotten.
    func fetch(_ ready: [TopicPartition: PartitionFetchState], _ connection: BrokerConnection,
               _ session: inout FetchSessionHandler) async throws {
        // Round-robin order: the partition first in a response is the one sure to get a whole
        // batch within the response limit, so no partition is starved by the ones before it.
        let sorted = ready.keys.sorted()
        let shift = nextRound() % max(1, sorted.count)
        let entries = (sorted[shift...] + sorted[..<shift]).compactMap { tp -> FetchSessionHandler.Entry? in
            guard let state = ready[tp] else { return nil }
            return .init(topicPartition: tp, data: .init(
                fetchOffset: state.fetchOffset, logStartOffset: localPartition(tp)?.offsets.logStartOffset ?? -1,
                maxBytes: config.fetchMaxBytes, currentLeaderEpoch: state.currentLeaderEpoch))
        }
        let built = session.build(entries)
        var topics: [Fetch.FetchTopic] = []
        for entry in built.toSend {
            let tp = entry.topicPartition
            let partition = Fetch.FetchPartition(partition: tp.partition, currentLeaderEpoch: entry.data.currentLeaderEpoch,
                                                 fetchOffset: entry.data.fetchOffset, logStartOffset: entry.data.logStartOffset,
                                                 partitionMaxBytes: entry.data.maxBytes)
            if topics.last?.topic == tp.topic {
                topics[topics.count - 1].partitions.append(partition)
            } else {
                topics.append(Fetch.FetchTopic(topic: tp.topic, partitions: [partition]))
            }
        }
        let forgotten = Dictionary(grouping: built.toForget, by: \.topic).sorted { $0.key < $1.key }.map { topic, tps in
            Fetch.ForgottenTopic(topic: topic, partitions: tps.map(\.partition).sorted())
        }
        let request = Fetch.Request(
            replicaId: brokerId, maxWaitMs: config.fetchWaitMaxMs, minBytes: config.fetchMinBytes,
            maxBytes: config.fetchResponseMaxBytes, isolationLevel: 0, sessionId: built.sessionId, sessionEpoch: built.sessionEpoch,
            topics: topics, forgottenTopicsData: forgotten, rackId: "")
        let response: Fetch.Response
        do {
            response = try await send(Fetch.self, request, version: Self.fetchVersion, on: connection)
        } catch {
            session.handleSendError()
            throw error
        }
        guard session.handleResponse(errorCode: response.errorCode, sessionId: response.sessionId) else {
            if response.errorCode == .fetchSessionIdNotFound || response.errorCode == .invalidFetchSessionEpoch {
                // The next request is a full one; nothing to wait for.
                logger.info("Fetch session \(built.sessionId) (epoch \(built.sessionEpoch)) with broker \(sourceBroker) ended with \(response.errorCode); starting a new one")
                return
            }
            logger.warning("Fetch from broker \(sourceBroker) failed with \(response.errorCode)")
            for (tp, state) in ready { delay(tp, ifStill: state) }
            return
        }
        for topic in response.responses {
            for data in topic.partitions {
                let tp = TopicPartition(topic.topic, data.partitionIndex)
                guard let state = ready[tp] else { continue }
                await process(tp, state, data, connection)
            }
        }
    }

    private func process(_ tp: TopicPartition, _ state: PartitionFetchState, _ data: Fetch.PartitionData,
                         _ connection: BrokerConnection) async {
        guard fetchState(tp) == state, let partition = localPartition(tp) else { return }
        switch data.errorCode {
        case .none:
            do {
                let records = MemoryRecords(data.records ?? ByteBuffer())
                let logEndOffset = try partition.appendRecordsAsFollower(
                    records, leader: sourceBroker.id, leaderEpoch: state.currentLeaderEpoch,
                    leaderHighWatermark: data.highWatermark, leaderLogStartOffset: data.logStartOffset)
                brokerMetrics?.followerFetched(tp, bytes: records.sizeInBytes, leaderHighWatermark: data.highWatermark, logEndOffset: logEndOffset)
                var next = state
                next.fetchOffset = logEndOffset
                next.delayedUntilMs = nil
                update(tp, from: state, to: next)
            } catch Partition.FollowerError.noLongerFollowerOf {
                update(tp, from: state, to: PartitionFetchState?.none)
            } catch {
                logger.error("Error appending the data of \(tp) fetched at offset \(state.fetchOffset) from broker \(sourceBroker): \(error)")
                delay(tp, ifStill: state)
            }
        case .offsetOutOfRange:
            do {
                let newOffset = try await handleOffsetOutOfRange(tp, partition, state, connection)
                var next = state
                next.fetchOffset = newOffset
                update(tp, from: state, to: next)
            } catch {
                logger.error("Error resetting the fetch offset of \(tp): \(error)")
                delay(tp, ifStill: state)
            }
        case .fencedLeaderEpoch:
            logger.info("Partition \(tp) fenced at leader epoch \(state.currentLeaderEpoch) by broker \(sourceBroker); waiting for a newer LeaderAndIsr")
            update(tp, from: state, to: PartitionFetchState?.none)
        default:
            logger.info("Error \(data.errorCode) fetching \(tp) at offset \(state.fetchOffset) from broker \(sourceBroker)")
            delay(tp, ifStill: state)
        }
    }

    /// The fetch offset is outside the leader's log (Kafka's `handleOffsetOutOfRange`):
    /// - the leader's log ends below ours (only after an unclean election): cut ours there;
    /// - otherwise ours ends below the leader's start (retention moved on while we were away):
    ///   start over empty at the leader's log start offset; or keep our end and fetch again.
    func handleOffsetOutOfRange(_ tp: TopicPartition, _ partition: Partition, _ state: PartitionFetchState,
                                _ connection: BrokerConnection) async throws -> Int64 {
        let localEnd = partition.logEndOffset
        let leaderEnd = try await leaderOffset(tp, timestamp: Log.latestTimestamp, state, connection)
        if leaderEnd < localEnd {
            logger.warning("Truncating \(tp) from its log end offset \(localEnd) to the leader's \(leaderEnd): the leader was elected uncleanly, records above \(leaderEnd) are lost on this replica")
            try partition.truncateAsFollower(to: leaderEnd)
            return leaderEnd
        }
        let leaderStart = try await leaderOffset(tp, timestamp: Log.earliestTimestamp, state, connection)
        logger.warning("Reset fetch offset for \(tp) from \(localEnd) to the leader's start offset \(leaderStart)")
        if leaderStart > localEnd {
            try partition.truncateFullyAsFollower(startingAt: leaderStart)
        }
        return max(leaderStart, localEnd)
    }

    private func leaderOffset(_ tp: TopicPartition, timestamp: Int64, _ state: PartitionFetchState,
                              _ connection: BrokerConnection) async throws -> Int64 {
        let request = ListOffsets.Request(replicaId: brokerId, topics: [
            ListOffsets.Topic(name: tp.topic, partitions: [
                ListOffsets.Partition(partitionIndex: tp.partition, currentLeaderEpoch: state.currentLeaderEpoch, timestamp: timestamp),
            ]),
        ])
        let response = try await send(ListOffsets.self, request, version: Self.listOffsetsVersion, on: connection)
        guard let answer = response.topics.first?.partitions.first else { throw ReplicationError.emptyResponse("ListOffsets") }
        guard answer.errorCode == .none else { throw ReplicationError.leaderError(answer.errorCode) }
        return answer.offset
    }
}

enum ReplicationError: Error, Equatable {
    case emptyResponse(String)
    case leaderError(ErrorCode)
    case timedOut(String, Int64)
}
