import KafkaCommon

/// Failures of Kafka's ZooKeeper operations that callers act on.
public enum KafkaZkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another broker is (or became) the controller, or this controller's epoch was superseded:
    /// the operation must not happen and the caller resigns.
    case controllerMoved(String)
    /// `/brokers/ids/<id>` belongs to another live session.
    case brokerIdInUse(BrokerId, owner: Int64, endpoints: [String])
    /// A znode's data is not what Kafka writes there.
    case corruptZNode(String, String)

    public var description: String {
        switch self {
        case .controllerMoved(let message): "controller moved: \(message)"
        case .brokerIdInUse(let id, let owner, let endpoints):
            "broker.id \(id) is already registered in ZooKeeper by a live broker (session 0x\(String(UInt64(bitPattern: owner), radix: 16)), endpoints \(endpoints.joined(separator: ",")))"
        case .corruptZNode(let path, let reason): "corrupt znode \(path): \(reason)"
        }
    }
}

extension Json {
    /// Parses a znode's data; data that is not JSON makes the znode corrupt.
    static func parse(znode path: String, _ bytes: [UInt8]) throws(KafkaZkError) -> Json {
        do {
            return try parse(bytes)
        } catch {
            throw .corruptZNode(path, error.description)
        }
    }
}
