import Foundation
import KafkaTestKit
import Testing
import ZooKeeper

/// `children(_:watch:thenDataOf:)`: a children read and data reads in one batch (the controller's
/// broker-change read), each with its own outcome, the children watch armed as by `children`.
@Suite("ZooKeeper children-then-data batch against a real server")
struct ZooKeeperChildrenThenDataTests {
    @Test func childrenAndEachDataReadHaveTheirOwnOutcome() async throws {
        let (zk, base) = try await connectedClient()
        defer { Task { await zk.close() } }
        try await zk.create(base)
        try await zk.create(base + "/1", data: Array("one".utf8))
        try await zk.create(base + "/2", data: Array("two".utf8))

        let (children, data) = await zk.children(base, watch: false, thenDataOf: [base + "/2", base + "/3", base + "/1"])
        #expect(try children.get().sorted() == ["1", "2"])
        #expect(data.count == 3)
        #expect(try data[0].get().data == Array("two".utf8))
        guard case .failure(let missing) = data[1] else {
            Issue.record("a missing znode should fail its own read")
            return
        }
        #expect(missing == ZooKeeperError(.noNode, path: base + "/3"))
        #expect(try data[2].get().data == Array("one".utf8))

        let (none, nothing) = await zk.children(base + "/absent", watch: false, thenDataOf: [])
        #expect(nothing.isEmpty)
        guard case .failure(let absent) = none else {
            Issue.record("the children of a missing znode should fail")
            return
        }
        #expect(absent.code == .noNode)
    }

    /// The children watch armed by the batch fires when a child is added.
    @Test func theChildrenWatchFires() async throws {
        let (zk, base) = try await connectedClient()
        defer { Task { await zk.close() } }
        try await zk.create(base)
        try await zk.create(base + "/1")
        let recorder = EventRecorder(zk)
        _ = await zk.children(base, watch: true, thenDataOf: [base + "/1"])
        try await zk.create(base + "/2")
        let deadline = ContinuousClock.now + .seconds(30)
        while !recorder.watches.contains(where: { $0.path == base && $0.kind == .nodeChildrenChanged }) {
            #expect(ContinuousClock.now < deadline, "the children watch should fire")
            if ContinuousClock.now >= deadline { return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
