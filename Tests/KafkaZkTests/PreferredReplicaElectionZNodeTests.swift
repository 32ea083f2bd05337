import KafkaCommon
import KafkaZk
import Testing
import ZooKeeper

@Suite struct PreferredReplicaElectionZNodeTests {
    @Test func encodesAndDecodesKafkasJson() throws {
        let bytes = PreferredReplicaElectionZNode.encode([TopicPartition("fo30", 8), TopicPartition("t", 0)])
        #expect(String(decoding: bytes, as: UTF8.self)
            == #"{"version":1,"partitions":[{"topic":"fo30","partition":8},{"topic":"t","partition":0}]}"#)
        #expect(try PreferredReplicaElectionZNode.decode(bytes) == [TopicPartition("fo30", 8), TopicPartition("t", 0)])
        // Written by hand, with duplicates and in another key order: a set.
        let manual = #"{"partitions":[{"partition":1,"topic":"a"},{"topic":"a","partition":1}],"version":1}"#
        #expect(try PreferredReplicaElectionZNode.decode(Array(manual.utf8)) == [TopicPartition("a", 1)])
        #expect(throws: KafkaZkError.self) { try PreferredReplicaElectionZNode.decode(Array(#"{"version":1}"#.utf8)) }
        #expect(throws: KafkaZkError.self) {
            try PreferredReplicaElectionZNode.decode(Array(#"{"partitions":[{"topic":"a"}]}"#.utf8))
        }
    }

    @Test func isCreatedReadWithAnExistsWatchAndDeletedFenced() async throws {
        try await withZkChroot { zk in
            let admin = try await zk.client()
            try await admin.createTopLevelPaths()
            let controller = try await zk.client()
            let (_, epochVersion) = try await controller.registerControllerAndIncrementControllerEpoch(1)
            #expect(try await controller.preferredReplicaElection(watch: true) == nil)

            // The exists watch armed on the absent znode reports its creation.
            let events = controller.zooKeeper.events()
            try await admin.createPreferredReplicaElection([TopicPartition("t", 0), TopicPartition("t", 2)])
            let created = await firstWatch(in: events, path: PreferredReplicaElectionZNode.path)
            #expect(created == .nodeCreated)
            #expect(try await controller.preferredReplicaElection(watch: true) == [TopicPartition("t", 0), TopicPartition("t", 2)])

            // A second request while one is pending is refused.
            await #expect(throws: ZooKeeperError.self) { try await admin.createPreferredReplicaElection([TopicPartition("t", 1)]) }

            // A superseded controller cannot delete it; the current one can, and again is no error.
            try await controller.zooKeeper.delete("/controller")
            let successor = try await zk.client()
            let (_, newVersion) = try await successor.registerControllerAndIncrementControllerEpoch(2)
            await #expect(throws: KafkaZkError.self) {
                try await controller.deletePreferredReplicaElection(expectedControllerEpochZkVersion: epochVersion)
            }
            try await successor.deletePreferredReplicaElection(expectedControllerEpochZkVersion: newVersion)
            #expect(try await successor.preferredReplicaElection() == nil)
            try await successor.deletePreferredReplicaElection(expectedControllerEpochZkVersion: newVersion)
        }
    }

    /// The kind of the first watch event on `path`, waiting at most 30 s.
    private func firstWatch(in events: AsyncStream<ZooKeeperEvent>, path: String) async -> WatchedEvent.Kind? {
        await withTaskGroup(of: WatchedEvent.Kind?.self) { group in
            group.addTask {
                for await event in events {
                    if case .watch(let watched) = event, watched.path == path { return watched.kind }
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(30))
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
    }
}
