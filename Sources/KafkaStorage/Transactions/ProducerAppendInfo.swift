import KafkaCommon
import KafkaRecords

/// The checks and state changes of one producer's batches in one append, before anything is
/// written: starts from the producer's current entry and builds the entry the producer will have
/// once the append is written. Kafka's `ProducerAppendInfo`, as a value.
///
/// How much is checked depends on who appends (`ValidationType`):
/// - `.full` (a producer's Produce on the leader): epoch and sequence.
/// - `.epochOnly` (a producer's batch to `__consumer_offsets`, which carries no sequence):
///   epoch only.
/// - `.none` (the broker's coordinators, a follower's fetch, recovery and replay of the log):
///   nothing; the leader checked.
///
/// Sequence rules (Kafka 2.3), for a data batch with epoch `e` and first sequence `s`:
/// 1. `e` older than the producer's epoch: INVALID_PRODUCER_EPOCH (also for markers, which
///    are checked on the leader whoever appends them, with their coordinator epoch).
/// 2. `e` newer than the producer's epoch: `s` must be 0; otherwise OUT_OF_ORDER_SEQUENCE_NUMBER
///    when the partition knows the producer, UNKNOWN_PRODUCER_ID when it does not (its state
///    was never there, or expired, or its last batch fell below the log start offset).
/// 3. Same epoch: `s` must follow the last sequence by one (`Int32.max` is followed by 0);
///    after a marker only (no sequence known), `s` must be 0. OUT_OF_ORDER_SEQUENCE_NUMBER else.
///
/// A retry of one of the last five batches never gets here: the log finds it first
/// (`ProducerStateEntry.duplicateBatch`) and answers with the original offsets.
public struct ProducerAppendInfo: Sendable {
    public enum ValidationType: Sendable, Hashable {
        case none
        case epochOnly
        case full
    }

    public let topicPartition: TopicPartition
    public let producerId: Int64
    /// The producer's state before this append.
    public let currentEntry: ProducerStateEntry
    public let validationType: ValidationType
    /// Whether markers are checked (epoch, coordinator epoch): on the leader, whoever appends
    /// them (the coordinator's WriteTxnMarkers); not on followers nor in replay.
    public let validatesMarkers: Bool
    /// The producer's state with this append's batches; its `batches` hold only the new ones.
    public private(set) var updatedEntry: ProducerStateEntry
    /// Transactions this append began (at most one per producer and append on a leader).
    public private(set) var startedTransactions: [TxnMetadata] = []

    public init(
        topicPartition: TopicPartition, producerId: Int64, currentEntry: ProducerStateEntry, validationType: ValidationType,
        validatesMarkers: Bool
    ) {
        self.topicPartition = topicPartition
        self.producerId = producerId
        self.currentEntry = currentEntry
        self.validationType = validationType
        self.validatesMarkers = validatesMarkers
        self.updatedEntry = ProducerStateEntry(
            producerId: producerId, batches: [], producerEpoch: currentEntry.producerEpoch,
            coordinatorEpoch: currentEntry.coordinatorEpoch, currentTxnFirstOffset: currentEntry.currentTxnFirstOffset)
    }

    /// Applies one written (or about to be written) batch of this producer, with its final
    /// offsets. A control batch's marker ends the producer's transaction and returns it; an
    /// empty control batch (cleaned away) changes nothing.
    public mutating func append(_ batch: RecordBatch) throws(ProducerStateError) -> CompletedTransaction? {
        if batch.isControlBatch {
            let marker: EndTransactionMarker
            let timestamp: Int64
            do {
                var records = try batch.records()
                guard let record = try records.next() else { return nil }
                marker = try EndTransactionMarker(record)
                timestamp = record.timestamp
            } catch {
                throw .corruptMarker("Invalid transaction marker at offset \(batch.baseOffset) in partition \(topicPartition): \(error)")
            }
            return try appendEndTxnMarker(marker, producerEpoch: batch.producerEpoch, offset: batch.baseOffset, timestamp: timestamp)
        }
        try appendDataBatch(
            epoch: batch.producerEpoch, firstSequence: batch.baseSequence, lastSequence: batch.lastSequence,
            lastTimestamp: batch.maxTimestamp, firstOffset: batch.baseOffset, lastOffset: batch.lastOffset,
            isTransactional: batch.isTransactional)
        return nil
    }

