import Foundation
import KafkaCommon
import KafkaStorage
import KafkaTestKit
import Logging
import Testing

/// `LeaderEpochFileCache` on its own: Kafka 2.3's assignment, lookup and truncation rules, and
/// the `leader-epoch-checkpoint` file byte for byte.
@Suite struct LeaderEpochFileCacheTests {
    let path: String
    let tp = TopicPartition("orders", 0)

    init() throws {
        path = try makeTemporaryDirectory(prefix: "epochs").appendingPathComponent("leader-epoch-checkpoint").path
    }

    func open(_ capture: LogCapture = LogCapture()) throws -> LeaderEpochFileCache {
        try LeaderEpochFileCache(topicPartition: tp, path: path, logger: capture.logger)
    }

    /// A cache holding `pairs` (epoch, start offset), assigned in order.
    func cache(_ pairs: [(Int32, Int64)], _ capture: LogCapture = LogCapture()) throws -> LeaderEpochFileCache {
        var cache = try open(capture)
        for (epoch, offset) in pairs { try cache.assign(epoch: epoch, startOffset: offset) }
        return cache
    }

    func text() throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func pairs(_ cache: LeaderEpochFileCache) -> [String] { cache.entries.map(\.line) }

    // MARK: Assignment

    @Test func assignAppendsNewEpochsOnly() throws {
        var cache = try open()
        #expect(cache.isEmpty && cache.latestEpoch == nil && cache.earliestEntry == nil)
        #expect(try cache.assign(epoch: 0, startOffset: 0))
        #expect(!(try cache.assign(epoch: 0, startOffset: 5)), "another batch of the latest epoch")
        #expect(!(try cache.assign(epoch: 0, startOffset: 0)))
        #expect(try cache.assign(epoch: 3, startOffset: 120))
        #expect(!(try cache.assign(epoch: 3, startOffset: 121)))
        #expect(pairs(cache) == ["0 0", "3 120"])
        #expect(cache.latestEpoch == 3 && cache.earliestEntry == EpochEntry(epoch: 0, startOffset: 0))
        #expect(try text() == "0\n2\n0 0\n3 120\n")
    }

    @Test func aLeaderChangeWithoutRecordsReplacesTheEntryQuietly() throws {
        let capture = LogCapture()
        var cache = try cache([(0, 0), (1, 5)], capture)
        try cache.assign(epoch: 2, startOffset: 5)
        #expect(pairs(cache) == ["0 0", "2 5"], "epoch 1 wrote nothing: epoch 2 starts where it did")
        #expect(!capture.messages.contains { $0.hasPrefix("warning") }, "\(capture.messages)")
    }

    @Test func outOfOrderAssignmentsTruncateConflictingEntriesAndWarn() throws {
        let capture = LogCapture()
        var cache = try cache([(0, 0), (2, 10), (4, 20)], capture)
        try cache.assign(epoch: 3, startOffset: 25)
        #expect(pairs(cache) == ["0 0", "2 10", "3 25"], "an epoch going backwards removes the higher ones")
        #expect(capture.contains("below the latest epoch"))
        #expect(capture.contains("truncated conflicting entries"))

        try cache.assign(epoch: 3, startOffset: 12)
        #expect(pairs(cache) == ["0 0", "2 10", "3 12"], "the latest epoch starting earlier moves its entry")
        #expect(capture.contains("below the latest start offset"))

        try cache.assign(epoch: 5, startOffset: 8)
        #expect(pairs(cache) == ["0 0", "5 8"], "every entry starting at or after the new one goes")
        #expect(try text() == "0\n2\n0 0\n5 8\n")
    }

    @Test func negativeEpochsAreRefused() throws {
        var cache = try open()
        #expect(throws: LogError.invalidLeaderEpoch(epoch: -1, startOffset: 3)) { try cache.assign(epoch: -1, startOffset: 3) }
        #expect(cache.isEmpty)
        #expect(fileSize(path) == 0)
    }

    // MARK: Lookup

