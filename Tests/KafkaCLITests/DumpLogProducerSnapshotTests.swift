import Foundation
import Testing

@testable import kafka

/// `kafka dump-log` on the producer state snapshots a Kafka 2.3.0 broker wrote
/// (`shared/fixtures/kafka-2.3.0/disk/transactions/`, copies in `Fixtures/transactions`) prints
/// what Kafka 2.3's DumpLogSegments printed for them (`<file>.dump.txt`), byte for byte.
@Suite struct DumpLogProducerSnapshotTests {
    static func fixture(_ name: String, file: String = #filePath) throws -> String {
        let suite = URL(fileURLWithPath: file).deletingLastPathComponent()
        let repository = suite.deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            ProcessInfo.processInfo.environment["KAFKA_FIXTURES_DIR"].map { URL(fileURLWithPath: $0).appendingPathComponent("disk/transactions") },
            repository.deletingLastPathComponent().appendingPathComponent("shared/fixtures/kafka-2.3.0/disk/transactions"),
            suite.appendingPathComponent("Fixtures/transactions"),
        ].compactMap { $0 }.map { $0.appendingPathComponent(name).path }
        return try #require(candidates.first { FileManager.default.fileExists(atPath: $0) }, "no fixture \(name) among \(candidates)")
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
}
