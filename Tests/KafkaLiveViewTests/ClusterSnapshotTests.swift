import Foundation
import KafkaLiveView
import Testing

/// Snapshots assembled from ZooKeeper's view and the brokers' internals, and the changes named
/// between two of them.
@Suite("Cluster snapshots and their diff")
struct ClusterSnapshotTests {
    @Test("assembly: sorted partitions, offsets from each replica's broker, lag behind the leader's log end")
    func assembly() throws {
        let snapshot = ClusterSnapshotFixtures.snapshot
        #expect(snapshot.brokers.map(\.id) == [1, 2, 3])
        #expect(snapshot.brokers.map(\.internalsRead) == [true, true, false])
        #expect(snapshot.partitions.map(\.name) == ["audit-0", "orders-0", "orders-1"])
        let orders0 = try #require(snapshot.partition("orders", 0))
        #expect(orders0.replicaStates == [
            .init(broker: 1, highWatermark: 120, logEndOffset: 125, lag: 0),
            .init(broker: 2, highWatermark: 120, logEndOffset: 121, lag: 4),
            // Broker 3 did not answer: the leader's record of its fetches stands in.
            .init(broker: 3, highWatermark: nil, logEndOffset: 96, lag: 29),
        ])
        #expect(snapshot.purgatories.map(\.broker) == [1, 1, 2, 2])
        // Merged by time across brokers, oldest first.
        #expect(snapshot.stateChangeLog.map(\.broker) == [2, 1])
    }

    @Test("the merged state-change log keeps the last lines only")
    func stateChangeLogLimit() {
        var internals = ClusterSnapshotFixtures.internals
        internals[1]!.stateChangeLog = (0..<20).map { .init(timeMs: ClusterSnapshotFixtures.takenAtMs + Int64($0), text: "line \($0)") }
        let snapshot = ClusterSnapshot.assemble(zooKeeper: ClusterSnapshotFixtures.zooKeeper, internals: internals, takenAtMs: 0)
        #expect(snapshot.stateChangeLog.count == ClusterSnapshot.stateChangeLogLimit)
        #expect(snapshot.stateChangeLog.last?.text == "line 19")
    }

    @Test("a leader killed: new controller epoch, broker gone, leader moved and ISR shrank, each named")
    func failover() {
        let before = ClusterSnapshotFixtures.snapshot
        var zooKeeper = ClusterSnapshotFixtures.zooKeeper
        zooKeeper.controllerId = 2
        zooKeeper.controllerEpoch = 5
        zooKeeper.brokers[1] = nil
        zooKeeper.partitions[2] = .init(topic: "orders", partition: 0, replicas: [1, 2, 3], leader: 2, leaderEpoch: 3, isr: [2],
                                        modifiedMs: 4_000)
        zooKeeper.partitions[1].leader = -1
        zooKeeper.partitions[1].leaderEpoch = 4
        let after = ClusterSnapshot.assemble(zooKeeper: zooKeeper, internals: ClusterSnapshotFixtures.internals, takenAtMs: 1)
        let changes = after.changes(since: before)
        #expect(changes.map(\.kind) == [.controllerMoved, .controllerEpochChanged, .brokerGone, .leaderMoved, .leaderMoved, .isrShrank])
        #expect(changes.map(\.text) == [
            "Controller moved: 1 -> 2",
            "New controller epoch: 4 -> 5",
            "Broker 1 gone",
            "Leader of audit-0 moved: 1 -> none (leader epoch 4)",
            "Leader of orders-0 moved: 1 -> 2 (leader epoch 3)",
            "ISR of orders-0 shrank: 1,2 -> 2 (1 out)",
        ])
        #expect(changes[4].topic == "orders" && changes[4].partition == 0 && changes[4].broker == 2)
        #expect(changes[3].broker == nil)
    }

    @Test("a broker back, an ISR expanded, partitions added and removed")
    func recovery() {
        var zooKeeper = ClusterSnapshotFixtures.zooKeeper
        zooKeeper.brokers[3] = nil
        let before = ClusterSnapshot.assemble(zooKeeper: zooKeeper, internals: [:], takenAtMs: 0)
        zooKeeper = ClusterSnapshotFixtures.zooKeeper
        zooKeeper.partitions[1].isr = [1, 2]
        zooKeeper.partitions[0] = .init(topic: "new", partition: 0, replicas: [3], leader: 3, leaderEpoch: 0, isr: [3], modifiedMs: 0)
        let after = ClusterSnapshot.assemble(zooKeeper: zooKeeper, internals: [:], takenAtMs: 1)
        #expect(after.changes(since: before).map(\.text) == [
            "Broker 3 back",
            "ISR of audit-0 expanded: 1 -> 1,2 (2 in)",
            "Partition new-0 added: leader 3, ISR 3",
            "Partition orders-1 removed",
        ])
    }

    @Test("offsets moving are not named changes; equal content at another time is the same state")
    func offsetsOnly() {
        let before = ClusterSnapshotFixtures.snapshot
        var internals = ClusterSnapshotFixtures.internals
        internals[1]!.replicas[1].logEndOffset = 200
        let after = ClusterSnapshot.assemble(zooKeeper: ClusterSnapshotFixtures.zooKeeper, internals: internals, takenAtMs: 99)
        #expect(after.changes(since: before).isEmpty)
        #expect(!after.hasSameContent(as: before))
        var later = before
        later.takenAtMs += 1_000
        #expect(later.hasSameContent(as: before))
    }

    @Test("the JSON the page reads round-trips, and leaves unknown offsets out")
    func json() throws {
        let snapshot = ClusterSnapshotFixtures.snapshot
        let data = try JSONEncoder().encode(snapshot)
        #expect(try JSONDecoder().decode(ClusterSnapshot.self, from: data) == snapshot)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""broker":3,"logEndOffset":96"#) || text.contains(#""logEndOffset":96"#))
        #expect(!text.contains("null"))
    }

    @Test("the page is self-contained and subscribes to the event stream")
    func page() {
        let html = LiveViewPage.html
        #expect(html.contains("new EventSource(\"events\")"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="))
        #expect(!html.contains("setInterval") && !html.contains("fetch("))
    }
}
