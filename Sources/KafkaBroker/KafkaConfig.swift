import Foundation
import KafkaCommon
import KafkaZk

/// The broker's configuration, read from `server.properties` with Kafka's key names, types and
/// defaults (Kafka's `KafkaConfig`). Every known key is type-checked at load; a missing required
/// key or a malformed value is a `ConfigError` naming the key and the file; unknown keys are
/// returned in `unknownKeys` for the caller to warn about.
public struct KafkaConfig: Sendable {
    /// Where the properties came from (for messages), nil when built in code.
    public let file: String?
    public let properties: JavaProperties
    public let unknownKeys: [String]

    public let brokerId: BrokerId
    public let brokerIdGenerationEnable: Bool
    public let reservedBrokerMaxId: Int32
    public let rack: String?
    public let zkConnect: String
    public let zkSessionTimeoutMs: Int
    public let zkConnectionTimeoutMs: Int
    public let zkSetAcl: Bool
    public let logDirs: [String]
    public let listeners: [EndPoint]
    public let advertisedListeners: [EndPoint]
    public let listenerSecurityProtocolMap: [String: SecurityProtocol]
    public let interBrokerListenerName: String
    public let numNetworkThreads: Int
    public let numIoThreads: Int
    public let controlledShutdownEnable: Bool
    /// `inter.broker.protocol.version` and `log.message.format.version`, parsed as Kafka parses
    /// them (`ApiVersion`: `0.10.0.0`, `2.3.0` and `2.3-IV1` are all valid). As in Kafka 2.3, the
    /// message format may not be newer than what the inter-broker protocol writes.
    public let interBrokerProtocolVersion: ApiVersion
    public let logMessageFormatVersion: ApiVersion
    /// The group coordinator's and `__consumer_offsets`' keys (`group.*`, `offsets.*`,
    /// `offset.metadata.max.bytes`), range-checked as Kafka 2.3 checks them.
    public let groupCoordinator: GroupCoordinatorConfig
    /// `admin.listener`: where `/metrics` is served; nil (the default) for no admin listener.
    public let adminListener: AdminListenerAddress?

