import KafkaCommon
import KafkaZk

/// The shell of `OptimisticStateRounds`: the states a round decides from.
extension KafkaController {
    /// The round's cached states, and those of `round.toRead` read from ZooKeeper now (one
    /// batch). Partitions without a state znode are absent, as from `partitionStates`.
    func statesToDecideFrom(_ round: OptimisticStateRounds.Round) async throws -> [TopicPartition: LeaderIsrAndControllerEpoch] {
        var states = round.fromCache
        if !round.toRead.isEmpty {
            states.merge(try await zkClient.partitionStates(round.toRead)) { _, read in read }
        }
        return states
    }
}
