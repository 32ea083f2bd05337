import Foundation
import KafkaRecords
import NIOCore

/// Golden frames captured from real clients against Kafka 2.3.0 (copied from the shared fixture
/// set into `Fixtures/`), and a minimal reader that walks a Produce v7 request or a Fetch v11
/// response to its `records` bytes. The protocol codec proper lives in KafkaProtocol; this reader
/// only knows the handful of fields in front of the records.
enum FixtureFrames {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func load(_ client: String, _ file: String) throws -> ByteBuffer {
        let data = try Data(contentsOf: directory.appendingPathComponent(client).appendingPathComponent(file))
        return ByteBuffer(bytes: data)
    }

    /// One Produce request per client and codec: (client folder, file, codec).
    static let producesByCodec: [(client: String, file: String, codec: CompressionType)] = [
        ("kcat", "007_Produce_v7.req.bin", .none),
        ("kcat", "010_Produce_v7.req.bin", .gzip),
        ("kcat", "011_Produce_v7.req.bin", .snappy),
        ("kcat", "012_Produce_v7.req.bin", .lz4),
        ("kcat", "013_Produce_v7.req.bin", .zstd),
        ("confluent-kafka", "011_Produce_v7.req.bin", .none),
        ("confluent-kafka", "012_Produce_v7.req.bin", .gzip),
        ("confluent-kafka", "013_Produce_v7.req.bin", .snappy),
        ("confluent-kafka", "014_Produce_v7.req.bin", .lz4),
        ("confluent-kafka", "015_Produce_v7.req.bin", .zstd),
        ("kafka-python", "012_Produce_v7.req.bin", .none),
        ("kafka-python", "017_Produce_v7.req.bin", .gzip),
        ("kafka-python", "019_Produce_v7.req.bin", .snappy),
        ("kafka-python", "020_Produce_v7.req.bin", .lz4),
        ("kafka-python", "021_Produce_v7.req.bin", .zstd),
        ("java", "008_Produce_v7.req.bin", .none),
        ("java", "009_Produce_v7.req.bin", .gzip),
        ("java", "010_Produce_v7.req.bin", .snappy),
        ("java", "011_Produce_v7.req.bin", .lz4),
        ("java", "012_Produce_v7.req.bin", .zstd),
    ]

    enum FrameError: Error { case truncated(String) }

    /// The records of the first partition of the first topic of a Produce v7 request frame.
    static func produceRecords(_ frame: ByteBuffer) throws -> ByteBuffer {
        var buffer = frame
        _ = try read(Int32.self, &buffer, "size")
        _ = try read(Int16.self, &buffer, "api_key")
        _ = try read(Int16.self, &buffer, "api_version")
        _ = try read(Int32.self, &buffer, "correlation_id")
        try skipString(&buffer, "client_id")
        try skipString(&buffer, "transactional_id")
        _ = try read(Int16.self, &buffer, "acks")
        _ = try read(Int32.self, &buffer, "timeout")
        _ = try read(Int32.self, &buffer, "topic_data count")
        try skipString(&buffer, "topic")
        _ = try read(Int32.self, &buffer, "partition data count")
        _ = try read(Int32.self, &buffer, "partition")
        return try bytes(&buffer, "record_set")
    }

    /// The records of the first partition of the first topic of a Fetch v11 response frame.
    static func fetchRecords(_ frame: ByteBuffer) throws -> ByteBuffer {
        var buffer = frame
        _ = try read(Int32.self, &buffer, "size")
        _ = try read(Int32.self, &buffer, "correlation_id")
        _ = try read(Int32.self, &buffer, "throttle_time_ms")
        _ = try read(Int16.self, &buffer, "error_code")
        _ = try read(Int32.self, &buffer, "session_id")
        _ = try read(Int32.self, &buffer, "responses count")
        try skipString(&buffer, "topic")
        _ = try read(Int32.self, &buffer, "partitions count")
        _ = try read(Int32.self, &buffer, "partition")
        _ = try read(Int16.self, &buffer, "error_code")
        _ = try read(Int64.self, &buffer, "high_watermark")
        _ = try read(Int64.self, &buffer, "last_stable_offset")
        _ = try read(Int64.self, &buffer, "log_start_offset")
        let aborted = try read(Int32.self, &buffer, "aborted_transactions count")
        for _ in 0..<max(0, aborted) {
            _ = try read(Int64.self, &buffer, "producer_id")
            _ = try read(Int64.self, &buffer, "first_offset")
        }
        _ = try read(Int32.self, &buffer, "preferred_read_replica")
        return try bytes(&buffer, "records")
    }

    private static func read<T: FixedWidthInteger>(_ type: T.Type, _ buffer: inout ByteBuffer, _ field: String) throws -> T {
        guard let value = buffer.readInteger(as: T.self) else { throw FrameError.truncated(field) }
        return value
    }

    private static func skipString(_ buffer: inout ByteBuffer, _ field: String) throws {
        let length = try read(Int16.self, &buffer, field)
        guard length <= 0 || buffer.readSlice(length: Int(length)) != nil else { throw FrameError.truncated(field) }
    }

    private static func bytes(_ buffer: inout ByteBuffer, _ field: String) throws -> ByteBuffer {
        let length = try read(Int32.self, &buffer, field)
        guard length >= 0, let slice = buffer.readSlice(length: Int(length)) else { throw FrameError.truncated(field) }
        return slice
    }
}

/// Small helpers shared by the tests.
extension ByteBuffer {
    /// The readable bytes as a String (UTF-8).
    var utf8String: String { getString(at: readerIndex, length: readableBytes) ?? "" }
}

func bytes(_ string: String) -> ByteBuffer { ByteBuffer(string: string) }

/// Deterministic pseudo-random bytes (xorshift), so that failures reproduce.
func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    var result = [UInt8]()
    result.reserveCapacity(count)
    for _ in 0..<count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        result.append(UInt8(truncatingIfNeeded: state >> 24))
    }
    return result
}

/// Compressible text: words repeated with a counter, like the fixtures' values.
func loremBytes(count: Int) -> [UInt8] {
    var text = ""
    var index = 0
    while text.utf8.count < count {
        text += "lorem ipsum dolor sit amet \(index), "
        index += 1
    }
    return Array(text.utf8.prefix(count))
}
