import Foundation
import KafkaTestKit
import Testing
import ZooKeeper

@Suite("ZooKeeper watches against a real server")
struct ZooKeeperWatchTests {
    @Test func dataWatchFiresOnceUntilRearmed() async throws {
        let (zk, base) = try await connectedClient()
        defer { Task { await zk.close() } }
        let (writer, _) = try await connectedClient()
        defer { Task { await writer.close() } }
        let recorder = EventRecorder(zk)
        try await zk.create(base, data: [0])

        _ = try await zk.data(base, watch: true)
        try await writer.setData(base, data: [1])
        try await writer.setData(base, data: [2])
        try await waitUntil("the data watch") { !recorder.watches.isEmpty }
        // A marker write through the watching client proves both changes were seen by then.
        try await zk.create(base + "-marker")
        try await writer.setData(base, data: [3])
        _ = try await zk.data(base + "-marker")
        #expect(recorder.watches == [WatchedEvent(kind: .nodeDataChanged, path: base)])

        _ = try await zk.data(base, watch: true)
        try await writer.delete(base)
        try await waitUntil("the re-armed watch") { recorder.watches.count == 2 }
        #expect(recorder.watches.last == WatchedEvent(kind: .nodeDeleted, path: base))
        try await zk.delete(base + "-marker")
    }

    @Test func childrenWatch() async throws {
        let (zk, base) = try await connectedClient()
        defer { Task { await zk.close() } }
        let recorder = EventRecorder(zk)
        try await zk.create(base)
        _ = try await zk.children(base, watch: true)
        try await zk.setData(base, data: [9])
        try await zk.create(base + "/1", mode: .ephemeral)
        try await waitUntil("the children watch") { !recorder.watches.isEmpty }
        #expect(recorder.watches == [WatchedEvent(kind: .nodeChildrenChanged, path: base)],
                "a children watch ignores data changes of the parent")
    }

    @Test func existsWatchOnMissingNodeSeesCreation() async throws {
        let (zk, base) = try await connectedClient()
        defer { Task { await zk.close() } }
        let recorder = EventRecorder(zk)
        #expect(try await zk.exists(base, watch: true) == nil)
        let (other, _) = try await connectedClient()
        try await other.create(base, mode: .ephemeral)
        try await waitUntil("the creation") { recorder.watches == [WatchedEvent(kind: .nodeCreated, path: base)] }
        #expect(try await zk.exists(base, watch: true) != nil)
        await other.close()
        try await waitUntil("the deletion with the other session") { recorder.watches.count == 2 }
        #expect(recorder.watches.last == WatchedEvent(kind: .nodeDeleted, path: base))
    }
}
