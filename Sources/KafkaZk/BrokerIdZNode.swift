import KafkaCommon

/// `/brokers/ids`: the ephemeral registrations of live brokers, one child per broker id.
public enum BrokerIdsZNode {
    public static let path = "/brokers/ids"
}

/// `/brokers/ids/<id>`: a live broker's registration, ephemeral (it goes with the broker's
/// ZooKeeper session). Kafka 2.x JSON, written at version 4:
///
///     {"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},
///      "endpoints":["PLAINTEXT://127.0.0.1:9092"],"rack":"r1","jmx_port":-1,
///      "host":"127.0.0.1","timestamp":"1795293281540","port":9092,"version":4}
///
/// `host`/`port` repeat the first PLAINTEXT endpoint for old clients (null / -1 without one);
/// `timestamp` is milliseconds since the epoch, as a string; `rack` only when configured.
/// Versions 1 (host/port only) to 5 (with `features`) are read.
public enum BrokerIdZNode {
    public static func path(_ id: BrokerId) -> String { "\(BrokerIdsZNode.path)/\(id)" }

    public static let currentVersion: Int64 = 4

    public static func encode(_ info: BrokerInfo) -> [UInt8] {
        var members: [(String, Json)] = []
        let map = info.endpoints.map { ($0.listenerName, Json.string($0.securityProtocol.rawValue)) }
        members.append(("listener_security_protocol_map", .object(map)))
        members.append(("endpoints", .array(info.endpoints.map { .string($0.connectionString) })))
        if let rack = info.rack { members.append(("rack", .string(rack))) }
        members.append(("jmx_port", .int(Int64(info.jmxPort))))
        let plaintext = info.endpoints.first { $0.securityProtocol == .plaintext }
        members.append(("host", plaintext.map { .string($0.host) } ?? .null))
        members.append(("timestamp", .string(String(info.timestamp))))
        members.append(("port", .int(Int64(plaintext?.port ?? -1))))
        members.append(("version", .int(currentVersion)))
        // Not in Kafka 2.3's schema (its readers ignore unknown fields): where the live view reads
        // this broker's internals.
        if let adminListener = info.adminListener { members.append(("admin_listener", .string(adminListener))) }
        return Json.object(members).bytes
    }

    public static func decode(id: BrokerId, _ bytes: [UInt8]) throws -> BrokerInfo {
        let path = path(id)
        let json = try Json.parse(znode: path, bytes)
        guard let version = json["version"]?.intValue else { throw KafkaZkError.corruptZNode(path, "no version") }
        var protocolMap = SecurityProtocol.defaultMap
        if let map = json["listener_security_protocol_map"]?.objectValue {
            for (name, value) in map {
                guard let text = value.stringValue, let securityProtocol = SecurityProtocol(rawValue: text) else {
                    throw KafkaZkError.corruptZNode(path, "unknown security protocol for \(name)")
                }
                protocolMap[name] = securityProtocol
            }
        }
        var endpoints: [EndPoint] = []
        if version >= 2, let listed = json["endpoints"]?.arrayValue {
            for item in listed {
                guard let text = item.stringValue else { throw KafkaZkError.corruptZNode(path, "endpoint is not a string") }
                do {
                    endpoints.append(try EndPoint.parse(text, protocolMap: protocolMap))
                } catch {
                    throw KafkaZkError.corruptZNode(path, error.description)
                }
            }
        } else if let host = json["host"]?.stringValue, let port = json["port"]?.intValue {
            guard let port = Int32(exactly: port) else { throw KafkaZkError.corruptZNode(path, "port \(port) out of range") }
            endpoints = [EndPoint(listenerName: "PLAINTEXT", securityProtocol: .plaintext, host: host, port: port)]
        }
        let jmxPortValue = json["jmx_port"]?.intValue ?? -1
        guard let jmxPort = Int32(exactly: jmxPortValue) else {
            throw KafkaZkError.corruptZNode(path, "jmx_port \(jmxPortValue) out of range")
        }
        let timestamp = json["timestamp"]?.stringValue.flatMap { Int64($0) } ?? json["timestamp"]?.intValue ?? 0
        return BrokerInfo(
            id: id, endpoints: endpoints, rack: json["rack"]?.stringValue,
            jmxPort: jmxPort, timestamp: timestamp, version: Int(version),
            adminListener: json["admin_listener"]?.stringValue)
    }
}

/// What a broker registers about itself.
public struct BrokerInfo: Sendable, Equatable {
    public var id: BrokerId
    /// The advertised listeners, in configuration order.
    public var endpoints: [EndPoint]
    public var rack: String?
    public var jmxPort: Int32
    /// Registration time, milliseconds since the epoch.
    public var timestamp: Int64
    /// The znode version read (written as `BrokerIdZNode.currentVersion`).
    public var version: Int
    /// This broker's HTTP admin listener (`admin.listener`, e.g. `http://127.0.0.1:9404`), written
    /// as `admin_listener` — an addition of this project, for the live view; nil when off.
    public var adminListener: String?

    public init(
        id: BrokerId, endpoints: [EndPoint], rack: String? = nil, jmxPort: Int32 = -1, timestamp: Int64,
        version: Int = Int(BrokerIdZNode.currentVersion), adminListener: String? = nil
    ) {
        self.adminListener = adminListener
        self.id = id
        self.endpoints = endpoints
        self.rack = rack
        self.jmxPort = jmxPort
        self.timestamp = timestamp
        self.version = version
    }

    public func endpoint(listenerName: String) -> EndPoint? {
        endpoints.first { $0.listenerName == listenerName }
    }
}
