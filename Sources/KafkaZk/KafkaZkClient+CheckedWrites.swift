import KafkaCommon
import ZooKeeper

/// Writes whose second attempt may meet their own first one: the ZooKeeper client sends a request
/// again after a lost connection (`RequestAdmission`), and the first attempt may have landed.
extension KafkaZkClient {
    /// After a partition leader's conditional ISR write failed with BADVERSION: whether the
    /// partition's state znode already holds exactly `intended` (leader, leader epoch, ISR and
    /// controller epoch), that is, the write landed on an attempt whose answer was lost. Returns
    /// the znode's version if so, nil if the state is someone else's (or gone). Kafka's
    /// `ReplicationUtils.checkLeaderAndIsrZkData`, which its `conditionalUpdatePath` calls on
    /// BADVERSION for the same reason.
    func versionIfAlreadyWritten(_ partition: TopicPartition, _ intended: LeaderIsrAndControllerEpoch) async throws -> Int32? {
        guard let written = try await partitionState(partition) else { return nil }
        return Self.isSameState(written: written, intended: intended) ? written.leaderAndIsr.zkVersion : nil
    }

    /// Two partition states are the same write when everything but the znode version agrees.
    static func isSameState(written: LeaderIsrAndControllerEpoch, intended: LeaderIsrAndControllerEpoch) -> Bool {
        var intended = intended
        intended.leaderAndIsr.zkVersion = written.leaderAndIsr.zkVersion
        return written == intended
    }
}
