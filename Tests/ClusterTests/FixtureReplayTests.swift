import Foundation
import KafkaProtocol
import KafkaTestKit
import NIOCore
import Testing

/// Every request frame that kcat, confluent-kafka, kafka-python and the Java tools sent Apache
/// Kafka 2.3 (the captures in `shared/fixtures/kafka-2.3.0`), replayed to a real broker process:
/// no well-formed request brings it down (issue 8, item 10).
extension RealClusterTests {
    @Suite("Client request fixtures replayed to a real broker")
    struct FixtureReplayTests {
        /// The client stacks whose requests are replayed (not `broker-internal`: those are a
        /// controller's orders to its brokers).
        static let clients = ["kcat", "confluent-kafka", "kafka-python", "java"]

        /// The capture directory: `$KAFKA_FIXTURES_DIR`, else `../shared/fixtures/kafka-2.3.0` beside
        /// the repository (where the project keeps it), else the copy under
        /// `Tests/KafkaProtocolTests/Fixtures`.
        static func fixturesDirectory(file: String = #filePath) throws -> URL {
            let repository = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let candidates = [
                ProcessInfo.processInfo.environment["KAFKA_FIXTURES_DIR"].map { URL(fileURLWithPath: $0) },
                repository.deletingLastPathComponent().appendingPathComponent("shared/fixtures/kafka-2.3.0"),
                repository.appendingPathComponent("Tests/KafkaProtocolTests/Fixtures"),
            ].compactMap { $0 }
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("kafka-python").path) })
            else { throw FixtureReplayError("no fixture directory among \(candidates.map(\.path))") }
            return found
        }

        /// One captured request frame (size prefix included).
        struct Frame: CustomStringConvertible {
            var name: String
            var bytes: [UInt8]
            var apiKey: Int16 { Int16(bitPattern: UInt16(bytes[4]) << 8 | UInt16(bytes[5])) }
            var version: Int16 { Int16(bitPattern: UInt16(bytes[6]) << 8 | UInt16(bytes[7])) }
            var correlationId: Int32 {
                Int32(bitPattern: UInt32(bytes[8]) << 24 | UInt32(bytes[9]) << 16 | UInt32(bytes[10]) << 8 | UInt32(bytes[11]))
            }
            var description: String { name }
        }

        /// Every client request frame, in client and capture order.
        static func frames() throws -> [Frame] {
            let directory = try fixturesDirectory()
            var frames: [Frame] = []
            for client in clients {
                let folder = directory.appendingPathComponent(client)
                for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".req.bin") {
                    let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(file)))
                    guard bytes.count >= 12 else { throw FixtureReplayError("\(client)/\(file) is not a request frame") }
                    frames.append(Frame(name: "\(client)/\(file)", bytes: bytes))
                }
            }
            return frames
        }

        static func apiVersionsRequest(correlationId: Int32) -> [UInt8] {
            var buffer = ByteBuffer()
            ApiVersions.writeRequestFrame(.init(), header: RequestHeader(apiKey: .apiVersions, apiVersion: 2, correlationId: correlationId,
                                                                       clientId: "fixture-replay"), into: &buffer)
            return Array(buffer.readableBytesView)
        }

        /// The advertised versions, asked on a connection of its own; checks the answer's
        /// correlation id.
        static func advertised(port: Int, correlationId: Int32) throws -> [ApiKey: ClosedRange<Int16>] {
            let client = try WireClient(port: port)
            try client.send(apiVersionsRequest(correlationId: correlationId))
            var buffer = ByteBuffer(bytes: try client.readFrame())
            let header = try ResponseHeader(from: &buffer, headerVersion: 0)
            guard header.correlationId == correlationId else {
                throw FixtureReplayError("ApiVersions answered with correlation id \(header.correlationId)")
            }
            let response = try ApiVersions.decodeResponse(from: &buffer, version: 2)
            return Dictionary(response.apiKeys.map { ($0.apiKey, $0.minVersion...$0.maxVersion) }, uniquingKeysWith: { a, _ in a })
        }

        static func correlationId(of frame: [UInt8]) -> Int32? {
            guard frame.count >= 4 else { return nil }
            return Int32(bitPattern: UInt32(frame[0]) << 24 | UInt32(frame[1]) << 16 | UInt32(frame[2]) << 8 | UInt32(frame[3]))
        }

        @Test func everyAdvertisedClientRequestIsAnsweredAndTheBrokerLives() async throws {
            let frames = try Self.frames()
            try await withKafkaCluster(zooKeepers: 1, ids: [1], sessionTimeoutMs: 6000) { cluster in
                let broker = cluster.broker(1)
                let advertised = try Self.advertised(port: broker.port, correlationId: 1)
                let replayed = frames.filter { advertised[ApiKey(rawValue: $0.apiKey)]?.contains($0.version) ?? false }
                // Every client's Produce, Fetch, Metadata, ListOffsets and CreateTopics at least.
                #expect(replayed.count >= 60, "only \(replayed.count) of \(frames.count) frames are advertised")
                #expect(replayed.contains { $0.name == "kafka-python/025_Fetch_v11.req.bin" })
                print("Replaying \(replayed.count) of \(frames.count) client request frames (the others' API or version is not advertised)")
                for (index, frame) in replayed.enumerated() {
                    let client = try WireClient(port: broker.port, timeoutSeconds: 30)
                    do {
                        try client.send(frame.bytes)
                        let answer = try client.readFrame()
                        #expect(Self.correlationId(of: answer) == frame.correlationId, "\(frame): wrong correlation id")
                        // The connection is still usable.
                        let check = Int32(1_000_000 + index)
                        try client.send(Self.apiVersionsRequest(correlationId: check))
                        #expect(Self.correlationId(of: try client.readFrame()) == check, "\(frame): ApiVersions afterwards")
                    } catch {
                        Issue.record("\(frame) (api \(frame.apiKey) v\(frame.version)): \(error)")
                        #expect(broker.isRunning, "the broker died at \(frame)")
                        if !broker.isRunning { return }
                    }
                }
                #expect(broker.isRunning)
                #expect(broker.startedCount == 1)
                _ = try Self.advertised(port: broker.port, correlationId: 2)
            }
        }
    }
}

struct FixtureReplayError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
