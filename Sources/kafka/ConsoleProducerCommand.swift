import ArgumentParser
import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaRecords
import NIOCore

/// `kafka console-producer`: Kafka's `kafka-console-producer.sh`. Each line of stdin is one
/// record, sent as it is read (one batch per line) to the leader of the partition the default
/// partitioner picks. With `parse.key=true` a line is `key<key.separator>value`.
struct ConsoleProducerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console-producer",
        abstract: "Read lines from standard input and publish them to a topic."
    )

    @Option(name: .customLong("bootstrap-server"), help: "REQUIRED: The server(s) to connect to (HOST:PORT[,HOST:PORT…]).")
    var bootstrapServer: BootstrapServers

    @Option(help: "REQUIRED: The topic id to produce messages to.") var topic: String

    @Option(help: "Properties of the line reader: parse.key=true, key.separator=<sep> (default tab), ignore.error=true.")
    var property: [KeyValue] = []

    @Option(name: .customLong("compression-codec"), help: "The compression codec: none, gzip, snappy, lz4 or zstd.")
    var compressionCodec: String = "none"

    @Option(name: .customLong("request-required-acks"), help: "The required acks of the producer requests: 1 or -1 (all).")
    var requestRequiredAcks: String = "1"

    @Option(name: .customLong("request-timeout-ms"), help: "The ack timeout of the producer requests.")
    var requestTimeoutMs: Int32 = 1500

    @Option(name: .customLong("partition"), help: "Send every record to this partition instead of partitioning by key.")
    var partition: Int32?

    var compression: CompressionType {
        get throws {
            guard let type = CompressionType(name: compressionCodec.lowercased()) else {
                throw ValidationError("Unknown compression codec '\(compressionCodec)': use none, gzip, snappy, lz4 or zstd")
            }
            return type
        }
    }

    var acks: Int16 {
        get throws {
            switch requestRequiredAcks.lowercased() {
            case "all", "-1": return -1
            case "0":
                // The broker answers nothing to acks=0, and BrokerConnection pairs every request
                // with a response.
                throw ValidationError("--request-required-acks 0 is not supported by this tool yet: use 1 or -1 (all)")
            case "1": return 1
            default: throw ValidationError("Invalid value \(requestRequiredAcks) for --request-required-acks: use 0, 1 or -1 (all)")
            }
        }
    }

    var keySeparator: String { property.value(of: "key.separator") ?? "\t" }
    var parsesKey: Bool { property.flag("parse.key") }

    func validate() throws {
        _ = try compression
        _ = try acks
        if keySeparator.isEmpty { throw ValidationError("key.separator must not be empty") }
    }

    /// Splits a line into key and value as Kafka's `LineMessageReader` does.
    func record(fromLine line: String) throws -> (key: [UInt8]?, value: [UInt8]) {
        guard parsesKey else { return (nil, Array(line.utf8)) }
        guard let range = line.range(of: keySeparator) else {
            if property.flag("ignore.error") { return (nil, Array(line.utf8)) }
            throw CLIError("No key found on line: \(line)")
        }
        return (Array(line[..<range.lowerBound].utf8), Array(line[range.upperBound...].utf8))
    }

    func run() async throws {
        do {
            try await withClusterClient(bootstrapServer, clientId: "console-producer") { client in
                try await produce(client)
            }
        } catch let error as CLIError {
            printError("ERROR \(error)")
            throw ExitCode.failure
        }
    }

    private func produce(_ client: ClusterClient) async throws {
        let version = try await client.requireVersion(of: Produce.self, for: "Producing")
        let compression = try compression
        if compression == .zstd, version < 7 {
            throw CLIError("The broker does not accept zstd (Produce v7 is needed, it supports v\(version))")
        }
        let acks = try acks
        var leaders = try await leadersOf(client)
        var partitioner = DefaultPartitioner(start: Int32.random(in: 0..<Int32.max))
        while let line = readLine(strippingNewline: true) {
            let (key, value) = try record(fromLine: line)
            let target = partition ?? partitioner.partition(forKey: key, partitionCount: Int32(leaders.count))
            guard target >= 0, target < Int32(leaders.count) else {
                throw CLIError("Partition \(target) does not exist in topic '\(topic)' (\(leaders.count) partitions)")
            }
            var builder = MemoryRecordsBuilder(compression: compression)
            builder.append(
                timestamp: Int64(Date().timeIntervalSince1970 * 1000),
                key: key.map { ByteBuffer(bytes: $0) }, value: ByteBuffer(bytes: value))
            let batch = try builder.build()
            var attempt = 0
            while true {
                attempt += 1
                let error = try await send(batch, to: target, leader: leaders[Int(target)], acks: acks, version: version, client)
                guard let error else { break }
                guard error.isRetriable, attempt < 5 else {
                    throw CLIError("Error when sending message to topic \(topic) with key: \(key.map { "\($0.count) bytes" } ?? "null"), value: \(value.count) bytes with error: \(error.displayName)")
                }
                try await Task.sleep(for: .milliseconds(100 * attempt))
                leaders = try await leadersOf(client)
            }
        }
    }

    /// Sends one batch; returns the partition's error code, nil on success.
    private func send(
        _ batch: ByteBuffer, to partition: Int32, leader: BrokerId, acks: Int16, version: Int16, _ client: ClusterClient
    ) async throws -> ErrorCode? {
        guard leader != .none else { return .leaderNotAvailable }
        let connection = try await client.connection(to: leader)
        let request = Produce.Request(
            acks: acks, timeoutMs: requestTimeoutMs,
            topicData: [Produce.TopicData(name: topic, partitionData: [Produce.PartitionData(index: partition, records: batch)])])
        let response = try await connection.send(Produce.self, request, version: version)
        let result = response.responses.first { $0.name == topic }?.partitionResponses.first { $0.index == partition }
        guard let result else { return .unknownServerError }
        return result.errorCode.isError ? result.errorCode : nil
    }

    /// The leader of each partition of the topic, by partition index (auto-creating the topic
    /// if the broker allows it, as Kafka's producer does).
    private func leadersOf(_ client: ClusterClient) async throws -> [BrokerId] {
        for attempt in 1...20 {
            let metadata = try await client.metadata(topics: [topic], allowAutoTopicCreation: true)
            guard let described = metadata.topics.first(where: { $0.name == topic }) else {
                throw CLIError("Topic \(topic) not present in metadata")
            }
            if described.errorCode == .none, !described.partitions.isEmpty,
               described.partitions.allSatisfy({ $0.leaderId != .none }) {
                var leaders = [BrokerId](repeating: .none, count: described.partitions.count)
                for partition in described.partitions where Int(partition.partitionIndex) < leaders.count {
                    leaders[Int(partition.partitionIndex)] = partition.leaderId
                }
                return leaders
            }
            if described.errorCode.isError, !described.errorCode.isRetriable {
                throw CLIError("Topic \(topic): \(described.errorCode.displayName)")
            }
            if attempt < 20 { try await Task.sleep(for: .milliseconds(250)) }
        }
        throw CLIError("Topic \(topic) has no leader for some partition after 5 s")
    }
}
