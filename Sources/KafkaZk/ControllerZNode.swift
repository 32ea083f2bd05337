import Foundation
import KafkaCommon

/// `/controller`: ephemeral, held by the active controller. `{"version":1,"brokerid":2,"timestamp":"1795293281562"}`.
/// Whoever creates it first is the controller; it vanishes with that broker's session.
public enum ControllerZNode {
    public static let path = "/controller"

    public static func encode(brokerId: BrokerId, timestamp: Int64) -> [UInt8] {
        Json.object([
            ("version", .int(1)),
            ("brokerid", .int(Int64(brokerId.rawValue))),
            ("timestamp", .string(String(timestamp))),
        ]).bytes
    }

    /// The controller's broker id. Kafka 0.8 wrote a bare number, which is read too.
    public static func decode(_ bytes: [UInt8]) throws -> BrokerId {
        let json = try Json.parse(znode: path, bytes)
        if let bare = json.intValue, let id = Int32(exactly: bare) { return BrokerId(id) }
        guard let id = json["brokerid"]?.intValue, let value = Int32(exactly: id) else {
            throw KafkaZkError.corruptZNode(path, "no brokerid")
        }
        return BrokerId(value)
    }
}

/// `/controller_epoch`: persistent; the epoch of the latest controller as a plain decimal (`12`).
/// Its znode version fences controller writes: every controller write is a multi that checks it.
public enum ControllerEpochZNode {
    public static let path = "/controller_epoch"

    public static func encode(_ epoch: ControllerEpoch) -> [UInt8] { Array(String(epoch.rawValue).utf8) }

    public static func decode(_ bytes: [UInt8]) throws -> ControllerEpoch {
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        guard let value = Int32(text) else { throw KafkaZkError.corruptZNode(path, "not a number: '\(text)'") }
        return ControllerEpoch(value)
    }
}

/// `/cluster/id`: persistent, `{"version":"1","id":"<22-char base64url uuid>"}`, created by the
/// first broker that starts against an empty ensemble.
public enum ClusterIdZNode {
    public static let path = "/cluster/id"

    public static func encode(_ id: String) -> [UInt8] {
        Json.object([("version", .string("1")), ("id", .string(id))]).bytes
    }

    public static func decode(_ bytes: [UInt8]) throws -> String {
        guard let id = try Json.parse(znode: path, bytes)["id"]?.stringValue else { throw KafkaZkError.corruptZNode(path, "no id") }
        return id
    }
}
