import Foundation
import KafkaStorage
import KafkaTestKit
import NIOCore
import Testing

/// `TransactionIndex`: the `.txnindex` format against Kafka 2.3's own file, the order check,
/// the search a `read_committed` fetch makes, truncation, reopening and corrupt files.
@Suite struct TransactionIndexTests {
    static let fixtureName = "fx-txn-0/00000000000000000000.txnindex"

    let directory: URL
    init() throws { directory = try makeTemporaryDirectory(prefix: "txnindex") }

    var path: String { directory.appendingPathComponent("00000000000000000100.txnindex").path }

    func entry(_ producerId: Int64, _ first: Int64, _ last: Int64, lso: Int64) -> AbortedTransaction {
        AbortedTransaction(producerId: producerId, firstOffset: first, lastOffset: last, lastStableOffset: lso)
    }

    /// A copy of Kafka's file (the fixture is read-only; the index opens read-write).
    func fixtureCopy() throws -> String {
        let source = try ProducerStateSnapshotTests.fixture(Self.fixtureName)
        let copy = directory.appendingPathComponent("00000000000000000000.txnindex").path
        try FileManager.default.copyItem(atPath: source, toPath: copy)
        return copy
    }

    @Test func readsKafkasFileAndWritesTheSameBytes() throws {
        let copy = try fixtureCopy()
        let index = try TransactionIndex(startOffset: 0, path: copy)
        try index.sanityCheck()
        let entries = try index.entries()
        #expect(entries == [entry(1, 32, 52, lso: 53)])

        var encoded = ByteBuffer()
        for entry in entries { TransactionIndex.write(entry, into: &encoded) }
        #expect(Array(encoded.readableBytesView) == (try fileBytes(ProducerStateSnapshotTests.fixture(Self.fixtureName))))

        // Written through the index, a fresh file holds the same bytes.
        let rewritten = try TransactionIndex(startOffset: 0, path: path)
        for entry in entries { try rewritten.append(entry) }
        #expect(try fileBytes(path) == (try fileBytes(copy)))

        // Kafka's dump line for the entry.
        let dump = try String(contentsOfFile: try ProducerStateSnapshotTests.fixture(Self.fixtureName) + ".dump.txt", encoding: .utf8)
        #expect(dump.contains("version: 0 producerId: 1 firstOffset: 32 lastOffset: 52 lastStableOffset: 53"))
    }

    @Test func fileIsCreatedOnTheFirstAppendAndReadBackOnReopen() throws {
        let index = try TransactionIndex(startOffset: 100, path: path)
        #expect(!index.isCreated)
        #expect(!fileExists(path))
        #expect(try index.entries().isEmpty)

        try index.append(entry(7, 100, 105, lso: 100))
        try index.append(entry(8, 101, 110, lso: 111))
        #expect(fileSize(path) == 2 * AbortedTransaction.entrySize)
        index.close()

        let reopened = try TransactionIndex(startOffset: 100, path: path)
        try reopened.sanityCheck()
        #expect(try reopened.entries() == [entry(7, 100, 105, lso: 100), entry(8, 101, 110, lso: 111)])
        // The order check knows the last entry read back.
        #expect(throws: StorageError.self) { try reopened.append(entry(9, 108, 110, lso: 111)) }
        try reopened.append(entry(9, 108, 120, lso: 121))
        #expect(reopened.count == 3)
    }

    @Test func lastOffsetsMustIncrease() throws {
        let index = try TransactionIndex(startOffset: 100, path: path)
        try index.append(entry(1, 100, 110, lso: 100))
        #expect(throws: StorageError.self) { try index.append(entry(2, 105, 110, lso: 111)) }
        #expect(throws: StorageError.self) { try index.append(entry(2, 105, 109, lso: 111)) }
        try index.append(entry(2, 105, 111, lso: 112))
        #expect(index.count == 2)
    }

