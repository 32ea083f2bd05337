import Foundation
import KafkaTestKit
import NIOCore
import Testing
import TransactionCoordinator

@testable import kafka

/// `kafka dump-log --transaction-log-decoder` on the `__transaction_state` segment Apache Kafka
/// 2.3 wrote prints, byte for byte, what Kafka 2.3's `DumpLogSegments --print-data-log
/// --transaction-log-decoder` printed for it.
@Suite struct DumpLogTransactionLogDecoderTests {
    static func fixture(_ suffix: String, file: String = #filePath) throws -> String {
        let (relative, copy, name) = ("disk/transactions", "Tests/KafkaCLITests/Fixtures/transactions", "__transaction_state-15/00000000000000000000.log")
        let folder = try #require(KafkaFixtures.directory(relative, localCopy: copy, holding: name, testFile: file),
                                  "no fixture \(name) among \(KafkaFixtures.candidates(relative, localCopy: copy, testFile: file).map(\.path))")
        return folder.appendingPathComponent(name + suffix).path
    }

    @Test func dumpMatchesKafkas() throws {
        let kafka = try String(contentsOfFile: try Self.fixture(".dump.txt"), encoding: .utf8)
        // Kafka's first line names the file as it was given on its command line.
        let expected = String(kafka[kafka.index(after: try #require(kafka.firstIndex(of: "\n")))...])
        let text = try DumpLogCommand.dumpLog(path: try Self.fixture(""), printDataLog: true, transactionLogDecoder: true)
        #expect(text == expected)
    }

    @Test func theFlagImpliesPrintDataLog() throws {
        let command = try DumpLogCommand.parse(["--files", "x.log", "--transaction-log-decoder"])
        #expect(command.transactionLogDecoder && !command.printDataLog && !command.offsetsDecoder)
    }

    @Test func aTombstonePrintsItsKeyAndDelete() throws {
        let tombstone = try TransactionLogRecord(transactionalId: "fx-tx-1", transit: nil)
        let parsed = try TransactionLogMessageParser.parse(key: tombstone.keyBuffer, value: nil)
        #expect(parsed.key == "transactionalId=fx-tx-1" && parsed.payload == "<DELETE>")
        #expect(throws: (any Error).self) { _ = try TransactionLogMessageParser.parse(key: ByteBuffer(bytes: [0, 1, 0, 0]), value: nil) }
    }
}
