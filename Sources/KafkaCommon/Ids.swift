/// Strong types for the numbers Kafka passes around, so that a broker id can never be used where
/// an epoch is meant. Each wraps the wire type Kafka uses for it.

/// A broker's `broker.id` (int32 on the wire). `-1` means "none" (no leader, no controller).
public struct BrokerId: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public var rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(integerLiteral value: Int32) { self.rawValue = value }
    public static let none = BrokerId(-1)
    public static func < (lhs: BrokerId, rhs: BrokerId) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// The controller epoch: incremented by every newly elected controller and stored in
/// `/controller_epoch`. Requests and ZooKeeper writes of an older epoch are stale.
public struct ControllerEpoch: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public var rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(integerLiteral value: Int32) { self.rawValue = value }
    /// The value `/controller_epoch` is created with; the first controller makes it 1.
    public static let initial = ControllerEpoch(0)
    public var next: ControllerEpoch { ControllerEpoch(rawValue + 1) }
    public static func < (lhs: ControllerEpoch, rhs: ControllerEpoch) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// A partition's leader epoch: bumped by the controller at every leader change.
public struct LeaderEpoch: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public var rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(integerLiteral value: Int32) { self.rawValue = value }
    public static func < (lhs: LeaderEpoch, rhs: LeaderEpoch) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// A topic name and partition index.
public struct TopicPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
    public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
    /// `topic-partition`, as in log directory names and Kafka's logs.
    public var description: String { "\(topic)-\(partition)" }
}