    /// Kafka's search: an entry counts when its marker is at or after the fetch offset and its
    /// first record below the upper bound; the first entry whose LSO reaches the bound ends the
    /// search (complete), else the caller goes on to the next segment.
    @Test func collectsOverlappingTransactionsAndStopsAtTheBound() throws {
        let index = try TransactionIndex(startOffset: 0, path: path)
        try index.append(entry(1, 0, 10, lso: 0))
        try index.append(entry(2, 5, 20, lso: 11))
        try index.append(entry(3, 21, 30, lso: 31))
        try index.append(entry(4, 32, 40, lso: 41))

        let all = try index.collectAbortedTransactions(fetchOffset: 0, upperBoundOffset: 100)
        #expect(all.abortedTransactions.map(\.producerId) == [1, 2, 3, 4])
        #expect(!all.isComplete)

        let middle = try index.collectAbortedTransactions(fetchOffset: 11, upperBoundOffset: 25)
        #expect(middle.abortedTransactions.map(\.producerId) == [2, 3])
        #expect(middle.isComplete) // entry 3's LSO 31 ≥ 25

        let early = try index.collectAbortedTransactions(fetchOffset: 0, upperBoundOffset: 5)
        #expect(early.abortedTransactions.map(\.producerId) == [1])
        #expect(early.isComplete) // entry 2's LSO 11 ≥ 5: nothing later began below 5

        let none = try index.collectAbortedTransactions(fetchOffset: 41, upperBoundOffset: 50)
        #expect(none.abortedTransactions.isEmpty)
        #expect(!none.isComplete)
    }

    @Test func truncateDropsEntriesFromTheOffsetOn() throws {
        let index = try TransactionIndex(startOffset: 0, path: path)
        try index.append(entry(1, 0, 10, lso: 11))
        try index.append(entry(2, 11, 20, lso: 21))
        try index.append(entry(3, 21, 30, lso: 31))

        try index.truncateTo(20)
        #expect(try index.entries() == [entry(1, 0, 10, lso: 11)])
        #expect(fileSize(path) == AbortedTransaction.entrySize)
        // The order check follows the truncation.
        try index.append(entry(4, 15, 18, lso: 19))
        try index.truncateTo(100)
        #expect(try index.entries().map(\.producerId) == [1, 4])

        try index.truncateTo(0)
        #expect(try index.entries().isEmpty)
        try index.append(entry(5, 0, 3, lso: 4))
        #expect(index.count == 1)
    }

    @Test func resetEmptiesTheFile() throws {
        let index = try TransactionIndex(startOffset: 0, path: path)
        try index.append(entry(1, 0, 10, lso: 11))
        try index.reset()
        #expect(fileSize(path) == 0)
        #expect(try index.entries().isEmpty)
        try index.append(entry(1, 0, 5, lso: 6))
        #expect(index.count == 1)
    }

    @Test func lengthNotAMultipleOfTheEntrySizeIsCorruptNamingTheFile() throws {
        let copy = try fixtureCopy()
        try truncateFile(copy, to: 30)
        let index = try TransactionIndex(startOffset: 0, path: copy)
        #expect(throws: StorageError.corrupt(
            path: copy, message: "transaction index length 30 is not a multiple of the entry size 34")
        ) { try index.sanityCheck() }
    }

    @Test func entryBelowTheStartOffsetOrOfAnUnknownVersionIsCorrupt() throws {
        let copy = try fixtureCopy()
        let below = try TransactionIndex(startOffset: 60, path: copy)
        #expect(throws: StorageError.self) { try below.sanityCheck() }

        try overwrite(copy, at: 0, with: [0, 1])
        let future = try TransactionIndex(startOffset: 0, path: copy)
        #expect(throws: StorageError.self) { try future.sanityCheck() }
    }

    @Test func renameAndDeleteFollowTheFile() throws {
        let index = try TransactionIndex(startOffset: 100, path: path)
        // Renamed before it exists: the first append creates it under the new name.
        try index.rename(to: path + ".cleaned")
        try index.append(entry(1, 100, 101, lso: 102))
        #expect(fileExists(path + ".cleaned"))
        try index.rename(to: path)
        #expect(fileExists(path) && !fileExists(path + ".cleaned"))
        index.deleteIfExists()
        #expect(!fileExists(path))
    }
}
