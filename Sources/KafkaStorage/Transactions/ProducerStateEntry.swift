import KafkaRecords

/// One producer id's state in one partition: its epoch, the metadata of its last (up to) five
/// batches, the epoch of the coordinator that wrote its last marker and the first offset of its
/// open transaction. Kafka's `ProducerStateEntry`, as a value.
///
/// Invariants: `batches` holds at most `batchesToRetain` entries, oldest (lowest sequence)
/// first, all written under `producerEpoch`: a new epoch empties it. An entry loaded from a
/// snapshot holds only the last batch (the snapshot keeps no more).
public struct ProducerStateEntry: Sendable, Equatable {
    /// How many batches are kept per producer: the producer's `max.in.flight.requests.per.connection`
    /// limit for idempotence is 5, so a retry is always of one of the last five.
    public static let batchesToRetain = 5

    public let producerId: Int64
    public private(set) var batches: [BatchMetadata]
    public var producerEpoch: Int16
    /// −1 until a marker was written for this producer.
    public var coordinatorEpoch: Int32
    public var currentTxnFirstOffset: Int64?

    /// A producer the partition has no state for (epoch −1, no batch).
    public init(producerId: Int64) {
        self.init(producerId: producerId, batches: [], producerEpoch: RecordBatch.noProducerEpoch, coordinatorEpoch: -1,
                  currentTxnFirstOffset: nil)
    }

    public init(producerId: Int64, batches: [BatchMetadata], producerEpoch: Int16, coordinatorEpoch: Int32, currentTxnFirstOffset: Int64?) {
        self.producerId = producerId
        self.batches = Array(batches.suffix(Self.batchesToRetain))
        self.producerEpoch = producerEpoch
        self.coordinatorEpoch = coordinatorEpoch
        self.currentTxnFirstOffset = currentTxnFirstOffset
    }

    public var isEmpty: Bool { batches.isEmpty }
    public var firstSequence: Int32 { batches.first?.firstSequence ?? RecordBatch.noSequence }
    public var lastSequence: Int32 { batches.last?.lastSequence ?? RecordBatch.noSequence }
    /// The offset of the first record of the oldest batch kept, −1 when none.
    public var firstDataOffset: Int64 { batches.first?.firstOffset ?? -1 }
    /// The offset of the last record of the last batch, −1 when none.
    public var lastDataOffset: Int64 { batches.last?.lastOffset ?? -1 }
    public var lastOffsetDelta: Int32 { batches.last?.offsetDelta ?? 0 }
    /// The last batch's max timestamp: what expiry measures idleness from (−1 when none).
    public var lastTimestamp: Int64 { batches.last?.timestamp ?? RecordBatch.noTimestamp }

    /// Records a batch, starting afresh when `epoch` is new.
    public mutating func addBatch(epoch: Int16, lastSequence: Int32, lastOffset: Int64, offsetDelta: Int32, timestamp: Int64) {
        maybeUpdateEpoch(epoch)
        append(BatchMetadata(lastSequence: lastSequence, lastOffset: lastOffset, offsetDelta: offsetDelta, timestamp: timestamp))
    }

    /// Moves to `epoch`, forgetting the batches of the old one; false when it is the current one.
    @discardableResult
    public mutating func maybeUpdateEpoch(_ epoch: Int16) -> Bool {
        guard producerEpoch != epoch else { return false }
        batches.removeAll()
        producerEpoch = epoch
        return true
    }

    private mutating func append(_ batch: BatchMetadata) {
        if batches.count == Self.batchesToRetain { batches.removeFirst() }
        batches.append(batch)
    }

    /// Takes on what an append produced (`ProducerAppendInfo.updatedEntry`): its epoch, its
    /// batches after the ones kept, its coordinator epoch and open transaction.
    public mutating func update(with next: ProducerStateEntry) {
        maybeUpdateEpoch(next.producerEpoch)
        for batch in next.batches { append(batch) }
        coordinatorEpoch = next.coordinatorEpoch
        currentTxnFirstOffset = next.currentTxnFirstOffset
    }

    /// Forgets the batches that end below `offset` (the log start offset moved past them).
    public mutating func removeBatches(endingBelow offset: Int64) {
        batches.removeAll { $0.lastOffset < offset }
    }

    /// The kept batch with exactly this sequence range under `epoch`: a retry of it.
    public func duplicateBatch(epoch: Int16, firstSequence: Int32, lastSequence: Int32) -> BatchMetadata? {
        guard epoch == producerEpoch else { return nil }
        return batches.first { $0.firstSequence == firstSequence && $0.lastSequence == lastSequence }
    }
}

extension ProducerStateEntry {
    /// The entry as a snapshot stores it (the last batch only; −1s and 0 when there is none).
    public var snapshotEntry: ProducerStateSnapshot.Entry {
        ProducerStateSnapshot.Entry(
            producerId: producerId, producerEpoch: producerEpoch, lastSequence: lastSequence, lastOffset: lastDataOffset,
            offsetDelta: lastOffsetDelta, timestamp: lastTimestamp, coordinatorEpoch: coordinatorEpoch,
            currentTxnFirstOffset: currentTxnFirstOffset)
    }

    /// The entry a snapshot line describes: one batch, unless the line has none (last offset −1).
    public init(_ entry: ProducerStateSnapshot.Entry) {
        let batches = entry.lastOffset >= 0
            ? [BatchMetadata(lastSequence: entry.lastSequence, lastOffset: entry.lastOffset, offsetDelta: entry.offsetDelta,
                             timestamp: entry.timestamp)]
            : []
        self.init(producerId: entry.producerId, batches: batches, producerEpoch: entry.producerEpoch,
                  coordinatorEpoch: entry.coordinatorEpoch, currentTxnFirstOffset: entry.currentTxnFirstOffset)
    }
}
