import KafkaCommon
import KafkaZk
import Testing
import ZooKeeper

@Suite struct TopicZNodeTests {
    @Test func assignmentJson() throws {
        let assignment: [Int32: [BrokerId]] = [12: [1, 2, 3], 8: [3, 1, 2], 0: [1, 2, 3]]
        let bytes = TopicZNode.encode(assignment)
        #expect(String(decoding: bytes, as: UTF8.self)
            == #"{"version":1,"partitions":{"0":[1,2,3],"8":[3,1,2],"12":[1,2,3]}}"#)
        // Apache Kafka writes its hash map's order; any order reads the same.
        let kafka = Array(#"{"version":1,"partitions":{"12":[1,2,3],"8":[3,1,2],"0":[1,2,3]}}"#.utf8)
        #expect(try TopicZNode.decode(topic: "fo30", kafka) == assignment)
        #expect(throws: KafkaZkError.self) { try TopicZNode.decode(topic: "t", Array(#"{"version":1}"#.utf8)) }
        #expect(throws: KafkaZkError.self) { try TopicZNode.decode(topic: "t", Array(#"{"partitions":{"x":[1]}}"#.utf8)) }
        #expect(TopicZNode.path("orders") == "/brokers/topics/orders")
    }

    @Test func partitionStateJsonIsKafkas() throws {
        let state = LeaderIsrAndControllerEpoch(
            leaderAndIsr: LeaderAndIsr(leader: 1, leaderEpoch: 0, isr: [1, 2, 3], zkVersion: 0), controllerEpoch: 1)
        let bytes = TopicPartitionStateZNode.encode(state)
        #expect(String(decoding: bytes, as: UTF8.self)
            == #"{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2,3]}"#)
        let partition = TopicPartition("fo30", 0)
        #expect(TopicPartitionStateZNode.path(partition) == "/brokers/topics/fo30/partitions/0/state")
        var decoded = try TopicPartitionStateZNode.decode(partition, bytes, zkVersion: 4)
        #expect(decoded.leaderAndIsr.zkVersion == 4)
        decoded.leaderAndIsr.zkVersion = 0
        #expect(decoded == state)
        let next = state.leaderAndIsr.newLeaderAndIsr(leader: 2, isr: [2, 3])
        #expect(next.leaderEpoch == LeaderEpoch(1))
        #expect(throws: KafkaZkError.self) { try TopicPartitionStateZNode.decode(partition, Array("{}".utf8), zkVersion: 0) }
    }

    @Test func configAndNotificationJson() throws {
        #expect(String(decoding: ConfigEntityZNode.encode(["retention.ms": "1000", "cleanup.policy": "compact"]), as: UTF8.self)
            == #"{"version":1,"config":{"cleanup.policy":"compact","retention.ms":"1000"}}"#)
        #expect(try ConfigEntityZNode.decode(path: "/config/topics/t", Array(#"{"version":1,"config":{"a":"b"}}"#.utf8)) == ["a": "b"])
        #expect(try ConfigEntityZNode.decode(path: "/config/topics/t", []) == [:])
        #expect(String(decoding: ConfigEntityChangeNotificationZNode.encode(entityType: "topics", entity: "orders"), as: UTF8.self)
            == #"{"version":2,"entity_path":"topics/orders"}"#)
        let change = try ConfigEntityChangeNotificationZNode.decode(path: "/c", Array(#"{"version":2,"entity_path":"topics/orders"}"#.utf8))
        #expect(change.entityType == "topics" && change.entity == "orders")
        let isr = IsrChangeNotificationZNode.encode([TopicPartition("fo30", 8)])
        #expect(String(decoding: isr, as: UTF8.self) == #"{"version":1,"partitions":[{"topic":"fo30","partition":8}]}"#)
        #expect(try IsrChangeNotificationZNode.decode(path: "/i", isr) == [TopicPartition("fo30", 8)])
    }

    @Test func replicaAssignmentFollowsKafkasPlacement() throws {
        let brokers: [BrokerId] = [3, 1, 2]
        let assignment = try ReplicaAssignment.assign(partitions: 30, replicationFactor: 3, brokers: brokers, fixedStartIndex: 0)
        // The placements ZK-LAYOUT.md shows for Apache Kafka 2.3's `fo30` topic.
        #expect(assignment[0] == [1, 2, 3])
        #expect(assignment[8] == [3, 1, 2])
        #expect(assignment[12] == [1, 2, 3])
        #expect(assignment[3] == [1, 3, 2])
        // Leaders are spread evenly and every partition has distinct replicas.
        let leaders = Dictionary(grouping: assignment.values.map { $0[0] }, by: { $0 }).mapValues(\.count)
        #expect(leaders == [1: 10, 2: 10, 3: 10])
        #expect(assignment.values.allSatisfy { Set($0).count == 3 })

        let more = try ReplicaAssignment.assign(partitions: 2, replicationFactor: 1, brokers: brokers, fixedStartIndex: 0,
                                                startPartitionId: 30)
        #expect(Set(more.keys) == [30, 31])
        let random = try ReplicaAssignment.assign(partitions: 5, replicationFactor: 2, brokers: brokers)
        #expect(random.count == 5 && random.values.allSatisfy { Set($0).count == 2 })

        #expect(throws: ReplicaAssignment.AssignmentError.invalidReplicationFactor(4, availableBrokers: 3)) {
            try ReplicaAssignment.assign(partitions: 1, replicationFactor: 4, brokers: brokers)
        }
        #expect(throws: ReplicaAssignment.AssignmentError.invalidPartitions(0)) {
            try ReplicaAssignment.assign(partitions: 0, replicationFactor: 1, brokers: brokers)
        }
    }
}

@Suite("KafkaZkClient topics against a real server")
struct KafkaZkClientTopicTests {
    @Test func createTopicWritesConfigThenAssignment() async throws {
        try await withZkChroot { zk in
            let client = try await zk.client()
            try await client.createTopLevelPaths()
            try await client.createTopic("orders", assignment: [0: [1, 2], 1: [2, 1]], config: ["retention.ms": "1000"])
            #expect(try await zk.text("/brokers/topics/orders") == #"{"version":1,"partitions":{"0":[1,2],"1":[2,1]}}"#)
            #expect(try await zk.text("/config/topics/orders") == #"{"version":1,"config":{"retention.ms":"1000"}}"#)
            #expect(try await client.allTopics() == ["orders"])
            #expect(try await client.topicAssignment("orders")?.assignment == [0: [1, 2], 1: [2, 1]])
            #expect(try await client.topicAssignment("missing") == nil)
            #expect(try await client.topicConfig("orders") == ["retention.ms": "1000"])
            await #expect(throws: ZooKeeperError.self) {
                try await client.createTopic("orders", assignment: [0: [1]], config: [:])
            }

            try await client.changeTopicConfig("orders", config: ["retention.ms": "2000"])
            #expect(try await client.topicConfig("orders") == ["retention.ms": "2000"])
            let changes = try await client.zooKeeper.children("/config/changes").names
            #expect(changes == ["config_change_0000000000"])
            #expect(try await zk.text("/config/changes/config_change_0000000000") == #"{"version":2,"entity_path":"topics/orders"}"#)

            try await client.requestTopicDeletion("orders")
            try await client.requestTopicDeletion("orders")
            #expect(try await client.zooKeeper.children("/admin/delete_topics").names == ["orders"])
            let notification = try await client.propagateIsrChanges([TopicPartition("orders", 1)])
            #expect(notification == "/isr_change_notification/isr_change_0000000000")
        }
    }