    /// Loads `path` and applies `overrides` (`--override key=value`) on top.
    public static func load(path: String, overrides: [String: String] = [:]) throws -> KafkaConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, key: "-", message: "cannot read the file: \(error.localizedDescription)")
        }
        var properties = JavaProperties(parsing: text)
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) { properties.set(key, value) }
        return try KafkaConfig(properties: properties, file: path)
    }

    public init(properties: JavaProperties, file: String? = nil) throws {
        self.file = file
        self.properties = properties
        let reader = ConfigReader(properties: properties, file: file)
        for key in properties.keys {
            if let definition = ConfigDef.keys[key] { _ = try reader.raw(definition) }
        }
        for definition in ConfigDef.keys.values where definition.required {
            _ = try reader.string(definition.name)
        }
        unknownKeys = properties.keys.filter { ConfigDef.keys[$0] == nil }.sorted()

        let id = try reader.int("broker.id")
        brokerIdGenerationEnable = try reader.bool("broker.id.generation.enable")
        reservedBrokerMaxId = Int32(try reader.int("reserved.broker.max.id"))
        guard id >= -1 else { throw reader.invalid("broker.id", "\(id)", "must be at least -1") }
        if id == -1, !brokerIdGenerationEnable {
            throw reader.invalid("broker.id", "-1", "must be set when broker.id.generation.enable is false")
        }
        if id > Int(reservedBrokerMaxId) {
            throw reader.invalid("broker.id", "\(id)",
                                 "must be at most reserved.broker.max.id (\(reservedBrokerMaxId)); larger ids are generated")
        }
        brokerId = BrokerId(Int32(id))
        rack = try reader.optionalString("broker.rack")

        zkConnect = try reader.string("zookeeper.connect")
        if zkConnect.trimmingCharacters(in: .whitespaces).isEmpty {
            throw reader.invalid("zookeeper.connect", zkConnect, "must name at least one host:port")
        }
        zkSessionTimeoutMs = try reader.int("zookeeper.session.timeout.ms")
        guard zkSessionTimeoutMs > 0 else {
            throw reader.invalid("zookeeper.session.timeout.ms", "\(zkSessionTimeoutMs)", "must be positive")
        }
        zkConnectionTimeoutMs = try reader.optionalInt("zookeeper.connection.timeout.ms") ?? zkSessionTimeoutMs
        zkSetAcl = try reader.bool("zookeeper.set.acl")

        let dirs = try reader.optionalString("log.dirs") ?? reader.string("log.dir")
        logDirs = dirs.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !logDirs.isEmpty else { throw reader.invalid("log.dirs", dirs, "must name at least one directory") }

        var protocolMap: [String: SecurityProtocol] = [:]
        let mapText = try reader.string("listener.security.protocol.map")
        for pair in mapText.split(separator: ",") {
            let parts = pair.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let securityProtocol = SecurityProtocol(rawValue: parts[1].uppercased()) else {
                throw reader.invalid("listener.security.protocol.map", mapText,
                                     "entries must be LISTENER_NAME:SECURITY_PROTOCOL with a known protocol")
            }
            protocolMap[parts[0].uppercased()] = securityProtocol
        }
        listenerSecurityProtocolMap = protocolMap

        let listeners = try reader.endpoints("listeners", protocolMap: protocolMap)
        self.listeners = listeners
        let advertised = try reader.optionalString("advertised.listeners")
        let advertisedListeners = try advertised.map { _ in try reader.endpoints("advertised.listeners", protocolMap: protocolMap) }
            ?? listeners
        self.advertisedListeners = advertisedListeners
        for endpoint in advertisedListeners where endpoint.host == "0.0.0.0" {
            throw reader.invalid(advertised == nil ? "listeners" : "advertised.listeners", endpoint.connectionString,
                                 "the non-routable meta-address 0.0.0.0 cannot be advertised; set advertised.listeners")
        }
        for endpoint in advertisedListeners where !listeners.contains(where: { $0.listenerName == endpoint.listenerName }) {
            throw reader.invalid("advertised.listeners", endpoint.connectionString,
                                 "listener name \(endpoint.listenerName) is not in listeners")
        }

        let interBrokerName = try reader.optionalString("inter.broker.listener.name")?.uppercased()
            ?? reader.string("security.inter.broker.protocol").uppercased()
        guard listeners.contains(where: { $0.listenerName == interBrokerName }) else {
            throw reader.invalid("inter.broker.listener.name", interBrokerName, "must be a listener name in listeners")
        }
        interBrokerListenerName = interBrokerName
        let networkThreads = try reader.int("num.network.threads")
        let ioThreads = try reader.int("num.io.threads")
        guard networkThreads >= 1 else { throw reader.invalid("num.network.threads", "\(networkThreads)", "must be at least 1") }
        guard ioThreads >= 1 else { throw reader.invalid("num.io.threads", "\(ioThreads)", "must be at least 1") }
        numNetworkThreads = networkThreads
        numIoThreads = ioThreads
        controlledShutdownEnable = try reader.bool("controlled.shutdown.enable")
        interBrokerProtocolVersion = try reader.apiVersion("inter.broker.protocol.version")
        logMessageFormatVersion = try reader.apiVersion("log.message.format.version")
        if interBrokerProtocolVersion.recordVersion < logMessageFormatVersion.recordVersion {
            let minimum = ApiVersion.minSupported(forRecordVersion: logMessageFormatVersion.recordVersion)?.shortVersion ?? "?"
            throw reader.invalid("log.message.format.version", logMessageFormatVersion.version,
                                 "can only be used when inter.broker.protocol.version is set to version \(minimum) or higher")
        }
        groupCoordinator = try GroupCoordinatorConfig(reader)
        adminListener = try AdminListenerAddress.read(reader)
    }

    /// The configured or default value of any known key, as text.
    public func value(_ key: String) -> String? {
        properties[key] ?? ConfigDef.keys[key]?.defaultValue
    }
}

/// Reads typed values, producing Kafka-style messages: `Invalid value abc for configuration
/// num.io.threads: Not a number of type INT`.
struct ConfigReader {
    let properties: JavaProperties
    let file: String?

    func location(_ key: String) -> String? {
        guard let file else { return nil }
        guard let line = properties.entry(key)?.line, line > 0 else { return file }
        return "\(file):\(line)"
    }

