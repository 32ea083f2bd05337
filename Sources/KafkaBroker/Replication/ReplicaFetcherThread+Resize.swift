import KafkaCommon

extension ReplicaFetcherThread {
    /// Each partition with where it would start again in another fetcher (Kafka's
    /// `partitionsAndOffsets`): this fetcher's leader, the partition's leader epoch and its
    /// fetch offset.
    var partitionsAndOffsets: [TopicPartition: InitialFetchState] {
        fetchStates.mapValues { InitialFetchState(leader: sourceBroker, leaderEpoch: $0.currentLeaderEpoch, initOffset: $0.fetchOffset) }
    }
}
