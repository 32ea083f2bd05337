import Foundation
import Glibc
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing
import ZooKeeper

/// Start-up rules of `kafka-server` with a real ZooKeeper: registration conflicts, stale
/// registrations, meta.properties checks, configuration errors.
extension RealClusterTests {
    @Suite("kafka-server start-up with a real ZooKeeper", .serialized)
    struct BrokerStartupTests {
        @Test func brokerIdOfALiveBrokerIsAStartupError() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1], sessionTimeoutMs: 2000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let owner = try #require(try await zk.registrationOwner(1))
                let directory = try makeTemporaryDirectory(prefix: "duplicate")
                defer { try? FileManager.default.removeItem(at: directory) }
                let duplicate = try ChildProcess(
                    name: "duplicate", executable: KafkaCluster.serverExecutable().path,
                    arguments: [cluster.broker(1).propertiesFile.path,
                                "--override", "log.dirs=\(directory.appendingPathComponent("data").path)",
                                "--override", "listeners=PLAINTEXT://127.0.0.1:\(freeLoopbackPorts(1)[0])"],
                    logFile: directory.appendingPathComponent("server.log"))
                let status = await duplicate.waitForExit(timeout: .seconds(20))
                #expect(status == 1)
                #expect(duplicate.log.contains("broker.id 1 is already registered in ZooKeeper by a live broker"))
                #expect(try await zk.registrationOwner(1) == owner, "the live broker keeps its registration")
            }
        }

        @Test func restartAfterKillWaitsForTheStaleRegistration() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1], sessionTimeoutMs: 3000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let broker = cluster.broker(1)
                let oldOwner = try #require(try await zk.registrationOwner(1))
                await broker.kill9()
                #expect(try await zk.registrationOwner(1) == oldOwner, "the killed broker's session is still alive")
                let starts = broker.startedCount
                try broker.start()
                try await cluster.waitUntilStarted(broker, previousStarts: starts, timeout: .seconds(30))
                let newOwner = try #require(try await zk.registrationOwner(1))
                #expect(newOwner != oldOwner)
                #expect(broker.log.contains("waiting up to"))
            }
        }

        @Test func clusterIdMismatchRefusesToStartNamingTheDirectory() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1], sessionTimeoutMs: 2000) { cluster in
                let broker = cluster.broker(1)
                #expect(await broker.terminate() == 0)
                let meta = broker.logDirectory.appendingPathComponent("meta.properties")
                let text = try String(contentsOf: meta, encoding: .utf8)
                #expect(text.contains("broker.id=1"))
                #expect(text.contains("version=0"))
                let tampered = text.split(separator: "\n").map { $0.hasPrefix("cluster.id=") ? "cluster.id=someOtherCluster00000000" : String($0) }
                try (tampered.joined(separator: "\n") + "\n").write(to: meta, atomically: true, encoding: .utf8)

                try broker.start()
                let status = await broker.current?.waitForExit(timeout: .seconds(20))
                #expect(status == 1)
                #expect(broker.log.contains("doesn't match stored clusterId someOtherCluster00000000"))
                #expect(broker.log.contains(broker.logDirectory.path))
            }
        }

        @Test func configurationErrorsNameTheKeyAndFile() async throws {
            let directory = try makeTemporaryDirectory(prefix: "bad-config")
            defer { try? FileManager.default.removeItem(at: directory) }
            let properties = directory.appendingPathComponent("server.properties")
            try "broker.id=1\nlog.dirs=\(directory.path)/data\n".write(to: properties, atomically: true, encoding: .utf8)
            let missing = try ChildProcess(name: "missing", executable: KafkaCluster.serverExecutable().path,
                                           arguments: [properties.path], logFile: directory.appendingPathComponent("a.log"))
            #expect(await missing.waitForExit(timeout: .seconds(10)) == 1)
            #expect(missing.log.contains("Missing required configuration \"zookeeper.connect\""))
            #expect(missing.log.contains(properties.path))

            try "broker.id=1\nzookeeper.connect=127.0.0.1:1\nnum.io.threads=eight\n".write(to: properties, atomically: true, encoding: .utf8)
            let malformed = try ChildProcess(name: "malformed", executable: KafkaCluster.serverExecutable().path,
                                             arguments: [properties.path], logFile: directory.appendingPathComponent("b.log"))
            #expect(await malformed.waitForExit(timeout: .seconds(10)) == 1)
            #expect(malformed.log.contains("Invalid value eight for configuration num.io.threads"))
            #expect(malformed.log.contains("\(properties.path):3"))

            let unreadable = try ChildProcess(name: "unreadable", executable: KafkaCluster.serverExecutable().path,
                                              arguments: [directory.appendingPathComponent("nope.properties").path],
                                              logFile: directory.appendingPathComponent("c.log"))
            #expect(await unreadable.waitForExit(timeout: .seconds(10)) == 1)
            #expect(unreadable.log.contains("nope.properties"))
        }

        @Test func unreachableZooKeeperFailsAfterTheConnectionTimeout() async throws {
            let directory = try makeTemporaryDirectory(prefix: "no-zk")
            defer { try? FileManager.default.removeItem(at: directory) }
            let properties = directory.appendingPathComponent("server.properties")
            try """
                broker.id=1
                zookeeper.connect=127.0.0.1:\(freeLoopbackPorts(1)[0])
                zookeeper.connection.timeout.ms=1000
                log.dirs=\(directory.path)/data
                """.write(to: properties, atomically: true, encoding: .utf8)
            let broker = try ChildProcess(name: "no-zk", executable: KafkaCluster.serverExecutable().path,
                                          arguments: [properties.path], logFile: directory.appendingPathComponent("log"))
            #expect(await broker.waitForExit(timeout: .seconds(15)) == 1)
            #expect(broker.log.contains("Fatal error during KafkaServer startup"))
        }
    }
}
