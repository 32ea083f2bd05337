import KafkaLiveView
import Testing

/// `kafka cluster --watch`'s text for a known cluster state, checked against golden text.
@Suite("kafka cluster --watch text")
struct ClusterWatchViewTests {
    @Test("the whole cluster, with the changes since the previous refresh")
    func wholeCluster() {
        var previous = ClusterSnapshotFixtures.snapshot
        previous.partitions[1].isr = [1, 2, 3]
        let snapshot = ClusterSnapshotFixtures.snapshot
        let text = ClusterWatchView.render(snapshot, changes: snapshot.changes(since: previous))
        let golden = """
            Cluster internals at 2026-12-04 00:10:00.250 UTC
            Controller: 1   Epoch: 4   Live brokers: 1,2,3
            No internals from broker(s): 3 (no admin listener, or no answer)

            PARTITION  LEADER  EPOCH  ISR    REPLICAS
            audit-0    1       3      1      1,2
              replica 1  HW 7    LEO 9    lag 0 (leader)
              replica 2  HW 7    LEO 8    lag 1 (out of ISR)
            orders-0   1       2      1,2    1,2,3
              replica 1  HW 120  LEO 125  lag 0 (leader)
              replica 2  HW 120  LEO 121  lag 4
              replica 3  HW ?    LEO 96   lag 29 (out of ISR)
            orders-1   2       0      2,3,1  2,3,1
              replica 2  HW 40   LEO 41   lag 0 (leader)
              replica 3  HW ?    LEO 41   lag 0
              replica 1  HW 40   LEO 40   lag 1

            Purgatories (delayed/watched):
              broker 1: Produce 2/2  Fetch 1/3
              broker 2: Produce 0/0  Fetch 4/4

            State-change log (last 2):
              [2026-12-04 00:09:54.250] broker 2: INFO [Broker id=2 epoch=4] Became follower of orders-0
              [2026-12-04 00:09:55.250] broker 1: INFO [Controller id=1 epoch=4] Changed partition orders-0 from OnlinePartition to OnlinePartition

            Changes since the last refresh:
              * ISR of orders-0 shrank: 1,2,3 -> 1,2 (3 out)

            """
        #expect(text == golden)
    }

    @Test("filtered by topic; an offline partition and a cluster without controller")
    func filteredAndOffline() {
        var zooKeeper = ClusterSnapshotFixtures.zooKeeper
        zooKeeper.controllerId = -1
        zooKeeper.brokers[3] = nil
        zooKeeper.partitions[1].leader = -1
        var snapshot = ClusterSnapshot.assemble(zooKeeper: zooKeeper, internals: ClusterSnapshotFixtures.internals,
                                                takenAtMs: ClusterSnapshotFixtures.takenAtMs)
        snapshot.purgatories = []
        snapshot.stateChangeLog = []
        let text = ClusterWatchView.render(snapshot, topic: "audit")
        let golden = """
            Cluster internals at 2026-12-04 00:10:00.250 UTC
            Controller: none   Epoch: 4   Live brokers: 1,2

            PARTITION  LEADER  EPOCH  ISR  REPLICAS
            audit-0    none    3      1    1,2
              replica 1  HW 7  LEO 9  lag ?
              replica 2  HW 7  LEO 8  lag ? (out of ISR)

            Purgatories (delayed/watched):
              none reported

            State-change log (last 0):
              none

            """
        #expect(text == golden)
        #expect(ClusterWatchView.render(snapshot, topic: "missing").contains("No partition of topic missing\n"))
    }

    @Test("UTC timestamps across a leap day and the epoch")
    func timestamps() {
        #expect(ClusterWatchView.utcTimestamp(0) == "1970-01-01 00:00:00.000")
        #expect(ClusterWatchView.utcTimestamp(951_868_799_999) == "2000-02-29 23:59:59.999")
        #expect(ClusterWatchView.utcTimestamp(-1) == "1969-12-31 23:59:59.999")
    }
}
