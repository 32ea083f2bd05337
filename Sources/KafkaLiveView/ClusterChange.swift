/// One named change between two snapshots (`ClusterSnapshot.changes(since:)`): what the live page
/// highlights and lists in its change log, and what `kafka cluster --watch` prints under its
/// tables. `text` is the sentence shown; `topic`/`partition`/`broker` say what to highlight.
public struct ClusterChange: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable {
        case controllerMoved, controllerEpochChanged, brokerGone, brokerBack
        case leaderMoved, isrShrank, isrExpanded, partitionAdded, partitionRemoved
    }

    public var kind: Kind
    public var topic: String?
    public var partition: Int32?
    /// The broker the change is about (the new controller, the broker gone or back, the new
    /// leader), when there is one.
    public var broker: Int32?
    public var text: String

    public init(kind: Kind, topic: String? = nil, partition: Int32? = nil, broker: Int32? = nil, text: String) {
        self.kind = kind
        self.topic = topic
        self.partition = partition
        self.broker = broker
        self.text = text
    }

    public var description: String { text }
}

extension ClusterSnapshot {
    /// The changes from `previous` to this snapshot, in a fixed order: controller, controller
    /// epoch, brokers gone, brokers back, then per partition (in partition order) leader moved,
    /// ISR shrank, ISR expanded, added, removed. Offsets (HW, LEO, lag) and purgatory counts are
    /// not named changes: they move all the time and are shown, not listed.
    public func changes(since previous: ClusterSnapshot) -> [ClusterChange] {
        var changes: [ClusterChange] = []
        func id(_ broker: Int32) -> String { broker < 0 ? "none" : String(broker) }
        func list(_ brokers: [Int32]) -> String { brokers.isEmpty ? "none" : brokers.map(String.init).joined(separator: ",") }
        if controllerId != previous.controllerId {
            changes.append(ClusterChange(
                kind: .controllerMoved, broker: controllerId >= 0 ? controllerId : nil,
                text: "Controller moved: \(id(previous.controllerId)) -> \(id(controllerId))"))
        }
        if controllerEpoch != previous.controllerEpoch {
            changes.append(ClusterChange(
                kind: .controllerEpochChanged, broker: controllerId >= 0 ? controllerId : nil,
                text: "New controller epoch: \(previous.controllerEpoch) -> \(controllerEpoch)"))
        }
        let before = Set(previous.brokers.map(\.id))
        let now = Set(brokers.map(\.id))
        for gone in before.subtracting(now).sorted() {
            changes.append(ClusterChange(kind: .brokerGone, broker: gone, text: "Broker \(gone) gone"))
        }
        for back in now.subtracting(before).sorted() {
            changes.append(ClusterChange(kind: .brokerBack, broker: back, text: "Broker \(back) back"))
        }
        var old: [String: PartitionState] = [:]
        for partition in previous.partitions { old[partition.name] = partition }
        let names = Set(partitions.map(\.name))
        for partition in partitions {
            let (topic, number, name) = (partition.topic, partition.partition, partition.name)
            guard let was = old[name] else {
                changes.append(ClusterChange(kind: .partitionAdded, topic: topic, partition: number,
                                             text: "Partition \(name) added: leader \(id(partition.leader)), ISR \(list(partition.isr))"))
                continue
            }
            if partition.leader != was.leader {
                changes.append(ClusterChange(
                    kind: .leaderMoved, topic: topic, partition: number, broker: partition.leader >= 0 ? partition.leader : nil,
                    text: "Leader of \(name) moved: \(id(was.leader)) -> \(id(partition.leader)) (leader epoch \(partition.leaderEpoch))"))
            }
            let removed = was.isr.filter { !partition.isr.contains($0) }
            let added = partition.isr.filter { !was.isr.contains($0) }
            if !removed.isEmpty {
                changes.append(ClusterChange(
                    kind: .isrShrank, topic: topic, partition: number,
                    text: "ISR of \(name) shrank: \(list(was.isr)) -> \(list(partition.isr)) (\(list(removed)) out)"))
            }
            if !added.isEmpty {
                changes.append(ClusterChange(
                    kind: .isrExpanded, topic: topic, partition: number,
                    text: "ISR of \(name) expanded: \(list(was.isr)) -> \(list(partition.isr)) (\(list(added)) in)"))
            }
        }
        for was in previous.partitions where !names.contains(was.name) {
            changes.append(ClusterChange(kind: .partitionRemoved, topic: was.topic, partition: was.partition,
                                         text: "Partition \(was.name) removed"))
        }
        return changes
    }
}
