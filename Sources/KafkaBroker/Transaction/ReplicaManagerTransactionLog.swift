import KafkaCommon
import KafkaProtocol
import KafkaRecords
import NIOCore
import TransactionCoordinator

/// The transaction coordinator's access to its `__transaction_state` partitions on this broker
/// (the `replicaManager` calls of Kafka 2.3's `TransactionStateManager`).
///
/// Appends go through `ReplicaManager.appendRecords` as leader with acks=all, internal topics
/// allowed, uncompressed, and wait in the produce purgatory until replicated (or the timeout);
/// the partition's own error is returned, and the coordinator maps it
/// (`TransactionStateManager.coordinatorError(forAppendError:)`). Loads read the partition from
/// its log start to its log end in chunks of `transaction.state.log.load.buffer.size`, keeping
/// whole batches only, as the group coordinator's load does.
///
/// Isolation: immutable; the replica manager and the partition's log lock serialise the rest.
struct ReplicaManagerTransactionLog: TransactionLogAppender, TransactionLogReader {
    static let loadBufferSize = 5_242_880
    let replicaManager: ReplicaManager

    func append(_ records: [TransactionLogRecord], toPartition partition: Int32, timestamp: Int64, timeoutMs: Int32) async -> ErrorCode {
        var builder = MemoryRecordsBuilder()
        for record in records {
            builder.append(timestamp: timestamp, key: record.keyBuffer, value: record.valueBuffer)
        }
        let built: MemoryRecords
        do { built = try builder.buildRecords() } catch { return .unknownServerError }
        let tp = TopicPartition(TransactionStateManager.topic, partition)
        return await withCheckedContinuation { continuation in
            replicaManager.appendRecords(
                timeout: Int64(timeoutMs), requiredAcks: -1, internalTopicsAllowed: true, entriesPerPartition: [(tp, built)]
            ) { results in
                continuation.resume(returning: results.first?.response.errorCode ?? .unknownServerError)
            }
        }
    }

    func readAll(partition: Int32) async throws -> MemoryRecords? {
        guard let hosted = replicaManager.partition(TopicPartition(TransactionStateManager.topic, partition)) else { return nil }
        let (start, _, end) = hosted.offsets
        var all = ByteBuffer()
        var offset = start
        while offset < end {
            let bytes = try hosted.log.withLock { log in
                try log.readBytes(try log.read(startOffset: offset, maxLength: Self.loadBufferSize, minOneMessage: true))
            }
            var batches = MemoryRecords(bytes).batches
            var progressed = false
            while let batch = batches.next() {
                if batch.nextOffset <= offset { continue }
                offset = batch.nextOffset
                progressed = true
            }
            guard progressed else { break }
            var whole = bytes
            if let slice = whole.readSlice(length: batches.validBytes) { all.writeImmutableBuffer(slice) }
        }
        return MemoryRecords(all)
    }
}
