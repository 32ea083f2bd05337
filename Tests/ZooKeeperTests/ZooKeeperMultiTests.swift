import Foundation
import KafkaTestKit
import Testing
import ZooKeeper

@Suite("ZooKeeper multi against a real server")
struct ZooKeeperMultiTests {
    @Test func multiAppliesEveryOperation() async throws {
        let (zk, base) = try await connectedClient()
        defer { Task { await zk.close() } }
        try await zk.create(base)
        try await zk.create(base + "/epoch", data: Array("1".utf8))
        try await zk.create(base + "/old")
        let results = try await zk.multi([
            .check(path: base + "/epoch", version: 0),
            .create(path: base + "/controller", data: Array("c".utf8), mode: .ephemeral),
            .create(path: base + "/seq-", data: [], mode: .persistentSequential),
            .setData(path: base + "/epoch", data: Array("2".utf8), version: 0),
            .delete(path: base + "/old"),
        ])
        #expect(results.count == 5)
        #expect(results[0] == .checked)
        #expect(results[1] == .created(path: base + "/controller"))
        // The sequence number is the parent's child version: /epoch, /old and /controller came first.
        #expect(results[2] == .created(path: base + "/seq-0000000003"))
        guard case .setData(let stat) = results[3] else { Issue.record("no stat: \(results[3])"); return }
        #expect(stat.version == 1)
        #expect(results[4] == .deleted)
        #expect(try await zk.data(base + "/epoch").data == Array("2".utf8))
        #expect(try await zk.exists(base + "/old") == nil)
        #expect(try await zk.exists(base + "/controller")?.ephemeralOwner == zk.sessionId)
    }

    @Test func multiIsAtomic() async throws {
        let (zk, base) = try await connectedClient()
        defer { Task { await zk.close() } }
        try await zk.create(base)
        try await zk.create(base + "/epoch", data: Array("5".utf8))
        try await zk.setData(base + "/epoch", data: Array("6".utf8))
        do {
            _ = try await zk.multi([
                .create(path: base + "/a", data: []),
                .check(path: base + "/epoch", version: 0),
                .setData(path: base + "/epoch", data: Array("7".utf8), version: 1),
            ])
            Issue.record("the stale version check must fail the transaction")
        } catch let error as ZooKeeperError {
            #expect(error.code == .badVersion)
            #expect(error.path == base + "/epoch")
            #expect(error.opResults.count == 3)
            #expect(error.opResults[1] == .error(.badVersion))
        }
        #expect(try await zk.exists(base + "/a") == nil, "nothing of a failed multi is applied")
        #expect(try await zk.data(base + "/epoch").data == Array("6".utf8))
        #expect(try await zk.multi([]) == [])
    }
}
