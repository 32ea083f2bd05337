import KafkaCommon
import KafkaProtocol
import KafkaStorage

/// One partition's part of a fetch, as `ReplicaManager.fetchMessages` read it (Kafka's
/// `FetchPartitionData`): the response fields, and the records as a slice of a segment file,
/// to be spliced into the response (zero copy) or read and down-converted by the handler.
///
/// `data.records` is always empty: the bytes are `records`. A partition with an error has an
/// empty slice.
struct FetchPartitionData: Sendable {
    var topicPartition: TopicPartition
    var data: Fetch.PartitionData
    var records: FileSlice
}
