import Foundation
import KafkaTestKit
import Testing
import ZooKeeper

/// `data(batch:)`: many reads submitted at once and collected together, each with its own
/// outcome, in the order asked.
@Suite("ZooKeeper batched reads against a real server")
struct ZooKeeperBatchReadTests {
    @Test func eachReadHasItsOwnOutcomeInOrder() async throws {
        let (zk, base) = try await connectedClient()
        defer { Task { await zk.close() } }
        try await zk.create(base)
        try await zk.create(base + "/a", data: Array("alpha".utf8))
        try await zk.create(base + "/b", data: [])
        try await zk.setData(base + "/a", data: Array("alpha2".utf8))

        let results = await zk.data(batch: [base + "/a", base + "/missing", base + "/b", base + "/a"])
        #expect(results.count == 4)
        let first = try results[0].get()
        #expect(first.data == Array("alpha2".utf8) && first.stat.version == 1)
        guard case .failure(let missing) = results[1] else {
            Issue.record("a missing znode should fail its own read")
            return
        }
        #expect(missing == ZooKeeperError(.noNode, path: base + "/missing"))
        #expect(try results[2].get().data == [] && results[2].get().stat.version == 0)
        #expect(try results[3].get().data == Array("alpha2".utf8), "the same path twice is read twice")
        #expect(await zk.data(batch: []).isEmpty)
    }

    /// More reads than any pipelining window, in one batch: all answered, each with its data.
    @Test func aThousandReadsInOneBatch() async throws {
        let (zk, base) = try await connectedClient()
        defer { Task { await zk.close() } }
        try await zk.create(base)
        let count = 1_000
        _ = try await zk.multi((0..<count).map { .create(path: "\(base)/n\($0)", data: Array("\($0)".utf8)) })
        let results = await zk.data(batch: (0..<count).map { "\(base)/n\($0)" })
        #expect(results.count == count)
        for (index, result) in results.enumerated() {
            #expect(try result.get().data == Array("\(index)".utf8))
        }
    }

    /// A watch armed by a batched read fires like one armed by a single read.
    @Test func aBatchedReadArmsWatches() async throws {
        let (zk, base) = try await connectedClient()
        defer { Task { await zk.close() } }
        try await zk.create(base)
        try await zk.create(base + "/w")
        let recorder = EventRecorder(zk)
        _ = await zk.data(batch: [base + "/w"], watch: true)
        try await zk.setData(base + "/w", data: [1])
        let deadline = ContinuousClock.now + .seconds(30)
        while !recorder.watches.contains(where: { $0.path == base + "/w" && $0.kind == .nodeDataChanged }) {
            #expect(ContinuousClock.now < deadline, "the data watch should fire")
            if ContinuousClock.now >= deadline { return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// A closed client answers every read of a batch at once, with `closing`.
    @Test func aClosedClientFailsEveryRead() async throws {
        let (zk, base) = try await connectedClient()
        await zk.close()
        let results = await zk.data(batch: [base + "/x", base + "/y"])
        #expect(results.count == 2)
        for result in results {
            guard case .failure(let error) = result else {
                Issue.record("a closed client should not read")
                continue
            }
            #expect(error.code == .closing)
        }
    }
}
