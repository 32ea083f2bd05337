import KafkaZk
import Testing

@Suite("PersistentZkPaths: the layout of a Kafka 2.x cluster")
struct PersistentZkPathsTests {
    @Test func containsExactlyKafkas() {
        #expect(Set(PersistentZkPaths.all) == [
            "/consumers",
            "/brokers/ids", "/brokers/topics", "/brokers/seqid",
            "/config/changes", "/config/topics", "/config/clients", "/config/users", "/config/brokers",
            "/admin/delete_topics",
            "/isr_change_notification",
            "/latest_producer_id_block",
            "/log_dir_event_notification",
        ])
        #expect(PersistentZkPaths.all.count == Set(PersistentZkPaths.all).count, "no path twice")
        #expect(PersistentZkPaths.configEntityTypes == ["/config/topics", "/config/clients", "/config/users", "/config/brokers"])
    }

    /// With what the first broker and controller add, the top level reads as on Apache Kafka 2.3.
    @Test func topLevelMatchesKafka23() {
        let topLevel = Set(PersistentZkPaths.all.map { $0.split(separator: "/").first.map(String.init) ?? "" })
        let later: Set<String> = ["cluster", "controller", "controller_epoch"]
        #expect(topLevel.union(later) == [
            "admin", "brokers", "cluster", "config", "consumers", "controller", "controller_epoch",
            "isr_change_notification", "latest_producer_id_block", "log_dir_event_notification",
        ])
        #expect(topLevel.isDisjoint(with: later), "ephemeral and cluster-id nodes are not created up front")
    }
}
