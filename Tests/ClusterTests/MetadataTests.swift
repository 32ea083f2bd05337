import Foundation
import Glibc
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import NIOCore
import Testing

/// Metadata answered from each broker's MetadataCache, which the controller feeds with
/// UpdateMetadata; checked with kcat (librdkafka) and on the wire.
extension RealClusterTests {
    @Suite("Metadata through the controller's UpdateMetadata, with kcat and on the wire")
    struct MetadataTests {
        /// `kcat -L` against one broker: broker id → (port, is controller).
        static func kcatBrokers(port: Int) throws -> [Int: (port: Int, controller: Bool)] {
            let output = try RealClusterTests.ProduceConsumeTests.kcat(["-b", "127.0.0.1:\(port)", "-L", "-m", "5"]).output
            var brokers: [Int: (Int, Bool)] = [:]
            for line in output.split(separator: "\n") {
                let words = line.split(separator: " ")
                guard words.count >= 4, words[0] == "broker", let id = Int(words[1]),
                      let port = words[3].split(separator: ":").last.flatMap({ Int($0) }) else { continue }
                brokers[id] = (port, line.contains("(controller)"))
            }
            return brokers
        }

        @Test func kcatSeesEveryBrokerAndTheController() async throws {
            try await withKafkaCluster { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, _) = try await waitFor("a controller") { try await zk.currentController() }
                for broker in cluster.brokers {
                    try await waitUntil("kcat to list 3 brokers from broker \(broker.id)", timeout: .seconds(20)) {
                        let seen = try Self.kcatBrokers(port: broker.port)
                        return seen.count == 3
                            && cluster.brokers.allSatisfy { seen[$0.id]?.port == $0.port }
                            && seen.filter(\.value.controller).map(\.key) == [Int(controller.rawValue)]
                    }
                }

                // A follower dies: once its session expires, the controller tells the survivors.
                let follower = try #require(cluster.brokers.first { $0.id != Int(controller.rawValue) })
                await follower.kill9()
                let survivors = cluster.brokers.filter { $0.id != follower.id }
                for broker in survivors {
                    try await waitUntil("broker \(broker.id) to drop broker \(follower.id)", timeout: .seconds(20)) {
                        Set(try Self.kcatBrokers(port: broker.port).keys) == Set(survivors.map(\.id))
                    }
                }

                // The controller dies: its successor sends UpdateMetadata naming itself.
                await cluster.broker(Int(controller.rawValue)).kill9()
                let last = try #require(survivors.first { $0.id != Int(controller.rawValue) })
                try await waitUntil("the last broker to name itself controller", timeout: .seconds(20)) {
                    let seen = try Self.kcatBrokers(port: last.port)
                    return seen.count == 1 && seen[last.id]?.controller == true
                }
            }
        }

        @Test func metadataOnTheWireForEveryVersion() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1, 2]) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, epoch) = try await waitFor("a controller") { try await zk.currentController() }
                let clusterId = try await zk.getOrCreateClusterId(proposed: "unused")
                let client = try WireClient(port: cluster.broker(1).port)
                try await waitUntil("broker 1 to learn of both brokers") {
                    try Self.metadata(client, version: 8, topics: nil).brokers.count == 2
                }
                for version: Int16 in 0...8 {
                    let topics: [String]? = version == 0 ? [] : nil
                    let response = try Self.metadata(client, version: version, topics: topics)
                    #expect(response.brokers.map(\.nodeId) == [1, 2])
                    #expect(response.brokers.map(\.port) == cluster.brokers.map { Int32($0.port) })
                    if version >= 1 { #expect(response.controllerId == controller) }
                    if version >= 2 { #expect(response.clusterId == clusterId) }
                }
                let unknown = try Self.metadata(client, version: 8, topics: ["no-such-topic"])
                #expect(unknown.topics.map(\.errorCode) == [.unknownTopicOrPartition])

                // An UpdateMetadata from an older controller epoch is refused and changes nothing.
                let stale = UpdateMetadata.Request(controllerId: 9, controllerEpoch: ControllerEpoch(epoch.rawValue - 1),
                                                   topicStates: [], liveBrokers: [])
                var frame = ByteBuffer()
                UpdateMetadata.writeRequestFrame(stale, header: RequestHeader(apiKey: .updateMetadata, apiVersion: 5,
                                                                              correlationId: 1, clientId: "9"), into: &frame)
                try client.send(Array(frame.readableBytesView))
                var answer = ByteBuffer(bytes: try client.readFrame())
                _ = try ResponseHeader(from: &answer, headerVersion: 0)
                #expect(try UpdateMetadata.decodeResponse(from: &answer, version: 5).errorCode == .staleControllerEpoch)
                #expect(try Self.metadata(client, version: 8, topics: nil).brokers.count == 2)
            }
        }

        static func metadata(_ client: WireClient, version: Int16, topics: [String]?) throws -> Metadata.Response {
            var frame = ByteBuffer()
            Metadata.writeRequestFrame(Metadata.Request(topicNames: topics, allowAutoTopicCreation: false),
                                       header: RequestHeader(apiKey: .metadata, apiVersion: version, correlationId: 7,
                                                             clientId: "wire-test"), into: &frame)
            try client.send(Array(frame.readableBytesView))
            var answer = ByteBuffer(bytes: try client.readFrame())
            _ = try ResponseHeader(from: &answer, headerVersion: 0)
            return try Metadata.decodeResponse(from: &answer, version: version)
        }
    }
}
