import Foundation
import KafkaTestKit
import Testing
import ZooKeeper

@Suite("ZooKeeper operations against a real server")
struct ZooKeeperOperationTests {
    @Test func createReadUpdateDelete() async throws {
        let (zk, base) = try await connectedClient()
        defer { Task { await zk.close() } }
        let created = try await zk.create(base, data: Array("hello".utf8))
        #expect(created == base)
        let (data, stat) = try await zk.data(base)
        #expect(data == Array("hello".utf8))
        #expect(stat.version == 0)
        #expect(stat.dataLength == 5)
        #expect(!stat.isEphemeral)

        let updated = try await zk.setData(base, data: Array("world".utf8), version: ZkVersion(stat.version))
        #expect(updated.version == 1)
        #expect(try await zk.data(base).data == Array("world".utf8))
        #expect(try await zk.exists(base)?.version == 1)

        try await zk.delete(base, version: 1)
        #expect(try await zk.exists(base) == nil)
    }

    @Test func errorsAreTyped() async throws {
        let (zk, base) = try await connectedClient()
        defer { Task { await zk.close() } }
        try await zk.create(base)
        try await zk.create(base + "/child")

        await #expect(throws: ZooKeeperError(.nodeExists, path: base)) { try await zk.create(base) }
        await #expect(throws: ZooKeeperError(.noNode, path: base + "/missing")) { try await zk.data(base + "/missing") }
        await #expect(throws: ZooKeeperError(.noNode, path: base + "/a/b")) { try await zk.create(base + "/a/b") }
        await #expect(throws: ZooKeeperError(.notEmpty, path: base)) { try await zk.delete(base) }
        await #expect(throws: ZooKeeperError(.badVersion, path: base)) {
            try await zk.setData(base, data: [1], version: 7)
        }
        await #expect(throws: ZooKeeperError(.badVersion, path: base + "/child")) {
            try await zk.delete(base + "/child", version: 3)
        }
        try await zk.create(base + "/eph", mode: .ephemeral)
        await #expect(throws: ZooKeeperError(.noChildrenForEphemerals, path: base + "/eph/x")) {
            try await zk.create(base + "/eph/x")
        }
        await #expect(throws: ZooKeeperError(.badArguments, path: "no-slash")) { try await zk.create("no-slash") }
    }

    @Test func ephemeralAndSequentialNodes() async throws {
        let (zk, base) = try await connectedClient()
        try await zk.create(base)
        let first = try await zk.create(base + "/isr_change_", data: [], mode: .persistentSequential)
        let second = try await zk.create(base + "/isr_change_", data: [], mode: .persistentSequential)
        #expect(first == base + "/isr_change_0000000000")
        #expect(second == base + "/isr_change_0000000001")
        let ephemeral = try await zk.create(base + "/eph", mode: .ephemeral)
        let stat = try #require(try await zk.exists(ephemeral))
        #expect(stat.ephemeralOwner == zk.sessionId)
        let (names, parent) = try await zk.children(base)
        #expect(Set(names) == ["isr_change_0000000000", "isr_change_0000000001", "eph"])
        #expect(parent.numChildren == 3)
        await zk.close()

        let (other, _) = try await connectedClient()
        defer { Task { await other.close() } }
        #expect(try await other.exists(base + "/eph") == nil, "the ephemeral node goes with its session")
        #expect(try await other.exists(base + "/isr_change_0000000001") != nil)
    }

    @Test func createRecursiveCreatesParents() async throws {
        let (zk, base) = try await connectedClient()
        defer { Task { await zk.close() } }
        try await zk.createRecursive(base + "/a/b/c", data: Array("leaf".utf8))
        try await zk.createRecursive(base + "/a/b/c")
        #expect(try await zk.data(base + "/a/b/c").data == Array("leaf".utf8))
        #expect(try await zk.children(base + "/a").names == ["b"])
    }

    @Test func aclsAreApplied() async throws {
        let (zk, base) = try await connectedClient()
        defer { Task { await zk.close() } }
        try await zk.create(base, acl: .readUnsafe)
        await #expect(throws: ZooKeeperError(.noAuth, path: base)) { try await zk.setData(base, data: [1]) }
        await #expect(throws: ZooKeeperError(.noAuth, path: base + "/c")) { try await zk.create(base + "/c") }
        #expect(try await zk.data(base).data == [])
    }

    @Test func chrootIsTransparent() async throws {
        let (root, base) = try await connectedClient()
        defer { Task { await root.close() } }
        try await root.create(base)
        let (chrooted, _) = try await connectedClient(chroot: base)
        defer { Task { await chrooted.close() } }
        let recorder = EventRecorder(chrooted)

        let path = try await chrooted.create("/brokers", data: Array("x".utf8))
        #expect(path == "/brokers")
        #expect(try await root.data(base + "/brokers").data == Array("x".utf8))
        #expect(try await chrooted.children("/").names == ["brokers"])

        _ = try await chrooted.data("/brokers", watch: true)
        try await root.setData(base + "/brokers", data: [])
        try await waitUntil("the chrooted watch") { recorder.watches.contains(WatchedEvent(kind: .nodeDataChanged, path: "/brokers")) }
    }
}
