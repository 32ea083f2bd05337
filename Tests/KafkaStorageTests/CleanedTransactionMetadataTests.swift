import KafkaRecords
import Testing

@testable import KafkaStorage

/// The cleaner's transaction state as a value: which batches belong to aborted transactions and
/// which markers may go, for producers whose transactions interleave.
@Suite struct CleanedTransactionMetadataTests {
    typealias Decision = CleanedTransactionMetadata.ControlBatchDecision

    static func read(_ metadata: inout CleanedTransactionMetadata, _ producerId: Int64, _ lastOffset: Int64, transactional: Bool = true) -> Bool {
        metadata.onBatchRead(producerId: producerId, lastOffset: lastOffset, isTransactional: transactional)
    }

    static func marker(_ metadata: inout CleanedTransactionMetadata, _ producerId: Int64, _ lastOffset: Int64, _ type: ControlRecordType?) -> Decision {
        metadata.onControlBatchRead(producerId: producerId, lastOffset: lastOffset, type: type)
    }

    /// Producer 1 aborts [10, 20] while producer 2 commits [12, 18] and producer 3 writes plain
    /// idempotent batches in between; an aborted transaction given twice is taken once.
    @Test func interleavedTransactionsAreToldApart() {
        let aborted = AbortedTransaction(producerId: 1, firstOffset: 10, lastOffset: 20, lastStableOffset: 12)
        var metadata = CleanedTransactionMetadata(abortedTransactions: [aborted])
        #expect(!Self.read(&metadata, 1, 5), "before its first offset: committed")
        #expect(Self.marker(&metadata, 1, 6, .commit).canDiscard == false)
        #expect(Self.read(&metadata, 1, 11))
        #expect(!Self.read(&metadata, 2, 13))
        #expect(!Self.read(&metadata, 3, 14, transactional: false))
        #expect(!Self.read(&metadata, 1, 15, transactional: false), "a non-transactional batch never goes")
        metadata.addAbortedTransactions([aborted])
        #expect(Self.read(&metadata, 1, 16))
        #expect(Self.marker(&metadata, 2, 18, .commit) == .init(canDiscard: false))
        #expect(Self.marker(&metadata, 1, 20, .abort) == .init(canDiscard: false, abortedTransactionToIndex: aborted))
        #expect(metadata.ongoingAbortedTxns.isEmpty && metadata.ongoingCommittedTxns.isEmpty)
    }

    /// Markers whose transactions left no data in this pass may go; one of an unknown type never
    /// does; a control batch a cleaning emptied may.
    @Test func markersWithoutDataMayGo() {
        let aborted = AbortedTransaction(producerId: 1, firstOffset: 3, lastOffset: 3, lastStableOffset: 4)
        var metadata = CleanedTransactionMetadata(abortedTransactions: [aborted])
        #expect(Self.marker(&metadata, 1, 3, .abort) == .init(canDiscard: true))
        #expect(Self.marker(&metadata, 2, 4, .commit) == .init(canDiscard: true))
        #expect(Self.marker(&metadata, 2, 5, .unknown(7)) == .init(canDiscard: false))
        #expect(Self.marker(&metadata, 2, 6, nil) == .init(canDiscard: true))
    }
}
