import KafkaClient
import KafkaCommon
import KafkaProtocol
import NIOCore
import NIOPosix
import TransactionCoordinator

/// Sends WriteTxnMarkers v0 to other brokers (and to this one) over one `BrokerConnection` per
/// broker on the inter-broker listener, as Kafka 2.3's marker channel keeps one NetworkClient
/// node per broker. A connection that failed is dropped and made again on the next send; the
/// endpoint is read from the `MetadataCache` each time, so a broker that moved is found.
///
/// Isolation: an actor owning the connections.
actor InterBrokerTxnMarkerNetwork: TxnMarkerNetwork {
    struct NoEndpoint: Error, CustomStringConvertible {
        let broker: BrokerId
        var description: String { "broker \(broker.rawValue) has no endpoint on the inter-broker listener" }
    }

    let brokerId: BrokerId
    let cache: MetadataCache
    let listenerName: String
    let requestTimeoutMs: Int64
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var connections: [BrokerId: BrokerConnection] = [:]

    init(brokerId: BrokerId, cache: MetadataCache, listenerName: String, requestTimeoutMs: Int64) {
        self.brokerId = brokerId
        self.cache = cache
        self.listenerName = listenerName
        self.requestTimeoutMs = requestTimeoutMs
    }

    func send(_ request: WriteTxnMarkers.Request, to broker: BrokerId) async throws -> WriteTxnMarkers.Response {
        let connection = try await connection(to: broker)
        do {
            return try await connection.send(WriteTxnMarkers.self, request, version: 0, timeout: .milliseconds(requestTimeoutMs))
        } catch {
            if connections[broker] === connection { connections[broker] = nil }
            await connection.close()
            throw error
        }
    }

    private func connection(to broker: BrokerId) async throws -> BrokerConnection {
        if let existing = connections[broker], await existing.isActive { return existing }
        connections[broker] = nil
        guard let endpoint = cache.current.aliveBrokers[broker]?.allEndpoints.first(where: { $0.listener == listenerName }) else {
            throw NoEndpoint(broker: broker)
        }
        let connection = try await BrokerConnection.connect(
            host: endpoint.host, port: Int(endpoint.port), clientId: "broker-\(brokerId.rawValue)-txn-marker-sender", group: group,
            timeout: .milliseconds(requestTimeoutMs))
        connections[broker] = connection
        return connection
    }

    func shutdown() async {
        for connection in connections.values { await connection.close() }
        connections.removeAll()
        try? await group.shutdownGracefully()
    }
}