    @Test func partitionStatesAreFencedAndVersioned() async throws {
        try await withZkChroot { zk in
            let controller = try await zk.client()
            try await controller.createTopLevelPaths()
            let (epoch, epochVersion) = try await controller.registerControllerAndIncrementControllerEpoch(1)
            try await controller.createTopic("t", assignment: [0: [1, 2]], config: [:])
            let partition = TopicPartition("t", 0)
            let initial = LeaderIsrAndControllerEpoch(leaderAndIsr: LeaderAndIsr(leader: 1, isr: [1, 2]), controllerEpoch: epoch)

            let created = try await controller.createPartitionStates([partition: initial], expectedControllerEpochZkVersion: epochVersion)
            #expect(try created[partition]?.get() == initial)
            #expect(try await zk.text("/brokers/topics/t/partitions/0/state")
                == #"{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2]}"#)
            let again = try await controller.createPartitionStates([partition: initial], expectedControllerEpochZkVersion: epochVersion)
            #expect(throws: ZooKeeperError.self) { try again[partition]?.get() }

            // The leader shrinks the ISR with a plain conditional write; a stale version loses.
            var shrunk = initial
            shrunk.leaderAndIsr.isr = [1]
            let version = try #require(try await controller.conditionalUpdatePartitionState(partition, shrunk))
            #expect(version == 1)
            // The same write with the stale version is taken for a retry whose first attempt
            // landed (Kafka's checkLeaderAndIsrZkData): success at the version the node has. A
            // different state on the stale version loses.
            #expect(try await controller.conditionalUpdatePartitionState(partition, shrunk) == 1)
            var stale = shrunk
            stale.leaderAndIsr.isr = [1, 2]
            #expect(try await controller.conditionalUpdatePartitionState(partition, stale) == nil)

            // The controller elects a new leader on the version it read.
            let read = try #require(try await controller.partitionState(partition))
            #expect(read.leaderAndIsr.isr == [1] && read.leaderAndIsr.zkVersion == 1)
            var elected = read
            elected.leaderAndIsr = read.leaderAndIsr.newLeaderAndIsr(leader: 2, isr: [2])
            let updated = try await controller.updatePartitionStates([partition: elected], expectedControllerEpochZkVersion: epochVersion)
            #expect(try updated[partition]?.get().leaderAndIsr.zkVersion == 2)
            #expect(try await controller.partitionState(partition)?.leaderAndIsr.leaderEpoch == LeaderEpoch(1))

            // A superseded controller's writes fail as a whole.
            try await controller.zooKeeper.delete("/controller")
            let successor = try await zk.client()
            _ = try await successor.registerControllerAndIncrementControllerEpoch(2)
            await #expect(throws: KafkaZkError.self) {
                _ = try await controller.updatePartitionStates([partition: elected], expectedControllerEpochZkVersion: epochVersion)
            }
        }
    }
    @Test func partitionStateWritesSucceedOrConflictPerPartition() async throws {
        try await withZkChroot { zk in
            let controller = try await zk.client()
            try await controller.createTopLevelPaths()
            let (epoch, epochVersion) = try await controller.registerControllerAndIncrementControllerEpoch(1)
            try await controller.createTopic("t", assignment: [0: [1, 2], 1: [2, 1], 2: [1, 2]], config: [:])
            let (p0, p1, p2) = (TopicPartition("t", 0), TopicPartition("t", 1), TopicPartition("t", 2))
            let initial = LeaderIsrAndControllerEpoch(leaderAndIsr: LeaderAndIsr(leader: 1, isr: [1, 2]), controllerEpoch: epoch)
            _ = try await controller.createPartitionStates([p0: initial, p1: initial], expectedControllerEpochZkVersion: epochVersion)
            #expect(try await controller.partitionStates([p0, p1, p2]) == [p0: initial, p1: initial], "no state znode, no entry")

            // A leader shrinks p1's ISR meanwhile: the controller's write on the old version loses,
            // p0's goes through.
            var shrunk = initial
            shrunk.leaderAndIsr.isr = [1]
            #expect(try await controller.conditionalUpdatePartitionState(p1, shrunk) == 1)
            var elected = initial
            elected.leaderAndIsr = initial.leaderAndIsr.newLeaderAndIsr(leader: 2, isr: [2])
            let results = try await controller.updatePartitionStates([p0: elected, p1: elected], expectedControllerEpochZkVersion: epochVersion)
            #expect(try results[p0]?.get().leaderAndIsr.zkVersion == 1)
            guard case .failure(let conflict) = results[p1] else {
                Issue.record("p1's write should have conflicted")
                return
            }
            #expect(conflict.code == .badVersion && conflict.path == "/brokers/topics/t/partitions/1/state")
            let states = try await controller.partitionStates([p0, p1])
            #expect(states[p0]?.leaderAndIsr.leader == 2 && states[p1]?.leaderAndIsr.isr == [1])
        }
    }

    /// More partitions than one multi takes: the writes go in chunks, and a conflict in one
    /// chunk fails only its own partition (the chunk is written again one partition at a time).
    /// The topic's name is as long as Kafka allows (249 characters), so a full chunk is as large as
    /// a chunk gets and must still fit ZooKeeper's request limit.
    @Test func manyPartitionStateWritesGoInChunksAndAConflictStaysItsOwn() async throws {
        let many = String(repeating: "m", count: 249)
        try await withZkChroot { zk in
            let controller = try await zk.client()
            try await controller.createTopLevelPaths()
            let (epoch, epochVersion) = try await controller.registerControllerAndIncrementControllerEpoch(1)
            let count = Int32(KafkaZkClient.updateChunk * 2 + 10)
            try await controller.createTopic(many, assignment: Dictionary(uniqueKeysWithValues: (0..<count).map { ($0, [BrokerId(1), BrokerId(2)]) }), config: [:])
            let initial = LeaderIsrAndControllerEpoch(leaderAndIsr: LeaderAndIsr(leader: 1, isr: [1, 2]), controllerEpoch: epoch)
            let partitions = (0..<count).map { TopicPartition(many, $0) }
            _ = try await controller.createPartitionStates(
                Dictionary(uniqueKeysWithValues: partitions.map { ($0, initial) }), expectedControllerEpochZkVersion: epochVersion)
            let contested = TopicPartition(many, Int32(KafkaZkClient.updateChunk + 7))
            var shrunk = initial
            shrunk.leaderAndIsr.isr = [1]
            #expect(try await controller.conditionalUpdatePartitionState(contested, shrunk) == 1)

            var elected = initial
            elected.leaderAndIsr = initial.leaderAndIsr.newLeaderAndIsr(leader: 2, isr: [2])
            let results = try await controller.updatePartitionStates(
                Dictionary(uniqueKeysWithValues: partitions.map { ($0, elected) }), expectedControllerEpochZkVersion: epochVersion)
            #expect(results.count == partitions.count)
            for partition in partitions where partition != contested {
                #expect(try results[partition]?.get().leaderAndIsr.zkVersion == 1, "\(partition) written")
            }
            guard case .failure(let conflict) = results[contested] else {
                Issue.record("the contested partition's write should have conflicted")
                return
            }
            #expect(conflict.code == .badVersion)
            let states = try await controller.partitionStates(partitions)
            #expect(states.filter { $0.value.leaderAndIsr.leader == 2 }.count == partitions.count - 1)
            #expect(states[contested]?.leaderAndIsr.isr == [1], "the leader's write stands")
        }
    }

    @Test func isrChangeNotificationsAreListedReadAndDeletedFenced() async throws {
        try await withZkChroot { zk in
            let broker = try await zk.client()
            try await broker.createTopLevelPaths()
            #expect(try await broker.isrChangeNotifications().isEmpty)
            try await broker.propagateIsrChanges([TopicPartition("t", 0)])
            try await broker.propagateIsrChanges([TopicPartition("t", 1), TopicPartition("u", 0)])
            try await broker.zooKeeper.create("/isr_change_notification/stray")

            let controller = try await zk.client()
            let (_, epochVersion) = try await controller.registerControllerAndIncrementControllerEpoch(1)
            let names = try await controller.isrChangeNotifications(watch: true)
            #expect(names == ["isr_change_0000000000", "isr_change_0000000001"])
            let data = try #require(try await controller.isrChangeNotification(names[1]))
            #expect(try IsrChangeNotificationZNode.decode(path: names[1], data) == [TopicPartition("t", 1), TopicPartition("u", 0)])
            #expect(try await controller.isrChangeNotification("isr_change_0000000099") == nil)

            // One already gone is no error.
            try await controller.deleteIsrChangeNotifications(names + ["isr_change_0000000099"], expectedControllerEpochZkVersion: epochVersion)
            #expect(try await controller.zooKeeper.children("/isr_change_notification").names == ["stray"])

            // A superseded controller cannot delete them.
            try await broker.propagateIsrChanges([TopicPartition("t", 0)])
            try await controller.zooKeeper.delete("/controller")
            _ = try await broker.registerControllerAndIncrementControllerEpoch(2)
            await #expect(throws: KafkaZkError.self) {
                try await controller.deleteIsrChangeNotifications(["isr_change_0000000002"], expectedControllerEpochZkVersion: epochVersion)
            }
        }
    }
}
