import Foundation
import Glibc
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import NIOCore
import Testing
import ZooKeeper

/// Controlled shutdown on three real brokers and a three-node ensemble: a SIGTERM'd broker has
/// the controller move every leadership it holds before it deregisters and exits, while an
/// acks=all producer writes on; with `controlled.shutdown.enable=false` it just deregisters.
extension RealClusterTests {
    @Suite("Controlled shutdown")
    struct ControlledShutdownTests {
        static let topic = "moving"
        /// 30, or `CONTROLLED_SHUTDOWN_PARTITIONS` (to run the tests at 1,000 partitions by hand).
        static let partitions: Int32 = ProcessInfo.processInfo.environment["CONTROLLED_SHUTDOWN_PARTITIONS"].flatMap { Int32($0) } ?? 30

        /// Leaders of the topic's partitions that `broker` leads now.
        static func partitionsLed(by broker: BrokerId, _ zk: KafkaZkClient) async throws -> [TopicPartition] {
            var led: [TopicPartition] = []
            for partition in 0..<partitions {
                let tp = TopicPartition(topic, partition)
                if try await Replication.state(zk, tp)?.leader == broker { led.append(tp) }
            }
            return led
        }

        /// The time of a broker log line (`[2026-12-03 13:42:01,624] ...`, local time).
        static func timestamp(_ line: Substring) -> Date? {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone.current
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss,SSS"
            guard line.hasPrefix("["), let end = line.firstIndex(of: "]") else { return nil }
            return formatter.date(from: String(line[line.index(after: line.startIndex)..<end]))
        }

        /// Where the first line containing `text` is in `log`.
        static func lineNumber(_ log: String, _ text: String) -> Int? {
            log.split(separator: "\n").firstIndex { $0.contains(text) }
        }

        /// The broker's log says the controller confirmed (so it had written every new leader)
        /// before the broker deregistered; the controller's says it moved `count` leaderships and
        /// none remained. Returns the time of the controller's line.
        static func expectLeadershipsMovedBeforeDeregistration(
            victim: KafkaCluster.Broker, controller: KafkaCluster.Broker, count: Int
        ) throws -> Date {
            let log = victim.log
            let succeeded = try #require(lineNumber(log, "Controlled shutdown succeeded"), "\(log.suffix(3000))")
            let deregistered = try #require(lineNumber(log, "Deregistered broker \(victim.id)"))
            #expect(succeeded < deregistered)
            #expect(lines(log, containing: "Starting controlled shutdown").count == 1)
            let moved = try #require(lines(controller.log, containing: "Controlled shutdown of broker \(victim.id): moved").first)
            #expect(moved.contains("moved the leadership of \(count) partitions") && moved.contains(" 0 partitions remain"), "\(moved)")
            return try #require(timestamp(moved))
        }

