import KafkaRecords

extension LocalLog {
    /// Kafka's `Log.read`: the bytes of the batches from the one holding `startOffset`, at most
    /// `maxLength` of them, and only batches whose offsets are all below `maxOffset` when given
    /// (the high watermark, for consumers). With `minOneMessage` the first batch is returned whole
    /// even when larger than `maxLength`, unless `maxOffset` excludes it.
    ///
    /// Reading at the log end offset returns no bytes; below `logStartOffset` or above the log end
    /// offset throws `LogError.offsetOutOfRange`.
    public func read(startOffset: Int64, maxLength: Int, maxOffset: Int64? = nil, minOneMessage: Bool = false) throws -> FetchDataInfo {
        try ensureOpen()
        let next = nextOffsetMetadata
        if startOffset == next.messageOffset {
            return FetchDataInfo(fetchOffsetMetadata: next, records: .empty(path: activeSegment.log.path))
        }
        guard startOffset >= logStartOffset, startOffset <= next.messageOffset,
              var index = floorSegmentIndex(startOffset)
        else {
            throw LogError.offsetOutOfRange(offset: startOffset, logStartOffset: logStartOffset, logEndOffset: next.messageOffset)
        }
        if let maxOffset, maxOffset <= startOffset {
            let metadata = LogOffsetMetadata(messageOffset: startOffset)
            return FetchDataInfo(fetchOffsetMetadata: metadata, records: .empty())
        }
        while index < segmentList.count {
            let segment = segmentList[index]
            // The active segment is read only up to the log end offset's position.
            var maxPosition = segment === activeSegment && next.segmentBaseOffset == segment.baseOffset
                ? next.relativePositionInSegment : segment.size
            if let maxOffset, let end = try segment.translateOffset(maxOffset) {
                maxPosition = min(maxPosition, end.position)
            }
            if let fetch = try segment.read(startOffset: startOffset, maxSize: maxLength, maxPosition: maxPosition, minOneMessage: minOneMessage) {
                return fetch
            }
            index += 1
        }
        return FetchDataInfo(fetchOffsetMetadata: next, records: .empty(path: activeSegment.log.path))
    }

    /// Reads the bytes of a `FetchDataInfo` (tests and internal use; fetches send the slice).
    public func readBytes(_ fetch: FetchDataInfo) throws -> ByteBuffer {
        try fetch.records.read()
    }

    /// Kafka's `fetchOffsetsByTimestamp`: the first record at or after `targetTimestamp` and its
    /// timestamp; `earliestTimestamp` gives the log start offset and `latestTimestamp` the log end
    /// offset (both with timestamp −1). Nil when every record is older.
    public func fetchOffsetByTimestamp(_ targetTimestamp: Int64) throws -> (timestamp: Int64, offset: Int64)? {
        try ensureOpen()
        switch targetTimestamp {
        case Log.earliestTimestamp: return (RecordBatch.noTimestamp, logStartOffset)
        case Log.latestTimestamp: return (RecordBatch.noTimestamp, logEndOffset)
        default:
            guard let segment = segmentList.first(where: { $0.largestTimestamp >= targetTimestamp }) else { return nil }
            return try segment.findOffsetByTimestamp(targetTimestamp, startingOffset: logStartOffset)
        }
    }
}
