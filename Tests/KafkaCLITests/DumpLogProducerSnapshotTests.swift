import Foundation
import KafkaTestKit
import Testing

@testable import kafka

/// `kafka dump-log` on the producer state snapshots a Kafka 2.3.0 broker wrote
/// (`shared/fixtures/kafka-2.3.0/disk/transactions/`, copies in `Fixtures/transactions`) prints
/// what Kafka 2.3's DumpLogSegments printed for them (`<file>.dump.txt`), byte for byte.
@Suite struct DumpLogProducerSnapshotTests {
    static func fixture(_ name: String, file: String = #filePath) throws -> String {
        let (relative, copy) = ("disk/transactions", "Tests/KafkaCLITests/Fixtures/transactions")
        let folder = try #require(KafkaFixtures.directory(relative, localCopy: copy, holding: name, testFile: file),
                                  "no fixture \(name) among \(KafkaFixtures.candidates(relative, localCopy: copy, testFile: file).map(\.path))")
        return folder.appendingPathComponent(name).path
    }

    @Test(arguments: [
        "fx-txn-0/00000000000000000064.snapshot", "__transaction_state-15/00000000000000000014.snapshot",
    ])
    func printsWhatKafkaPrinted(name: String) throws {
        let path = try Self.fixture(name)
        let kafka = try String(contentsOfFile: path + ".dump.txt", encoding: .utf8)
        // Kafka's first line is "Dumping <the path it was given>"; the rest is the file's dump.
        let body = String(kafka[kafka.index(after: try #require(kafka.firstIndex(of: "\n")))...])
        #expect(try DumpLogCommand.dumpProducerSnapshot(path: path) == body)
    }

    /// The transaction index of the same partition (one aborted transaction).
    @Test func printsTheTransactionIndexAsKafkaDid() throws {
        let path = try Self.fixture("fx-txn-0/00000000000000000000.txnindex")
        let kafka = try String(contentsOfFile: path + ".dump.txt", encoding: .utf8)
        let body = String(kafka[kafka.index(after: try #require(kafka.firstIndex(of: "\n")))...])
        #expect(try DumpLogCommand.dumpTransactionIndex(path: path) == body)
    }
}
