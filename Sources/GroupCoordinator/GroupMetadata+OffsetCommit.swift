import KafkaProtocol

/// OffsetCommit's membership checks: the decisions of Kafka 2.3's `doCommitOffsets` before the
/// offsets are written (the write itself is the broker's `GroupMetadataManager`).
extension GroupMetadata {
    /// Whether a commit by `memberId` at `generationId` may be written, and the session deadline
    /// it moves. A commit with a negative generation comes from a consumer that assigns its own
    /// partitions; it is accepted only while the group is Empty. A group member's commit must
    /// carry the current generation and is refused during CompletingRebalance (the member is about
    /// to get a new assignment); it counts as a heartbeat.
    ///
    /// Returns NONE (with the member's next ``DelayedHeartbeat``, if any) or the error for every
    /// partition of the request.
    public mutating func validateOffsetCommit(
        memberId: String, groupInstanceId: String?, generationId requestGeneration: Int32, now: Int64
    ) -> (error: ErrorCode, actions: [GroupAction]) {
        if state == .dead { return (.unknownMemberId, []) }
        if isStaticMemberFenced(memberId: memberId, groupInstanceId: groupInstanceId) { return (.fencedInstanceId, []) }
        if requestGeneration < 0 && state == .empty { return (.none, []) }
        if state == .completingRebalance { return (.rebalanceInProgress, []) }
        guard has(memberId: memberId) else { return (.unknownMemberId, []) }
        guard requestGeneration == generationId else { return (.illegalGeneration, []) }
        return (.none, completeAndScheduleNextHeartbeatExpiration(memberId, now: now))
    }
}
