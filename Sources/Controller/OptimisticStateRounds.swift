import KafkaCommon
import KafkaZk

/// The rounds of a controller's partition-state update (elections, ISR shrinks for offline
/// replicas, controlled-shutdown moves, preferred elections): which partitions each round decides
/// from the states the controller already holds, and which it must read from ZooKeeper first.
///
/// A deliberate difference from Kafka 2.3, which reads every partition's state znode before it
/// decides. This controller decides first from its context (`partitionLeadership`: each state
/// with the zkVersion it was read or written at) and writes each new state conditional on that
/// version, in its epoch-fenced multis. Only the partitions whose write fails with `badVersion`
/// (a leader changed its ISR since, or another writer was first) are read and decided again, in
/// the next round; one that the read shows written by a newer controller is then skipped, as
/// Kafka skips it. The safety is the same as Kafka's: a znode's version changes with every write,
/// so a write conditional on a version can only succeed on the very state it was decided from;
/// no update is lost, and a stale decision never lands. What is saved is the read: at a thousand
/// partitions, a third of a second of round trips before the first write.
///
/// Round 1 decides from the context every partition whose cached state can be trusted (present,
/// not of a topic being deleted, not marked with the deletion's placeholder leader, which exists
/// only in the context) and whose decision from it is a write (`decidesWrite`); the rest are
/// read. A decision to leave a partition as it is (its ISR no longer holds the offline replica,
/// no replica may lead, the preferred replica already leads) is never taken from the cache: no
/// version check would catch a stale one, so it is taken from a fresh read, as Kafka takes it —
/// unless this controller wrote that state itself and has not announced it yet
/// (`ControllerContext.unannouncedStateWrites`: nobody else can have changed it). Rounds 2 and on read every remaining partition (the
/// conflicts of the round before). After `maxAttempts` rounds the remaining partitions are given
/// up (`isExhausted`): they keep their state until the next event that concerns them.
public struct OptimisticStateRounds: Sendable, Equatable {
    /// One round: the partitions it decides, from the cache or from a read.
    public struct Round: Sendable, Equatable {
        /// Every partition of the round, sorted.
        public var partitions: [TopicPartition]
        /// The states decided from the context, as cached (with their zkVersion).
        public var fromCache: [TopicPartition: LeaderIsrAndControllerEpoch]
        /// The partitions whose state znodes must be read first, sorted.
        public var toRead: [TopicPartition]
    }

    public let maxAttempts: Int
    /// The partitions not yet written (all of them before the first round; then the conflicts).
    public private(set) var remaining: [TopicPartition]
    /// How many rounds have started.
    public private(set) var attempt = 0

    public init(_ partitions: [TopicPartition], maxAttempts: Int) {
        self.remaining = partitions.sorted()
        self.maxAttempts = maxAttempts
    }

    /// Partitions remain but every attempt is spent.
    public var isExhausted: Bool { !remaining.isEmpty && attempt >= maxAttempts }

    /// Starts the next round, or nil when nothing remains or the attempts are spent.
    /// `decidesWrite` says whether the decision made from a cached state would be a write.
    public mutating func nextRound(
        context: ControllerContext, decidesWrite: (TopicPartition, LeaderIsrAndControllerEpoch) -> Bool
    ) -> Round? {
        guard !remaining.isEmpty, attempt < maxAttempts else { return nil }
        attempt += 1
        guard attempt == 1 else { return Round(partitions: remaining, fromCache: [:], toRead: remaining) }
        var fromCache: [TopicPartition: LeaderIsrAndControllerEpoch] = [:]
        var toRead: [TopicPartition] = []
        for tp in remaining {
            if let cached = context.partitionLeadership[tp], Self.isTrustworthy(cached, of: tp, context: context),
               decidesWrite(tp, cached) || context.unannouncedStateWrites.contains(tp)
            {
                fromCache[tp] = cached
            } else {
                toRead.append(tp)
            }
        }
        return Round(partitions: remaining, fromCache: fromCache, toRead: toRead)
    }

    /// The round's writes are done; `conflicts` (a version mismatch) go to the next round.
    public mutating func finishRound(conflicts: [TopicPartition]) {
        remaining = conflicts.sorted()
    }

    /// Whether a cached state stands for its znode's content at its zkVersion. Every state the
    /// context holds was read or written with its version, except those a topic deletion
    /// rewrote in memory (leader -2, for UpdateMetadata) — never decided from.
    static func isTrustworthy(_ state: LeaderIsrAndControllerEpoch, of tp: TopicPartition, context: ControllerContext) -> Bool {
        !context.isTopicQueuedUpForDeletion(tp.topic) && state.leaderAndIsr.leader != KafkaZk.LeaderAndIsr.leaderDuringDelete
    }
}
