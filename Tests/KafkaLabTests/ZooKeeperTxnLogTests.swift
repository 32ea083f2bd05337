import Foundation
import KafkaTestKit
import Logging
@testable import KafkaLab
import Testing
import ZooKeeper

/// The transaction-log reader against the logs of a real ZooKeeper server: what a client did is
/// what the reader finds, in order, with nothing missed.
@Suite("ZooKeeper's transaction log, read back")
struct ZooKeeperTxnLogTests {
    static func connect(_ ensemble: ZooKeeperEnsemble) async throws -> ZooKeeperClient {
        var logger = Logger(label: "lab-tests")
        logger.logLevel = .warning
        return try await ZooKeeperClient.connect(
            ensemble.connectString, sessionTimeout: .seconds(6), connectionTimeout: .seconds(10), logger: logger)
    }

    static func dataDir(_ ensemble: ZooKeeperEnsemble) -> String {
        ensemble.servers[0].directory.appendingPathComponent("data").path
    }

    /// The operations of `transactions` on paths under `base`, with session events kept.
    static func operations(_ transactions: [ZooKeeperTxn], session: Int64) -> [[ZooKeeperTxn.Operation]] {
        transactions.filter { $0.sessionId == session }.map(\.operations)
    }

    @Test func everyWriteOfASessionIsReadBackInOrder() async throws {
        let ensemble = try await SharedZooKeeper.shared.get()
        let zk = try await Self.connect(ensemble)
        let session = zk.sessionId
        let base = "/lab-\(UUID().uuidString.prefix(8))"
        try await zk.create(base, data: Array("{\"a\":1}".utf8))
        try await zk.create(base + "/epoch", data: Array("1".utf8))
        try await zk.create(base + "/eph", data: [], mode: .ephemeral)
        try await zk.setData(base, data: Array("{\"a\":2}".utf8), version: 0)
        _ = try await zk.multi([
            .check(path: base + "/epoch", version: 0),
            .setData(path: base, data: Array("{\"a\":3}".utf8), version: 1),
        ])
        // A fenced write: the epoch is not at version 5, so nothing of the multi applies.
        await #expect(throws: ZooKeeperError.self) {
            _ = try await zk.multi([.check(path: base + "/epoch", version: 5), .delete(path: base + "/epoch")])
        }
        try await zk.delete(base + "/epoch")
        await zk.close()

        let read = try ZooKeeperTxnLog.read(directory: Self.dataDir(ensemble))
        #expect(read.map(\.zxid) == read.map(\.zxid).sorted(), "zxid order")
        let ours = Self.operations(read, session: session)
        try #require(ours.count == 9, "session open, 7 requests, close: \(ours)")
        guard case .createSession(let timeout) = ours[0].first else { Issue.record("\(ours[0])"); return }
        #expect(timeout == 6000)
        #expect(ours[1] == [.create(path: base, data: Array("{\"a\":1}".utf8), ephemeral: false)])
        #expect(ours[2] == [.create(path: base + "/epoch", data: Array("1".utf8), ephemeral: false)])
        #expect(ours[3] == [.create(path: base + "/eph", data: [], ephemeral: true)])
        #expect(ours[4] == [.setData(path: base, data: Array("{\"a\":2}".utf8), version: 1)])
        #expect(ours[5] == [.check(path: base + "/epoch", version: 1), .setData(path: base, data: Array("{\"a\":3}".utf8), version: 2)])
        #expect(ours[6] == [.error(code: -103), .error(code: -2)], "the fenced multi: BadVersion, the rest rolled back")
        #expect(ours[7] == [.delete(path: base + "/epoch")])
        #expect(ours[8] == [.closeSession(ephemerals: [base + "/eph"])])
        let close = try #require(read.last { $0.sessionId == session })
        #expect(close.cxid != 0, "closed by its client, not expired")
        let times = read.filter { $0.sessionId == session }.map(\.time)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(times == times.sorted() && times.allSatisfy { abs($0 - now) < 120_000 }, "leader's clock, ms")
    }

    @Test func aTornLastEntryEndsTheLogAndACorruptOneIsNamed() async throws {
        let ensemble = try await SharedZooKeeper.shared.get()
        let zk = try await Self.connect(ensemble)
        try await zk.create("/lab-torn-\(UUID().uuidString.prefix(8))", data: Array(repeating: 0x41, count: 64))
        await zk.close()
        let directory = URL(fileURLWithPath: Self.dataDir(ensemble)).appendingPathComponent("version-2")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("log.") }.sorted().last)
        let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(name)))
        let whole = try ZooKeeperTxnLog.read(bytes: bytes)
        try #require(whole.count >= 3)

        // Where the entries end: zero padding follows; cut the last entry in half.
        var end = 16
        var entries: [Int] = []
        while end + 12 <= bytes.count {
            let length = bytes[(end + 8)..<(end + 12)].reduce(0) { $0 << 8 | Int($1) }
            if length == 0 { break }
            entries.append(end)
            end += 8 + 4 + length + 1
        }
        let lastStart = try #require(entries.last)
        let torn = Array(bytes[..<(lastStart + (end - lastStart) / 2)])
        #expect(try ZooKeeperTxnLog.read(bytes: torn).count == whole.count - 1)

        var corrupt = bytes
        corrupt[entries[1] + 8 + 4 + 10] ^= 0xFF
        #expect(throws: ZooKeeperTxnLog.Failure.self) { try ZooKeeperTxnLog.read(bytes: corrupt, file: "log.1") }
        do {
            _ = try ZooKeeperTxnLog.read(bytes: corrupt, file: "log.1")
        } catch let failure as ZooKeeperTxnLog.Failure {
            #expect(failure.description == "log.1 at byte \(entries[1]): checksum mismatch")
        }
        #expect(throws: ZooKeeperTxnLog.Failure.self) { try ZooKeeperTxnLog.read(bytes: Array("not a log".utf8)) }
    }

    @Test func adler32MatchesKnownValues() {
        #expect(ZooKeeperTxnLog.adler32([]) == 1)
        #expect(ZooKeeperTxnLog.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        // Long enough to need the periodic reduction.
        let long = [UInt8](repeating: 0xFF, count: 100_000)
        var a: UInt64 = 1, b: UInt64 = 0
        for byte in long { a = (a + UInt64(byte)) % 65521; b = (b + a) % 65521 }
        #expect(ZooKeeperTxnLog.adler32(long) == UInt32(b << 16 | a))
    }
}
