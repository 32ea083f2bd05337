import KafkaClient
import KafkaCommon
import KafkaProtocol
import NIOCore
import NIOPosix

/// The cluster as a client sees it: a connection to one bootstrap broker, the API versions it
/// speaks, the latest Metadata, and a connection per broker id opened on demand (Kafka's
/// `NetworkClient` + `Metadata`, without retries beyond what the tools need).
///
/// Isolation: an actor; each tool owns one for its run and calls `close()` at the end.
actor ClusterClient {
    let bootstrap: BootstrapServers.Address
    private let group: any EventLoopGroup
    private let clientId: String
    private let bootstrapConnection: BrokerConnection
    /// The versions the bootstrap broker supports, by API key.
    let apiVersions: [ApiKey: ClosedRange<Int16>]
    private var connections: [BrokerId: BrokerConnection] = [:]
    private(set) var brokers: [BrokerId: Metadata.Broker] = [:]
    private(set) var controllerId: BrokerId = .none

    /// Connects to the first reachable bootstrap server and asks it for its API versions.
    static func connect(_ servers: BootstrapServers, clientId: String) async throws -> ClusterClient {
        let group = MultiThreadedEventLoopGroup.singleton
        var failures: [String] = []
        for address in servers.addresses {
            do {
                let connection = try await BrokerConnection.connect(
                    host: address.host, port: address.port, clientId: clientId, group: group, timeout: .seconds(5))
                let response = try await connection.send(ApiVersions.self, ApiVersions.Request(), version: 0)
                guard !response.errorCode.isError else {
                    throw CLIError("ApiVersions failed: \(response.errorCode)")
                }
                var versions: [ApiKey: ClosedRange<Int16>] = [:]
                for api in response.apiKeys where api.minVersion <= api.maxVersion {
                    versions[api.apiKey] = api.minVersion...api.maxVersion
                }
                return ClusterClient(
                    bootstrap: address, group: group, clientId: clientId, connection: connection, apiVersions: versions)
            } catch {
                failures.append("\(address): \(error)")
            }
        }
        throw CLIError("Could not connect to any bootstrap server (\(failures.joined(separator: "; ")))")
    }

    private init(
        bootstrap: BootstrapServers.Address, group: any EventLoopGroup, clientId: String, connection: BrokerConnection,
        apiVersions: [ApiKey: ClosedRange<Int16>]
    ) {
        self.bootstrap = bootstrap
        self.group = group
        self.clientId = clientId
        self.bootstrapConnection = connection
        self.apiVersions = apiVersions
    }

    /// The highest version both this client's codec and the broker support, or nil if the
    /// broker does not implement the API at all.
    func version<API: KafkaAPI>(of api: API.Type) -> Int16? {
        guard let broker = apiVersions[API.key] else { return nil }
        let high = min(broker.upperBound, API.versions.upperBound)
        let low = max(broker.lowerBound, API.versions.lowerBound)
        return low <= high ? high : nil
    }

    /// Throws the tool's "not supported" error unless the broker implements `api`.
    func requireVersion<API: KafkaAPI>(of api: API.Type, for purpose: String) throws -> Int16 {
        guard let version = version(of: api) else {
            throw CLIError(
                "\(purpose) is not supported by this broker yet: the broker at \(bootstrap) does not implement "
                    + "\(API.key.name ?? "API") (key \(API.key.rawValue)) according to its ApiVersions response.")
        }
        return version
    }

    /// Metadata for `topics` (nil: all), remembering the brokers and the controller.
    func metadata(topics: [String]?, allowAutoTopicCreation: Bool = false) async throws -> Metadata.Response {
        let version = try requireVersion(of: Metadata.self, for: "Reading metadata")
        let request = Metadata.Request(topicNames: topics, allowAutoTopicCreation: allowAutoTopicCreation)
        let response = try await bootstrapConnection.send(Metadata.self, request, version: version)
        brokers = Dictionary(response.brokers.map { ($0.nodeId, $0) }, uniquingKeysWith: { $1 })
        controllerId = response.controllerId
        return response
    }

    /// Sends `request` to the bootstrap broker (for requests any broker answers, such as
    /// FindCoordinator).
    func sendToBootstrap<API: KafkaAPI>(_ api: API.Type, _ request: API.Request, version: Int16) async throws -> API.Response {
        try await bootstrapConnection.send(api, request, version: version)
    }

    /// The connection to broker `id` (opened on first use), from the latest metadata.
    func connection(to id: BrokerId) async throws -> BrokerConnection {
        if let existing = connections[id], await existing.isActive { return existing }
        guard let broker = brokers[id] else { throw CLIError("Broker \(id) is not in the cluster metadata") }
        let connection = try await BrokerConnection.connect(
            host: broker.host, port: Int(broker.port), clientId: clientId, group: group, timeout: .seconds(5))
        connections[id] = connection
        return connection
    }

    /// Forgets the connection to `id` (after it failed), so the next use reconnects.
    func dropConnection(to id: BrokerId) async {
        if let connection = connections.removeValue(forKey: id) { await connection.close() }
    }

    func close() async {
        for connection in connections.values { await connection.close() }
        connections.removeAll()
        await bootstrapConnection.close()
    }
}

/// Runs `body` with a connected client and closes it afterwards, whatever happens.
extension ClusterClient {
    /// A connection to the active controller; right after start-up the cluster may not have
    /// elected one yet, so this asks for up to five seconds.
    func controllerConnection() async throws -> BrokerConnection {
        var controller = BrokerId.none
        for attempt in 1...20 {
            _ = try await metadata(topics: [])
            controller = controllerId
            if controller != .none { break }
            if attempt < 20 { try await Task.sleep(for: .milliseconds(250)) }
        }
        guard controller != .none else { throw CLIError("The cluster has no active controller") }
        return try await connection(to: controller)
    }

    /// A connection to broker `id`, reading the cluster metadata first to learn its address.
    func brokerConnection(to id: BrokerId) async throws -> BrokerConnection {
        if brokers[id] == nil { _ = try await metadata(topics: []) }
        return try await connection(to: id)
    }
}

func withClusterClient<T: Sendable>(
    _ servers: BootstrapServers, clientId: String, _ body: (ClusterClient) async throws -> T
) async throws -> T {
    let client = try await ClusterClient.connect(servers, clientId: clientId)
    do {
        let result = try await body(client)
        await client.close()
        return result
    } catch {
        await client.close()
        throw error
    }
}

extension ErrorCode {
    /// Kafka's name for the code, or its number.
    var displayName: String { name ?? "UNKNOWN(\(rawValue))" }
}
