import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaStorage

/// Fetch v0–v3 come from clients that cannot read RecordBatch v2, the format this broker stores:
/// their records are **down-converted** — v0–v1 to magic 0 message sets, v2–v3 to magic 1 — as
/// Kafka 2.3's `KafkaApis.handleFetchRequest` does (`maybeConvertFetchedData`). v4 and later keep
/// the zero-copy path.
///
/// Per partition of the response, in Kafka's order:
/// 1. A topic with `message.downconversion.enable=false` answers UNSUPPORTED_VERSION; a topic whose
///    `compression.type` is `zstd` answers UNSUPPORTED_COMPRESSION_TYPE (Kafka 2.3 refuses such
///    partitions to every fetch below v10), whatever the partition's own error.
/// 2. A partition with an error, or with no records, is left as it is.
/// 3. The records are read into memory (no sendfile: old clients are not zero copy, in Kafka
///    either) and converted by `RecordsDownConverter`, which drops transaction markers, headers
///    and a partial last batch, and caps the output at what the fetch accounted for. A zstd batch
///    first in line gives UNSUPPORTED_COMPRESSION_TYPE; other failures their own code.
///
/// The converted bytes go into `records` and the response is sent as one ordinary frame.
extension FetchHandler {
    /// The message format a fetch of `version` can read, when older than the stored v2: v0–v1
    /// read magic 0, v2–v3 magic 1; nil from v4 on.
    static func downConversionMagic(forVersion version: Int16) -> Int8? {
        switch version {
        case ...1: 0
        case 2...3: 1
        default: nil
        }
    }

    /// The response frame with every partition's records read from `slices` and down-converted
    /// to `toMagic`. `response.responses`, `slices` and `entries` list the same partitions in the
    /// same order (the handler builds all three together).
    func downConvertedFrame(
        _ response: Fetch.Response,
        slices: [[FileSlice]],
        entries: [[FetchContext.Entry]],
        toMagic: Int8,
        request: KafkaRequest
    ) -> KafkaResponseAction {
        var response = response
        for (topicIndex, topicEntries) in entries.enumerated() {
            for (partitionIndex, entry) in topicEntries.enumerated() {
                response.responses[topicIndex].partitions[partitionIndex] = downConverted(
                    response.responses[topicIndex].partitions[partitionIndex],
                    slice: slices[topicIndex][partitionIndex],
                    topicPartition: entry.topicPartition,
                    fetchOffset: entry.request.fetchOffset,
                    toMagic: toMagic)
            }
        }
        return Fetch.responseFrame(response, to: request)
    }

    /// One partition's data with its records down-converted, or the error that replaces them.
    private func downConverted(
        _ data: Fetch.PartitionData,
        slice: FileSlice,
        topicPartition: TopicPartition,
        fetchOffset: Int64,
        toMagic: Int8
    ) -> Fetch.PartitionData {
        guard let partition = replicaManager.partition(topicPartition) else { return data }
        func failed(_ code: ErrorCode) -> Fetch.PartitionData {
            .init(partitionIndex: data.partitionIndex, errorCode: code, highWatermark: -1, records: ByteBuffer())
        }
        let config = partition.log.config
        if !config.messageDownConversionEnable { return failed(.unsupportedVersion) }
        if config.compressionType == .type(.zstd) { return failed(.unsupportedCompressionType) }
        guard data.errorCode == .none, slice.size > 0 else { return data }
        let bytes: ByteBuffer
        do {
            bytes = try slice.read()
        } catch {
            // KAFKA_STORAGE_ERROR, which Kafka 2.3 sends to Fetch v0–v5 as NOT_LEADER_FOR_PARTITION.
            return failed(.notLeaderForPartition)
        }
        do throws(RecordBatchError) {
            var converted = data
            converted.records = try RecordsDownConverter.downConvert(bytes, toMagic: toMagic, firstOffset: fetchOffset).records
            return converted
        } catch {
            return failed(ErrorCode(rawValue: error.kafkaErrorCode))
        }
    }
}