    @Test func endOffsetForEachKindOfEpoch() throws {
        let cache = try cache([(1, 5), (3, 10), (5, 20)])
        #expect(cache.endOffset(for: -1, logEndOffset: 30) == (-1, -1), "UNDEFINED_EPOCH")
        #expect(cache.endOffset(for: 5, logEndOffset: 30) == (5, 30), "the latest epoch ends at the log end offset")
        #expect(cache.endOffset(for: 3, logEndOffset: 30) == (3, 20))
        #expect(cache.endOffset(for: 1, logEndOffset: 30) == (1, 10))
        #expect(cache.endOffset(for: 4, logEndOffset: 30) == (3, 20), "an unknown epoch: the largest one below it")
        #expect(cache.endOffset(for: 2, logEndOffset: 30) == (1, 10))
        #expect(cache.endOffset(for: 0, logEndOffset: 30) == (0, 5), "below the earliest: the requested epoch, ending where the earliest starts")
        #expect(cache.endOffset(for: 6, logEndOffset: 30) == (-1, -1), "above the latest")

        let empty = try LeaderEpochFileCache(topicPartition: tp, path: path + "-empty", logger: Logger(label: "test"))
        #expect(empty.endOffset(for: 0, logEndOffset: 30) == (-1, -1))
        #expect(empty.endOffset(for: -1, logEndOffset: 30) == (-1, -1))
    }

    // MARK: Truncation

    @Test func truncateFromEndRemovesEntriesStartingAtOrAfterTheOffset() throws {
        var cache = try cache([(0, 0), (1, 10), (2, 20)])
        try cache.truncateFromEnd(endOffset: 21)
        #expect(pairs(cache) == ["0 0", "1 10", "2 20"])
        try cache.truncateFromEnd(endOffset: -1)
        #expect(pairs(cache) == ["0 0", "1 10", "2 20"], "a negative offset changes nothing")
        try cache.truncateFromEnd(endOffset: 15)
        #expect(pairs(cache) == ["0 0", "1 10"])
        try cache.truncateFromEnd(endOffset: 10)
        #expect(pairs(cache) == ["0 0"])
        #expect(try text() == "0\n1\n0 0\n")
        try cache.truncateFromEnd(endOffset: 0)
        #expect(cache.isEmpty)
        #expect(try text() == "0\n0\n")
    }

    @Test func truncateFromStartMovesTheEarliestEntryUp() throws {
        var cache = try cache([(0, 0), (1, 10), (2, 20)])
        try cache.truncateFromStart(startOffset: 15)
        #expect(pairs(cache) == ["1 15", "2 20"], "epoch 1 still holds offsets 15 to 19")
        #expect(try text() == "0\n2\n1 15\n2 20\n")
        try cache.truncateFromStart(startOffset: 20)
        #expect(pairs(cache) == ["2 20"], "exclusive: the entry starting at 20 stays as it is")
        try cache.truncateFromStart(startOffset: 5)
        #expect(pairs(cache) == ["2 20"], "nothing starts at or below 5")
        try cache.truncateFromStart(startOffset: 42)
        #expect(pairs(cache) == ["2 42"])
    }

    @Test func clearAndFlushEmptiesTheFile() throws {
        var cache = try cache([(0, 0), (1, 10)])
        try cache.clearAndFlush()
        #expect(cache.isEmpty)
        #expect(try text() == "0\n0\n")
    }

    // MARK: The file

    @Test func entriesSurviveReopening() throws {
        do {
            _ = try cache([(0, 0), (3, 120)])
        }
        #expect(try text() == "0\n2\n0 0\n3 120\n")
        let reopened = try open()
        #expect(pairs(reopened) == ["0 0", "3 120"])
    }

    @Test func aMissingFileIsCreatedEmptyAsKafkaDoes() throws {
        #expect(!fileExists(path))
        let cache = try open()
        #expect(cache.isEmpty && fileExists(path) && fileSize(path) == 0)
        #expect(try open().isEmpty, "a 0-byte file is an empty cache")
    }

    @Test func aCorruptFileNamesTheFileAndLine() throws {
        try "0\n2\n0 0\nthree 120\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try open()
        } throws: { error in
            guard case StorageError.corrupt(let errorPath, let message) = error else { return false }
            return errorPath == path && message.contains("line 4")
        }
    }

    @Test func aClosedCacheRefusesChanges() throws {
        var cache = try cache([(0, 0)])
        cache.close()
        #expect(throws: StorageError.self) { try cache.assign(epoch: 1, startOffset: 5) }
        #expect(throws: StorageError.self) { try cache.truncateFromEnd(endOffset: 0) }
        #expect(throws: StorageError.self) { try cache.clearAndFlush() }
        #expect(!(try cache.assign(epoch: 0, startOffset: 7)), "a no-op needs no write")
        #expect(try text() == "0\n1\n0 0\n")
    }
}