    func invalid(_ key: String, _ value: String, _ reason: String) -> ConfigError {
        ConfigError(file: location(key), key: key, message: "Invalid value \(value) for configuration \(key): \(reason)")
    }

    func raw(_ definition: ConfigKey) throws -> String? {
        guard let value = properties[definition.name] ?? definition.defaultValue else {
            if definition.required {
                throw ConfigError(file: file, key: definition.name,
                                  message: "Missing required configuration \"\(definition.name)\" which has no default value.")
            }
            return nil
        }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        switch definition.type {
        case .int:
            guard Int32(trimmed) != nil else { throw invalid(definition.name, value, "Not a number of type INT") }
        case .short:
            guard Int16(trimmed) != nil else { throw invalid(definition.name, value, "Not a number of type SHORT") }
        case .long:
            guard Int64(trimmed) != nil else { throw invalid(definition.name, value, "Not a number of type LONG") }
        case .double:
            guard Double(trimmed) != nil else { throw invalid(definition.name, value, "Not a number of type DOUBLE") }
        case .boolean:
            guard ["true", "false"].contains(trimmed.lowercased()) else {
                throw invalid(definition.name, value, "Expected value to be either true or false")
            }
        case .string, .list, .password, .class:
            break
        }
        return trimmed
    }

    private func definition(_ key: String) -> ConfigKey {
        // Invariant, not input: `key` is a literal of this file, and every one is in ConfigDef.
        guard let definition = ConfigDef.keys[key] else { preconditionFailure("unknown config key \(key)") }
        return definition
    }

    func string(_ key: String) throws -> String {
        guard let value = try raw(definition(key)) else {
            throw ConfigError(file: file, key: key, message: "Missing required configuration \"\(key)\" which has no default value.")
        }
        return value
    }

    func optionalString(_ key: String) throws -> String? { try raw(definition(key)) }

    func int(_ key: String) throws -> Int { try number(key, try string(key)) }

    func optionalInt(_ key: String) throws -> Int? { try optionalString(key).map { try number(key, $0) } }

    /// `raw` has checked INT and LONG keys already; this also covers a key of another type.
    private func number(_ key: String, _ value: String) throws -> Int {
        guard let number = Int(value) else { throw invalid(key, value, "Not a number of type INT") }
        return number
    }

    func bool(_ key: String) throws -> Bool { try string(key).lowercased() == "true" }

    /// A Kafka version (`inter.broker.protocol.version`, `log.message.format.version`).
    func apiVersion(_ key: String) throws -> ApiVersion {
        let text = try string(key)
        guard let version = ApiVersion(text) else { throw invalid(key, text, "Version `\(text)` is not a valid version") }
        return version
    }

    func endpoints(_ key: String, protocolMap: [String: SecurityProtocol]) throws -> [EndPoint] {
        let text = try string(key)
        var result: [EndPoint] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            do {
                result.append(try EndPoint.parse(item, protocolMap: protocolMap))
            } catch {
                throw invalid(key, text, error.description)
            }
        }
        guard !result.isEmpty else { throw invalid(key, text, "must list at least one listener") }
        let names = result.map(\.listenerName)
        guard Set(names).count == names.count else { throw invalid(key, text, "each listener must have a different name") }
        return result
    }
}

extension KafkaConfig {
    /// An integer setting, validated at load (every known key is type-checked there).
    func integer(_ key: String) -> Int {
        value(key).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
    }

    /// The socket server's settings: `num.network.threads`, `socket.request.max.bytes`,
    /// `connections.max.idle.ms`, `socket.send.buffer.bytes`, `socket.receive.buffer.bytes`.
    public var socketServerSettings: SocketServer.Settings {
        SocketServer.Settings(
            networkThreads: numNetworkThreads, maxRequestSize: integer("socket.request.max.bytes"),
            connectionsMaxIdleMs: Int64(integer("connections.max.idle.ms")),
            sendBufferBytes: integer("socket.send.buffer.bytes"), receiveBufferBytes: integer("socket.receive.buffer.bytes"))
    }

    /// `queued.max.requests`: how many requests may wait for a handler.
    public var queuedMaxRequests: Int { integer("queued.max.requests") }
}
