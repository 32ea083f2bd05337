import Foundation
import KafkaCommon
import KafkaRecords
import KafkaTestKit
import NIOCore
import Testing
import TransactionCoordinator

/// The `__transaction_state-15` segment a Kafka 2.3.0 broker wrote (transactional id `fx-tx-1`:
/// four transactions, one aborted) and Kafka's `DumpLogSegments --transaction-log-decoder` dump of
/// it (`shared/fixtures/kafka-2.3.0/disk/transactions/`, copies in `Tests/KafkaCLITests/Fixtures/`).
enum TransactionLogFixture {
    static let name = "__transaction_state-15/00000000000000000000.log"

    static func path(_ suffix: String = "", file: String = #filePath) throws -> String {
        let (relative, copy) = ("disk/transactions", "Tests/KafkaCLITests/Fixtures/transactions")
        let folder = try #require(KafkaFixtures.directory(relative, localCopy: copy, holding: name, testFile: file),
                                  "no fixture \(name) among \(KafkaFixtures.candidates(relative, localCopy: copy, testFile: file).map(\.path))")
        return folder.appendingPathComponent(name + suffix).path
    }

    static func records() throws -> MemoryRecords {
        MemoryRecords(ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: try path()))))
    }

    /// One decoded record line of Kafka's dump.
    struct DumpedRecord: Equatable {
        var offset: Int64
        var transactionalId: String
        var producerId: Int64
        var producerEpoch: Int16
        var state: String
        var partitions: String
        var txnLastUpdateTimestamp: Int64
        var txnTimeoutMs: Int32
    }

    /// Kafka's decoded records, in log order.
    static func dumpedRecords() throws -> [DumpedRecord] {
        let text = try String(contentsOfFile: try path(".dump.txt"), encoding: .utf8)
        let pattern = /\| offset: (\d+) .* key: transactionalId=(\S+) payload: producerId:(\d+),producerEpoch:(-?\d+),state=(\w+),partitions=(Set\([^)]*\)),txnLastUpdateTimestamp=(\d+),txnTimeoutMs=(\d+)/
        return text.split(separator: "\n").compactMap { line in
            guard let match = try? pattern.firstMatch(in: String(line)) else { return nil }
            return DumpedRecord(
                offset: Int64(match.1)!, transactionalId: String(match.2), producerId: Int64(match.3)!, producerEpoch: Int16(match.4)!,
                state: String(match.5), partitions: String(match.6), txnLastUpdateTimestamp: Int64(match.7)!, txnTimeoutMs: Int32(match.8)!)
        }
    }

    /// Every record of the segment, with its offset, key and value bytes.
    static func rawRecords() throws -> [(offset: Int64, key: ByteBuffer?, value: ByteBuffer?)] {
        var result: [(Int64, ByteBuffer?, ByteBuffer?)] = []
        var batches = try records().batches
        while let batch = batches.next() {
            var records = try batch.records()
            while let record = try records.next() { result.append((record.offset, record.key, record.value)) }
        }
        return result
    }
}