    /// A data batch: checks it (see the type's rules), records it, and begins a transaction when
    /// it is the producer's first transactional batch since its last marker.
    public mutating func appendDataBatch(
        epoch: Int16, firstSequence: Int32, lastSequence: Int32, lastTimestamp: Int64, firstOffset: Int64, lastOffset: Int64,
        isTransactional: Bool
    ) throws(ProducerStateError) {
        switch validationType {
        case .none: break
        case .epochOnly: try checkProducerEpoch(epoch, offset: firstOffset)
        case .full:
            try checkProducerEpoch(epoch, offset: firstOffset)
            try checkSequence(epoch: epoch, firstSequence: firstSequence, offset: firstOffset)
        }
        updatedEntry.addBatch(epoch: epoch, lastSequence: lastSequence, lastOffset: lastOffset,
                              offsetDelta: Int32(truncatingIfNeeded: lastOffset - firstOffset), timestamp: lastTimestamp)
        switch (updatedEntry.currentTxnFirstOffset, isTransactional) {
        case (.some, false):
            if validationType != .none {
                throw .invalidTxnState("Expected transactional write from producer \(producerId) at offset \(firstOffset) in partition \(topicPartition)")
            }
        case (nil, true):
            updatedEntry.currentTxnFirstOffset = firstOffset
            startedTransactions.append(TxnMetadata(producerId: producerId, firstOffset: firstOffset))
        default:
            break
        }
    }

    /// A COMMIT or ABORT marker at `offset`: ends the producer's transaction (one that wrote no
    /// data here begins and ends at the marker) and returns it.
    public mutating func appendEndTxnMarker(
        _ marker: EndTransactionMarker, producerEpoch: Int16, offset: Int64, timestamp: Int64
    ) throws(ProducerStateError) -> CompletedTransaction {
        if validatesMarkers {
            try checkProducerEpoch(producerEpoch, offset: offset)
            if updatedEntry.coordinatorEpoch > marker.coordinatorEpoch {
                throw .transactionCoordinatorFenced(
                    "Invalid coordinator epoch for producerId \(producerId) at offset \(offset) in partition \(topicPartition): "
                        + "\(marker.coordinatorEpoch) (zombie), \(updatedEntry.coordinatorEpoch) (current)")
            }
        }
        updatedEntry.maybeUpdateEpoch(producerEpoch)
        let firstOffset: Int64
        if let open = updatedEntry.currentTxnFirstOffset {
            firstOffset = open
        } else {
            firstOffset = offset
            startedTransactions.append(TxnMetadata(producerId: producerId, firstOffset: offset))
        }
        updatedEntry.currentTxnFirstOffset = nil
        updatedEntry.coordinatorEpoch = marker.coordinatorEpoch
        _ = timestamp  // Kafka 2.3 keeps no marker timestamp: expiry measures from the last data batch.
        return CompletedTransaction(producerId: producerId, firstOffset: firstOffset, lastOffset: offset, isAborted: marker.type == .abort)
    }

    private func checkProducerEpoch(_ epoch: Int16, offset: Int64) throws(ProducerStateError) {
        guard epoch < updatedEntry.producerEpoch else { return }
        throw .invalidProducerEpoch(
            "Producer's epoch at offset \(offset) is no longer valid in partition \(topicPartition): \(epoch) (request epoch), "
                + "\(updatedEntry.producerEpoch) (current epoch)")
    }

    private func checkSequence(epoch: Int16, firstSequence: Int32, offset: Int64) throws(ProducerStateError) {
        if epoch != updatedEntry.producerEpoch {
            guard firstSequence != 0 else { return }
            if updatedEntry.producerEpoch != RecordBatch.noProducerEpoch {
                throw .outOfOrderSequence(
                    "Invalid sequence number for new epoch at offset \(offset) in partition \(topicPartition): \(epoch) (request epoch), "
                        + "\(firstSequence) (seq. number)")
            }
            throw .unknownProducerId(
                "Found no record of producerId=\(producerId) on the broker at offset \(offset)in partition \(topicPartition). "
                    + "It is possible that the last message with the producerId=\(producerId) has been removed due to hitting the retention limit.")
        }
        let currentLastSequence: Int32
        if !updatedEntry.isEmpty {
            currentLastSequence = updatedEntry.lastSequence
        } else if epoch == currentEntry.producerEpoch {
            currentLastSequence = currentEntry.lastSequence
        } else {
            currentLastSequence = RecordBatch.noSequence
        }
        if currentLastSequence == RecordBatch.noSequence, firstSequence != 0 {
            throw .outOfOrderSequence(
                "Out of order sequence number for producerId \(producerId): found \(firstSequence) (incoming seq. number), but expected 0")
        }
        if currentLastSequence != RecordBatch.noSequence, !Self.inSequence(last: currentLastSequence, next: firstSequence) {
            throw .outOfOrderSequence(
                "Out of order sequence number for producerId \(producerId) at offset \(offset) in partition \(topicPartition): "
                    + "\(firstSequence) (incoming seq. number), \(currentLastSequence) (current end sequence number)")
        }
    }

    /// `next` follows `last`: one more, or 0 after `Int32.max`.
    static func inSequence(last: Int32, next: Int32) -> Bool {
        Int64(next) == Int64(last) + 1 || (next == 0 && last == Int32.max)
    }
}
