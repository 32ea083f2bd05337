import Foundation
import KafkaBroker
import KafkaCommon
import KafkaTestKit
import Testing

func makeTemporaryFile(_ contents: String) throws -> String {
    let directory = try makeTemporaryDirectory(prefix: "file")
    let path = directory.appendingPathComponent("server.properties").path
    try contents.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Suite struct BrokerMetadataCheckpointTests {
    @Test func writeThenRead() throws {
        let directory = try makeTemporaryDirectory(prefix: "meta")
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = BrokerMetadataCheckpoint(directory: directory.path)
        #expect(try checkpoint.read() == nil)
        try checkpoint.write(BrokerMetadata(brokerId: 3, clusterId: "Hq7nTEMxQ8KdyMx6tHa1Yw"))
        #expect(try checkpoint.read() == BrokerMetadata(brokerId: 3, clusterId: "Hq7nTEMxQ8KdyMx6tHa1Yw"))
        let text = try String(contentsOf: checkpoint.url, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines[0] == "#")
        #expect(lines[1].hasPrefix("#"))
        #expect(Array(lines.dropFirst(2)) == ["version=0", "broker.id=3", "cluster.id=Hq7nTEMxQ8KdyMx6tHa1Yw"])
        #expect(!FileManager.default.fileExists(atPath: checkpoint.url.path + ".tmp"))
    }

    @Test func readsKafkaFilesWithoutClusterIdAndRejectsOthers() throws {
        let directory = try makeTemporaryDirectory(prefix: "meta")
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = BrokerMetadataCheckpoint(directory: directory.path)
        try "#\n#Thu Jan 01 00:00:00 UTC 2026\nbroker.id=5\nversion=0\n".write(to: checkpoint.url, atomically: true, encoding: .utf8)
        #expect(try checkpoint.read() == BrokerMetadata(brokerId: 5, clusterId: nil))
        try "version=1\nbroker.id=5\n".write(to: checkpoint.url, atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try checkpoint.read() }
        try "version=0\nbroker.id=five\n".write(to: checkpoint.url, atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try checkpoint.read() }
    }

    @Test func lockIsExclusive() throws {
        let directory = try makeTemporaryDirectory(prefix: "lock")
        defer { try? FileManager.default.removeItem(at: directory) }
        let lock = try LogDirectoryLock(directory: directory.path)
        #expect(throws: ConfigError.self) { try LogDirectoryLock(directory: directory.path) }
        lock.release()
        let again = try LogDirectoryLock(directory: directory.path)
        again.release()
    }
}
