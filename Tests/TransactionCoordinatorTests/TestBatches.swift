import KafkaRecords
import NIOCore

/// Record batches as the coordinator writes them to `__transaction_state` (no producer id).
enum TestBatches {
    static func batch(baseOffset: Int64, records: [(ByteBuffer?, ByteBuffer?)], timestamp: Int64 = 1) throws -> RecordBatch {
        var builder = MemoryRecordsBuilder(baseOffset: baseOffset)
        for (key, value) in records { builder.append(timestamp: timestamp, key: key, value: value) }
        return try RecordBatch(builder.build())
    }
}
