import KafkaCommon
import KafkaZk
import ZooKeeper

/// A broker failure's ISR shrinks, decided before its elections are written and written in the
/// same multis (`onBrokerFailure`; a controlled shutdown's likewise).
///
/// Kafka 2.3 writes the elections of the dead brokers' partitions, waits for them, then takes the
/// dead replicas out of the other partitions' ISRs: two ZooKeeper commits one after the other.
/// The second step's writes for partitions that are not being elected do not depend on the
/// first step at all — their decision is made from the context's cached state, which the
/// elections do not touch. So they are decided ahead (by the same replica state machine, on a
/// copy of the context) and ride along with the elections' writes; the replica step then runs as
/// in Kafka, in its order, and finds its writes already done (`claim`). Its state-change log
/// lines, context updates and requests are those it would have made without the ride.
///
/// Invariants: an update written ahead is conditional on the cached zkVersion it was decided from
/// and fenced by the controller epoch, as every partition-state write is; the replica step takes
/// an outcome only for an update equal to its own decision (it is, because both are decided from
/// the same cached state by the same planner), otherwise it writes its own, which then conflicts
/// with the one written ahead and is re-read (`OptimisticStateRounds`). Partitions being elected
/// (new or offline) are never decided ahead.
struct IsrShrinksAhead: Sendable {
    /// The shrunk states decided from the cache.
    var updates: [TopicPartition: KafkaZk.LeaderAndIsr]
    /// Their outcomes once written; nil before.
    var results: [TopicPartition: Result<LeaderIsrAndControllerEpoch, ZooKeeperError>]?
}

extension KafkaController {
    /// The ISR shrinks that taking `replicas` offline will write for partitions not in `electing`,
    /// decided from the cached states (nil when there are none). The context is left as it is.
    func decideIsrShrinksAhead(_ replicas: [PartitionReplica], electing: Set<TopicPartition>) -> IsrShrinksAhead? {
        var scratch = context
        let plan = replicaStateMachine.handleStateChanges(replicas, to: .offlineReplica, context: &scratch)
        var removals: [TopicPartition: Set<BrokerId>] = [:]
        var states: [TopicPartition: LeaderIsrAndControllerEpoch] = [:]
        for (tp, dead) in plan.isrRemovals where !electing.contains(tp) {
            // What round 1 of `removeFromIsr` decides from the cache; the rest it reads first.
            guard let cached = context.partitionLeadership[tp],
                  OptimisticStateRounds.isTrustworthy(cached, of: tp, context: context),
                  OfflinePartitionPlanner.removeReplicas(dead, from: cached.leaderAndIsr) != nil
            else { continue }
            removals[tp] = dead
            states[tp] = cached
        }
        let updates = OfflinePartitionPlanner.planIsrShrink(
            offlineReplicas: removals, states: states, controllerEpoch: context.epoch).updates
        return updates.isEmpty ? nil : IsrShrinksAhead(updates: updates, results: nil)
    }

    /// For `writeStates`: the outcomes already written ahead for those of `updates` equal to the
    /// updates decided ahead (each is handed out once), and the updates still to write — plus,
    /// when nothing was written ahead yet, the ahead updates riding along (`ridingAlong`).
    func claimIsrShrinksAhead(_ updates: [TopicPartition: KafkaZk.LeaderAndIsr]) -> (
        claimed: [TopicPartition: Result<LeaderIsrAndControllerEpoch, ZooKeeperError>],
        toWrite: [TopicPartition: KafkaZk.LeaderAndIsr], ridingAlong: Set<TopicPartition>
    ) {
        guard var ahead = isrShrinksAhead else { return ([:], updates, []) }
        var toWrite = updates
        guard let written = ahead.results else {
            var riding: Set<TopicPartition> = []
            for (tp, update) in ahead.updates where toWrite[tp] == nil {
                toWrite[tp] = update
                riding.insert(tp)
            }
            return ([:], toWrite, riding)
        }
        var claimed: [TopicPartition: Result<LeaderIsrAndControllerEpoch, ZooKeeperError>] = [:]
        for (tp, update) in updates where ahead.updates[tp] == update {
            if let outcome = written[tp] {
                claimed[tp] = outcome
                toWrite[tp] = nil
                ahead.updates[tp] = nil
            }
        }
        isrShrinksAhead = ahead
        return (claimed, toWrite, [])
    }
}
