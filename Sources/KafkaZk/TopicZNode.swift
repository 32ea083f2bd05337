import KafkaCommon

/// `/brokers/topics/<topic>`: persistent; a topic's replica assignment, written once at creation
/// and extended by CreatePartitions or reassignment:
///
///     {"version":1,"partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]}}
///
/// Partition ids are JSON object keys (strings); each list is the replicas in preference order,
/// the first being the preferred leader. Written here in increasing partition order (Apache
/// Kafka writes its hash map's order; readers must not care).
public enum TopicZNode {
    public static func path(_ topic: String) -> String { "\(PersistentZkPaths.brokerTopics)/\(topic)" }

    public static func encode(_ assignment: [Int32: [BrokerId]]) -> [UInt8] {
        let partitions = assignment.sorted { $0.key < $1.key }.map { partition, replicas in
            (String(partition), Json.array(replicas.map { .int(Int64($0.rawValue)) }))
        }
        return Json.object([("version", .int(1)), ("partitions", .object(partitions))]).bytes
    }

    public static func decode(topic: String, _ bytes: [UInt8]) throws -> [Int32: [BrokerId]] {
        let path = path(topic)
        let json = try Json.parse(znode: path, bytes)
        guard let partitions = json["partitions"]?.objectValue else { throw KafkaZkError.corruptZNode(path, "no partitions") }
        var assignment: [Int32: [BrokerId]] = [:]
        for (key, replicas) in partitions {
            guard let partition = Int32(key), partition >= 0, let list = replicas.arrayValue else {
                throw KafkaZkError.corruptZNode(path, "bad partition entry '\(key)'")
            }
            assignment[partition] = try list.map { item in
                guard let id = item.intValue, let value = Int32(exactly: id) else {
                    throw KafkaZkError.corruptZNode(path, "bad replica in partition \(key)")
                }
                return BrokerId(value)
            }
        }
        return assignment
    }
}

/// `/brokers/topics/<topic>/partitions/<p>/state`: persistent; the partition's leader and ISR as
/// the controller (or, for ISR changes, the leader) last wrote them:
///
///     {"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2,3]}
///
/// Every write is conditional on the znode version read before (`ZkVersion`), so a leader and
/// the controller never overwrite each other's newer state.
public enum TopicPartitionStateZNode {
    public static func partitionsPath(_ topic: String) -> String { "\(TopicZNode.path(topic))/partitions" }
    public static func partitionPath(_ partition: TopicPartition) -> String {
        "\(partitionsPath(partition.topic))/\(partition.partition)"
    }
    public static func path(_ partition: TopicPartition) -> String { "\(partitionPath(partition))/state" }

    public static func encode(_ state: LeaderIsrAndControllerEpoch) -> [UInt8] {
        Json.object([
            ("controller_epoch", .int(Int64(state.controllerEpoch.rawValue))),
            ("leader", .int(Int64(state.leaderAndIsr.leader.rawValue))),
            ("version", .int(1)),
            ("leader_epoch", .int(Int64(state.leaderAndIsr.leaderEpoch.rawValue))),
            ("isr", .array(state.leaderAndIsr.isr.map { .int(Int64($0.rawValue)) })),
        ]).bytes
    }

    public static func decode(_ partition: TopicPartition, _ bytes: [UInt8], zkVersion: Int32) throws -> LeaderIsrAndControllerEpoch {
        let path = path(partition)
        let json = try Json.parse(znode: path, bytes)
        guard let leader = json["leader"]?.intValue.flatMap({ Int32(exactly: $0) }),
              let leaderEpoch = json["leader_epoch"]?.intValue.flatMap({ Int32(exactly: $0) }),
              let controllerEpoch = json["controller_epoch"]?.intValue.flatMap({ Int32(exactly: $0) }),
              let isr = json["isr"]?.arrayValue
        else { throw KafkaZkError.corruptZNode(path, "missing leader, leader_epoch, controller_epoch or isr") }
        let members = try isr.map { item in
            guard let id = item.intValue.flatMap({ Int32(exactly: $0) }) else {
                throw KafkaZkError.corruptZNode(path, "bad isr member")
            }
            return BrokerId(id)
        }
        return LeaderIsrAndControllerEpoch(
            leaderAndIsr: LeaderAndIsr(leader: BrokerId(leader), leaderEpoch: LeaderEpoch(leaderEpoch), isr: members,
                                       zkVersion: zkVersion),
            controllerEpoch: ControllerEpoch(controllerEpoch))
    }
}

/// A partition's leader, leader epoch and in-sync replicas, with the version of the state znode
/// they were read from (Kafka's `LeaderAndIsr`).
public struct LeaderAndIsr: Sendable, Equatable, CustomStringConvertible {
    /// No leader: the partition is offline.
    public static let noLeader = BrokerId(-1)
    /// The leader says "leader unchanged" in some requests (-2 in Kafka).
    public static let leaderDuringDelete = BrokerId(-2)

    public var leader: BrokerId
    public var leaderEpoch: LeaderEpoch
    public var isr: [BrokerId]
    /// Version of `/brokers/topics/<t>/partitions/<p>/state` this was read from or written as.
    public var zkVersion: Int32

    public init(leader: BrokerId, leaderEpoch: LeaderEpoch, isr: [BrokerId], zkVersion: Int32) {
        self.leader = leader
        self.leaderEpoch = leaderEpoch
        self.isr = isr
        self.zkVersion = zkVersion
    }

    /// The state of a brand-new partition: `leader`, epoch 0.
    public init(leader: BrokerId, isr: [BrokerId]) {
        self.init(leader: leader, leaderEpoch: LeaderEpoch(0), isr: isr, zkVersion: 0)
    }

    /// A new leader (and ISR) at the next leader epoch.
    public func newLeaderAndIsr(leader: BrokerId, isr: [BrokerId]) -> LeaderAndIsr {
        LeaderAndIsr(leader: leader, leaderEpoch: LeaderEpoch(leaderEpoch.rawValue + 1), isr: isr, zkVersion: zkVersion)
    }

    /// As in Kafka's logs: `(Leader:2,ISR:2,3,LeaderEpoch:5,ZkVersion:7)`.
    public var description: String {
        "(Leader:\(leader),ISR:\(isr.map(\.description).joined(separator: ",")),LeaderEpoch:\(leaderEpoch),ZkVersion:\(zkVersion))"
    }
}

/// `LeaderAndIsr` plus the epoch of the controller that wrote it.
public struct LeaderIsrAndControllerEpoch: Sendable, Equatable {
    public var leaderAndIsr: LeaderAndIsr
    public var controllerEpoch: ControllerEpoch

    public init(leaderAndIsr: LeaderAndIsr, controllerEpoch: ControllerEpoch) {
        self.leaderAndIsr = leaderAndIsr
        self.controllerEpoch = controllerEpoch
    }
}