        @Test func sigtermedLeaderHandsOverEveryPartitionBeforeExitingWhileProducing() async throws {
            try await withKafkaCluster(zooKeepers: 3, sessionTimeoutMs: 6000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, Self.topic, partitions: Self.partitions, replicas: [1, 2, 3],
                                                  config: ["min.insync.replicas": "2"])
                let (producer, acked) = try ReplicationTests.startProducer(
                    cluster, topic: Self.topic, partitions: Int(Self.partitions), seconds: 600, rate: 500)
                try await waitUntil("records acknowledged before the shutdown", timeout: .seconds(60)) {
                    Replication.acknowledged(acked).count >= 1000
                }
                // A leader that is not the controller, so that the controller stays where it is.
                let (controllerId, _) = try #require(try await zk.currentController())
                let victimId = try #require([BrokerId(1), 2, 3].first { $0 != controllerId })
                let victim = cluster.broker(Int(victimId.rawValue))
                let led = try await Self.partitionsLed(by: victimId, zk)
                try #require(!led.isEmpty, "broker \(victimId) leads partitions")
                var epochs: [TopicPartition: LeaderEpoch] = [:]
                for tp in led { epochs[tp] = try #require(try await Replication.state(zk, tp)).leaderEpoch }
                let sigterm = Date()
                victim.send(SIGTERM)
                let status = await victim.current?.waitForExit(timeout: .seconds(120))
                let exited = Date()
                #expect(status == 0, "exit status; log: \(victim.log.suffix(3000))")

                // Every partition it led has a new leader from the old ISR, written before it
                // deregistered (so before it exited).
                for tp in led {
                    let state = try #require(try await Replication.state(zk, tp))
                    #expect(state.leader != victimId && state.leader != LeaderAndIsr.noLeader, "\(tp): \(state)")
                    #expect(state.leaderEpoch.rawValue >= (epochs[tp]?.rawValue ?? 0) + 1)
                }
                let movedAt = try Self.expectLeadershipsMovedBeforeDeregistration(
                    victim: victim, controller: cluster.broker(Int(controllerId.rawValue)), count: led.count)
                #expect(lines(cluster.broker(Int(controllerId.rawValue)).log, containing: "Shutting down broker \(victimId)").count == 1)
                let movedMs = Int64(movedAt.timeIntervalSince(sigterm) * 1000)
                let exitMs = Int64(exited.timeIntervalSince(sigterm) * 1000)
                print("SIGTERM at \(sigterm.timeIntervalSince1970) (epoch seconds); controlled shutdown of broker \(victimId) leading \(led.count) of \(Self.partitions) partitions: leaders moved \(movedMs) ms after SIGTERM (the controller's log), process exited after \(exitMs) ms")

                // The producer carries on against the two others; nothing it had acknowledged is
                // lost and no request of it timed out.
                let before = Replication.acknowledged(acked).count
                try await waitUntil("records acknowledged after the shutdown", timeout: .seconds(60)) {
                    Replication.acknowledged(acked).count >= before + 500
                }
                producer.send(SIGINT)
                await producer.kill9()
                keepBrokerLogs(cluster, test: "controlled-shutdown-while-producing")
                if let directory = ProcessInfo.processInfo.environment["KEEP_BROKER_LOGS"] {
                    try? producer.log.write(toFile: "\(directory)/controlled-shutdown-while-producing-producer.log", atomically: true, encoding: .utf8)
                }
                let errors = (try? String(contentsOfFile: acked.path + ".errors", encoding: .utf8)) ?? ""
                #expect(errors.isEmpty, "failed deliveries: \(errors.prefix(1000))")
                #expect(lines(producer.log, containing: "REQTMOUT").isEmpty && lines(producer.log, containing: "Timed out").isEmpty,
                        "producer requests timed out: \(producer.log.suffix(2000))")
                let acknowledged = Replication.acknowledged(acked)
                let survivor = cluster.broker(Int(controllerId.rawValue))
                var stored: [TopicPartitionOffset: String] = [:]
                try await waitUntil("every acknowledged record to be readable", timeout: .seconds(60)) {
                    stored = try Replication.consumeAll(survivor, topic: Self.topic)
                    return acknowledged.keys.allSatisfy { stored[$0] != nil }
                }
                let wrong = acknowledged.filter { stored[$0.key] != $0.value }
                #expect(wrong.isEmpty, "\(wrong.count) of \(acknowledged.count) acknowledged records lost or moved, e.g. \(wrong.keys.sorted().prefix(5))")
            }
        }

