import Foundation
import KafkaStorage
import KafkaTestKit
import Testing

/// `ProducerStateSnapshot` against the snapshot files of a real Kafka 2.3.0 broker
/// (`disk/transactions` of the shared fixtures; copies in `Fixtures/disk/transactions`), with
/// the lines Kafka's DumpLogSegments printed for them.
@Suite struct ProducerStateSnapshotTests {
    static let transactional = "fx-txn-0/00000000000000000064.snapshot"
    static let transactionState = "__transaction_state-15/00000000000000000014.snapshot"

    /// `$KAFKA_FIXTURES_DIR/disk/transactions`, else the shared fixtures beside the repository,
    /// else the copies in `Fixtures/disk/transactions`.
    static func fixture(_ name: String, file: String = #filePath) throws -> String {
        let (relative, copy) = ("disk/transactions", "Tests/KafkaStorageTests/Fixtures/disk/transactions")
        let folder = try #require(KafkaFixtures.directory(relative, localCopy: copy, holding: name, testFile: file),
                                  "no fixture \(name) among \(KafkaFixtures.candidates(relative, localCopy: copy, testFile: file).map(\.path))")
        return folder.appendingPathComponent(name).path
    }

    static func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Kafka's dump lines for a snapshot, without the "Dumping <path>" header.
    static func dumpLines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path + ".dump.txt", encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("Dumping ") }
    }

    @Test func transactionalPartitionDecodesToKafkasFields() throws {
        let path = try Self.fixture(Self.transactional)
        let snapshot = try ProducerStateSnapshot.read(path: path)
        #expect(snapshot.entries == [
            .init(producerId: 1, producerEpoch: 0, lastSequence: 39, lastOffset: 62, offsetDelta: 9,
                  timestamp: 1_796_246_631_794, coordinatorEpoch: 0, currentTxnFirstOffset: nil),
            .init(producerId: 0, producerEpoch: 0, lastSequence: 19, lastOffset: 46, offsetDelta: 9,
                  timestamp: 1_796_246_631_780, coordinatorEpoch: -1, currentTxnFirstOffset: nil),
        ])
        #expect(snapshot.entries.map(\.firstSequence) == [30, 10])
        #expect(snapshot.entries.map(\.firstOffset) == [53, 37])
        #expect(snapshot.entries.map(\.dumpLine) == (try Self.dumpLines(path)))
    }

    @Test(arguments: [transactional, transactionState])
    func reencodesByteForByte(name: String) throws {
        let path = try Self.fixture(name)
        let original = try Self.bytes(path)
        let snapshot = try ProducerStateSnapshot.decode(original, path: path)
        #expect(snapshot.encoded == original)
        #expect(snapshot.entries.map(\.dumpLine) == (try Self.dumpLines(path)))
    }

    @Test func emptySnapshotOfTheTransactionStateLog() throws {
        let path = try Self.fixture(Self.transactionState)
        #expect(try ProducerStateSnapshot.read(path: path).entries.isEmpty)
        #expect(ProducerStateSnapshot(entries: []).encoded == (try Self.bytes(path)))
    }

    @Test func writeThenReadRoundTrips() throws {
        let directory = try makeTemporaryDirectory(prefix: "producer-snapshot")
        let snapshot = ProducerStateSnapshot(entries: [
            .init(producerId: 4000, producerEpoch: 3, lastSequence: Int32.max, lastOffset: 1 << 40, offsetDelta: 0,
                  timestamp: -1, coordinatorEpoch: 7, currentTxnFirstOffset: 12),
        ])
        let path = ProducerStateSnapshot.path(directory: directory.path, offset: 64)
        #expect(path.hasSuffix("/00000000000000000064.snapshot"))
        #expect(ProducerStateSnapshot.offset(fileName: "00000000000000000064.snapshot") == 64)
        #expect(ProducerStateSnapshot.offset(fileName: "00000000000000000064.log") == nil)
        try snapshot.write(path: path)
        #expect(try ProducerStateSnapshot.read(path: path) == snapshot)
        #expect(snapshot.entries[0].dumpLine.contains("currentTxnFirstOffset: Some(12)"))
    }

    @Test func badCrcIsCorruptNamingTheFile() throws {
        var bytes = try Self.bytes(try Self.fixture(Self.transactional))
        bytes[bytes.count - 20] ^= 0x01
        #expect(throws: StorageError.corrupt(
            path: "/logs/fx-txn-0/00000000000000000064.snapshot",
            message: "Snapshot is corrupt (CRC is no longer valid). Stored crc: 1251394429. Computed crc: \(Self.crc(bytes[6...]))")
        ) { try ProducerStateSnapshot.decode(bytes, path: "/logs/fx-txn-0/00000000000000000064.snapshot") }
    }

    @Test(arguments: [0, 5, 9, 57, 101])
    func shortFileIsCorrupt(length: Int) throws {
        let bytes = Array(try Self.bytes(try Self.fixture(Self.transactional)).prefix(length))
        let error = #expect(throws: StorageError.self) { try ProducerStateSnapshot.decode(bytes, path: "/logs/x.snapshot") }
        guard case .corrupt(let path, _) = error else { Issue.record("not corrupt: \(String(describing: error))"); return }
        #expect(path == "/logs/x.snapshot")
    }

    @Test func unknownVersionIsCorrupt() throws {
        var bytes = try Self.bytes(try Self.fixture(Self.transactional))
        bytes[1] = 2
        #expect(throws: StorageError.corrupt(path: "s", message: "Snapshot contained an unknown file version 2")) {
            try ProducerStateSnapshot.decode(bytes, path: "s")
        }
    }

    @Test func missingFileIsAnIoError() throws {
        #expect(throws: StorageError.self) { try ProducerStateSnapshot.read(path: "/nonexistent/00000000000000000000.snapshot") }
    }

    /// A count that disagrees with the entries under a valid CRC fails the schema check.
    @Test func entryCountDisagreeingWithTheFileIsCorrupt() throws {
        var bytes = try Self.bytes(try Self.fixture(Self.transactional))
        bytes[9] = 3
        let crc = Self.crc(bytes[6...])
        bytes[2...5] = [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        #expect(throws: StorageError.corrupt(
            path: "s", message: "Snapshot failed schema validation: 3 entries need 138 bytes, the file has 92")
        ) { try ProducerStateSnapshot.decode(bytes, path: "s") }
    }

    /// CRC-32C computed bit by bit, independently of the code under test.
    static func crc(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0x82F6_3B78 ^ (crc >> 1) : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
