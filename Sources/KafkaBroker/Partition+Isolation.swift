import KafkaStorage

/// Reads under an isolation level: the last stable offset (LSO) and the aborted transactions a
/// `read_committed` reader needs.
///
/// LSO = min(first unstable offset, high watermark): the first offset of the oldest transaction
/// still open in the log (kept by the producer state), or the high watermark when none is open.
/// It never passes the high watermark, so it moves only when the high watermark moves or a
/// marker ends the oldest open transaction.
extension Partition {
    /// What a read returned, with the offsets the fetch response reports.
    public struct IsolatedRead: Sendable {
        public var records: FileSlice
        public var highWatermark: Int64
        public var lastStableOffset: Int64
        public var logStartOffset: Int64
        public var logEndOffset: Int64
        /// For `.txnCommitted`: the aborted transactions overlapping the records (empty when
        /// none); nil for the other isolations (a response then carries null, as Kafka 2.3's).
        public var abortedTransactions: [AbortedTransaction]?
    }

    /// The partition's last stable offset.
    public var lastStableOffset: Int64 {
        log.withLock { log in log.lastStableOffset(highWatermark: state.withLock { $0.highWatermark }) }
    }

    /// Offsets a consumer can see (with the LSO), and the log's bounds.
    public var isolatedOffsets: (logStartOffset: Int64, highWatermark: Int64, lastStableOffset: Int64, logEndOffset: Int64) {
        log.withLock { log in
            let highWatermark = state.withLock { $0.highWatermark }
            return (log.logStartOffset, highWatermark, log.lastStableOffset(highWatermark: highWatermark), log.logEndOffset)
        }
    }

    /// Kafka's `Partition.readRecords`: reads from `offset` up to the log end offset, the high
    /// watermark or the LSO (`isolation`), as a slice of a segment file; a `.txnCommitted` read
    /// also collects the aborted transactions overlapping what it returns, unless
    /// `includeAbortedTransactions` is false (a delayed fetch sizing what it could send).
    public func read(offset: Int64, maxBytes: Int, minOneMessage: Bool, isolation: FetchIsolation,
                     includeAbortedTransactions: Bool = true) throws -> IsolatedRead {
        try log.withLock { log in
            let highWatermark = state.withLock { $0.highWatermark }
            let lastStableOffset = log.lastStableOffset(highWatermark: highWatermark)
            let records: FileSlice
            var aborted: [AbortedTransaction]?
            switch isolation {
            case .logEnd, .highWatermark:
                records = try log.read(startOffset: offset, maxLength: maxBytes,
                                       maxOffset: isolation == .logEnd ? nil : highWatermark, minOneMessage: minOneMessage).records
            case .txnCommitted where !includeAbortedTransactions:
                records = try log.read(startOffset: offset, maxLength: maxBytes, maxOffset: lastStableOffset,
                                       minOneMessage: minOneMessage).records
            case .txnCommitted:
                let read = try log.readWithAbortedTransactions(startOffset: offset, maxLength: maxBytes, maxOffset: lastStableOffset,
                                                               minOneMessage: minOneMessage)
                records = read.fetch.records
                aborted = read.abortedTransactions
            }
            return IsolatedRead(records: records, highWatermark: highWatermark, lastStableOffset: lastStableOffset,
                                logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset, abortedTransactions: aborted)
        }
    }
}
