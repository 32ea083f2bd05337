import KafkaCommon
import KafkaProtocol

/// One partition of a fetch session (Kafka's `CachedPartition`): what the client last asked for
/// and what the broker last told it, so that an incremental request may leave the partition out
/// when the client's side did not change, and an incremental response when the broker's did not.
///
/// Request side (from the client's last request naming it): `fetchOffset`, `maxBytes`,
/// `fetcherLogStartOffset`, `currentLeaderEpoch`. Response side (from the last response that
/// carried it): `highWatermark` and `localLogStartOffset`; -1 until a response has been built, and
/// `highWatermark` is reset to -1 by an error, so that the partition is sent again once the error
/// clears.
struct CachedPartition: Equatable, Sendable {
    let topicPartition: TopicPartition
    var maxBytes: Int32
    var fetchOffset: Int64
    var fetcherLogStartOffset: Int64
    var currentLeaderEpoch: LeaderEpoch
    var highWatermark: Int64 = -1
    var localLogStartOffset: Int64 = -1

    init(_ topicPartition: TopicPartition, request: Fetch.FetchPartition) {
        self.topicPartition = topicPartition
        maxBytes = request.partitionMaxBytes
        fetchOffset = request.fetchOffset
        fetcherLogStartOffset = request.logStartOffset
        currentLeaderEpoch = request.currentLeaderEpoch
    }

    /// The partition as a request entry, for reading it.
    var fetchPartition: Fetch.FetchPartition {
        Fetch.FetchPartition(partition: topicPartition.partition, currentLeaderEpoch: currentLeaderEpoch, fetchOffset: fetchOffset,
                             logStartOffset: fetcherLogStartOffset, partitionMaxBytes: maxBytes)
    }

    /// Takes the client's new fetch position and limits from an incremental request.
    mutating func updateRequestParameters(_ request: Fetch.FetchPartition) {
        maxBytes = request.partitionMaxBytes
        fetchOffset = request.fetchOffset
        fetcherLogStartOffset = request.logStartOffset
        currentLeaderEpoch = request.currentLeaderEpoch
    }

    /// Whether an incremental response must carry this partition, and (when `update`) records
    /// what it carries. It must when the partition has records to send, an error, or a high
    /// watermark or log start offset other than the client last heard. An error also resets the
    /// cached high watermark, so the partition is sent again when the error is gone.
    mutating func maybeUpdateResponseData(_ response: FetchPartitionOutcome, update: Bool) -> Bool {
        var mustRespond = response.recordsSize > 0
        if highWatermark != response.highWatermark {
            mustRespond = true
            if update { highWatermark = response.highWatermark }
        }
        if localLogStartOffset != response.logStartOffset {
            mustRespond = true
            if update { localLogStartOffset = response.logStartOffset }
        }
        if response.errorCode != .none {
            if update { highWatermark = -1 }
            mustRespond = true
        }
        return mustRespond
    }
}
