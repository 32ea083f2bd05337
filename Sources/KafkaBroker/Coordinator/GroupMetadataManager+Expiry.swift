import GroupCoordinator
import KafkaCommon
import KafkaProtocol

/// Offset expiry (Kafka 2.3's `cleanupGroupMetadata` with KIP-211's rules), run every
/// `offsets.retention.check.interval.ms`: a committed offset expires at its own expiry time if the
/// commit asked for one (OffsetCommit v2–v4's retention time), else `offsets.retention.minutes`
/// after
/// - the moment its group became Empty, for a group with a protocol type (a consumer group whose
///   members all left; the commit time if that moment is unknown);
/// - its commit, for a group without one (consumers that assign partitions themselves);
/// and never while the group has members. An Empty group left with no offsets is removed (Dead).
/// Expired offsets get tombstones in `__consumer_offsets`, and so do removed groups that ever
/// completed a rebalance (generation > 0: as Kafka 2.3, none for a group that only stored offsets,
/// which has no metadata record).
extension GroupMetadataManager {
    /// Removes what has expired at `now` from the cache and writes its tombstones; returns how
    /// many offsets expired.
    @discardableResult
    func cleanupGroupMetadata(now: Int64) -> Int {
        let retentionMs = Int64(config.offsetsRetentionMinutes) * 60_000
        var removals: [(groupId: String, partitions: [TopicPartition], groupRemoved: Bool, groupTombstone: Bool)] = []
        forEachGroup { groupId, slot in
            guard var group = slot.group else { return }
            let base: ((OffsetCommitValue) -> Int64)?
            if group.protocolType == nil {
                base = { $0.commitTimestamp }
            } else if group.state == .empty {
                let since = group.currentStateTimestamp
                base = { since ?? $0.commitTimestamp }
            } else {
                base = nil
            }
            var expired: [TopicPartition] = []
            if let base {
                for (tp, value) in slot.offsets {
                    let isExpired = value.expireTimestamp != -1
                        ? now >= value.expireTimestamp
                        : now - base(value) >= retentionMs
                    if isExpired { expired.append(tp) }
                }
            }
            for tp in expired { slot.offsets[tp] = nil }
            var groupRemoved = false
            if group.state == .empty, !slot.hasOffsets {
                try? group.transition(to: .dead, now: now)
                slot.group = nil
                groupRemoved = true
            }
            if !expired.isEmpty || groupRemoved {
                removals.append((
                    groupId, expired.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }, groupRemoved,
                    groupRemoved && group.generationId > 0))
            }
        }
        for removal in removals {
            storeTombstones(groupId: removal.groupId, partitions: removal.partitions, includingGroup: removal.groupTombstone) { _ in }
        }
        let count = removals.reduce(0) { $0 + $1.partitions.count }
        if count > 0 || !removals.isEmpty {
            logger.info("Removed \(count) expired offsets and \(removals.filter(\.groupRemoved).count) groups in \(time.milliseconds - now) milliseconds.")
        }
        return count
    }
}
