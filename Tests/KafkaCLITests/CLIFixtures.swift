import Foundation
import KafkaProtocol
import NIOCore

/// Frames of Kafka 2.3.0's own `kafka-consumer-groups.sh` session (and the consumer and
/// GetOffsetShell runs before it), copied from `shared/fixtures/kafka-2.3.0/java/` into
/// `Fixtures/java/`. Each file is a whole frame: size prefix, header, body.
enum CLIFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/java")

    /// The bytes of `<name>.req.bin` or `<name>.resp.bin`.
    static func frame(_ name: String, request: Bool) throws -> ByteBuffer {
        let url = directory.appendingPathComponent(name + (request ? ".req.bin" : ".resp.bin"))
        return ByteBuffer(bytes: try Data(contentsOf: url))
    }

    /// The response body of fixture `name` (e.g. `032_DescribeGroups_v3`), decoded by this
    /// project's codec at the fixture's version; every byte must be consumed.
    static func response<API: KafkaAPI>(_ api: API.Type, _ name: String) throws -> API.Response {
        var frame = try frame(name, request: false)
        let size = frame.readInteger(as: Int32.self)!
        precondition(Int(size) == frame.readableBytes, "\(name): size prefix \(size) != \(frame.readableBytes)")
        let version = Int16(name.split(separator: "_").last!.dropFirst())!
        _ = try ResponseHeader(from: &frame, headerVersion: API.responseHeaderVersion(for: version))
        return try API.decodeResponse(from: &frame, version: version)
    }

    /// The request body of fixture `name`, with its header.
    static func request<API: KafkaAPI>(_ api: API.Type, _ name: String) throws -> (header: RequestHeader, body: API.Request) {
        var frame = try frame(name, request: true)
        _ = frame.readInteger(as: Int32.self)!
        let header = try RequestHeader(from: &frame)
        return (header, try API.decodeRequest(from: &frame, version: header.apiVersion))
    }
}