        /// The controller itself shutting down asks itself (over its own listener), then resigns;
        /// its leaderships have moved before a successor takes over.
        @Test func sigtermedControllerHandsOverItsPartitionsBeforeResigning() async throws {
            try await withKafkaCluster(zooKeepers: 3, sessionTimeoutMs: 6000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, Self.topic, partitions: 6, replicas: [1, 2, 3])
                let (controllerId, epoch) = try #require(try await zk.currentController())
                let victim = cluster.broker(Int(controllerId.rawValue))
                let led = try await Self.partitionsLed(by: controllerId, zk)
                try #require(!led.isEmpty)
                #expect(await victim.terminate(timeout: .seconds(60)) == 0, "\(victim.log.suffix(3000))")
                for tp in led {
                    let state = try #require(try await Replication.state(zk, tp))
                    #expect(state.leader != controllerId && state.leader != LeaderAndIsr.noLeader, "\(tp): \(state)")
                }
                _ = try Self.expectLeadershipsMovedBeforeDeregistration(victim: victim, controller: victim, count: led.count)
                try await waitUntil("a new controller", timeout: .seconds(30)) {
                    guard let (id, newEpoch) = try await zk.currentController() else { return false }
                    return id != controllerId && newEpoch > epoch
                }
            }
        }

        static func controlledShutdown(
            _ broker: KafkaCluster.Broker, version: Int16, for id: BrokerId, epoch: Int64 = -1
        ) throws -> ControlledShutdown.Response {
            let client = try WireClient(port: broker.port)
            var frame = ByteBuffer()
            ControlledShutdown.writeRequestFrame(
                ControlledShutdown.Request(brokerId: id, brokerEpoch: epoch),
                header: RequestHeader(apiKey: .controlledShutdown, apiVersion: version, correlationId: 11, clientId: "wire-test"),
                into: &frame)
            try client.send(Array(frame.readableBytesView))
            var answer = ByteBuffer(bytes: try client.readFrame())
            #expect(try ResponseHeader(from: &answer, headerVersion: 0).correlationId == 11)
            return try ControlledShutdown.decodeResponse(from: &answer, version: version)
        }

        /// The API on the wire, v0 (request header v0) to v2: only the controller acts; v2 checks
        /// the broker epoch; an unknown broker is refused; a real request moves the broker's
        /// leaderships and answers nothing remaining.
        @Test func controlledShutdownRequestsAreAnsweredAsKafkaDoes() async throws {
            try await withKafkaCluster(zooKeepers: 3, sessionTimeoutMs: 6000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, Self.topic, partitions: 6, replicas: [1, 2, 3])
                let (controllerId, _) = try #require(try await zk.currentController())
                let controller = cluster.broker(Int(controllerId.rawValue))
                let other = try #require([BrokerId(1), 2, 3].first { $0 != controllerId })
                let bystander = cluster.broker(Int(try #require([BrokerId(1), 2, 3].first { $0 != controllerId && $0 != other }).rawValue))
                let epoch = try #require(try await zk.zooKeeper.exists(BrokerIdZNode.path(other))).czxid

                #expect(try Self.controlledShutdown(bystander, version: 1, for: other).errorCode == .notController)
                #expect(try Self.controlledShutdown(controller, version: 2, for: other, epoch: epoch - 1).errorCode == .staleBrokerEpoch)
                #expect(try Self.controlledShutdown(controller, version: 0, for: 42).errorCode == .brokerNotAvailable)
                let led = try await Self.partitionsLed(by: other, zk)
                try #require(!led.isEmpty)

                let response = try Self.controlledShutdown(controller, version: 2, for: other, epoch: epoch)
                #expect(response.errorCode == .none)
                #expect(response.remainingPartitions.isEmpty)
                for partition: Int32 in 0..<6 {
                    let state = try #require(try await Replication.state(zk, TopicPartition(Self.topic, partition)))
                    #expect(state.leader != other && state.leader != LeaderAndIsr.noLeader, "\(partition): \(state)")
                }
                // Still registered: asking again finds nothing left to move.
                #expect(try Self.controlledShutdown(controller, version: 2, for: other, epoch: epoch).remainingPartitions.isEmpty)
            }
        }

        @Test func disabledControlledShutdownJustDeregisters() async throws {
            try await withKafkaCluster(zooKeepers: 3, sessionTimeoutMs: 6000,
                                       overrides: ["controlled.shutdown.enable": "false"]) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, Self.topic, partitions: 6, replicas: [1, 2, 3])
                let (controllerId, _) = try #require(try await zk.currentController())
                let victimId = try #require([BrokerId(1), 2, 3].first { $0 != controllerId })
                let victim = cluster.broker(Int(victimId.rawValue))
                var led: [TopicPartition] = []
                for partition: Int32 in 0..<6 {
                    let tp = TopicPartition(Self.topic, partition)
                    if try await Replication.state(zk, tp)?.leader == victimId { led.append(tp) }
                }
                try #require(!led.isEmpty)
                #expect(await victim.terminate(timeout: .seconds(60)) == 0)
                #expect(lines(victim.log, containing: "Starting controlled shutdown").isEmpty, "\(victim.log.suffix(2000))")
                #expect(lines(cluster.broker(Int(controllerId.rawValue)).log, containing: "Shutting down broker").isEmpty)
                // The old path: the controller moves the leaders once the registration is gone.
                for tp in led {
                    try await waitUntil("\(tp) to get a new leader", timeout: .seconds(30)) {
                        let state = try await Replication.state(zk, tp)
                        return state.map { $0.leader != victimId && $0.leader != LeaderAndIsr.noLeader } ?? false
                    }
                }
            }
        }
    }
}
