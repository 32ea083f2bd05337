import KafkaCommon
import KafkaProtocol
import KafkaStorage

/// DescribeLogDirs: for every log directory of this broker, the partitions it holds with their
/// size on disk (all of them, or those asked for). An offline directory is reported with
/// KAFKA_STORAGE_ERROR. Offset lag and future replicas (moving between directories) are 0/false
/// until replica movement exists.
struct DescribeLogDirsHandler: KafkaRequestHandler {
    let apiKey = ApiKey.describeLogDirs
    let logManager: LogManager

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let describe = try DescribeLogDirs.decodeRequest(from: &body, version: request.header.apiVersion)
        let wanted: Set<TopicPartition>? = describe.topics.map { topics in
            Set(topics.flatMap { topic in topic.partitions.map { TopicPartition(topic.topic, $0) } })
        }
        var results: [DescribeLogDirs.Result] = logManager.liveLogDirs.map { dir in
            let logs = logManager.logs(in: dir).filter { wanted?.contains($0.topicPartition) ?? true }
            let byTopic = Dictionary(grouping: logs, by: { $0.topicPartition.topic })
            return DescribeLogDirs.Result(logDir: dir, topics: byTopic.sorted { $0.key < $1.key }.map { topic, logs in
                DescribeLogDirs.TopicResult(name: topic, partitions: logs.sorted { $0.topicPartition < $1.topicPartition }.map { log in
                    DescribeLogDirs.PartitionResult(partitionIndex: log.topicPartition.partition,
                                                    partitionSize: Int64(log.size))
                })
            })
        }
        for dir in logManager.offlineLogDirs.keys.sorted() {
            results.append(DescribeLogDirs.Result(errorCode: .kafkaStorageError, logDir: dir, topics: []))
        }
        return DescribeLogDirs.responseFrame(DescribeLogDirs.Response(results: results), to: request)
    }
}
