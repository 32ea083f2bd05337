import Foundation
import KafkaProtocol
import NIOCore

/// The golden frames copied from `/work/shared/fixtures/kafka-2.3.0` (real traffic between
/// Apache Kafka 2.3.0 and kcat, confluent-kafka, kafka-python, the Java tools, and the broker
/// itself). Each `.bin` file is a whole frame: the int32 size prefix, the header, the body.
/// They sit next to this file and are found through `#filePath`, since the test target declares
/// no resources.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// One request/response pair, named like `kcat/007_Produce_v7`.
    struct Pair: Sendable, CustomStringConvertible {
        var client: String
        /// File name without `.req.bin` / `.resp.bin`, e.g. `007_Produce_v7`.
        var name: String
        var apiName: String
        var version: Int16

        var description: String { "\(client)/\(name)" }
    }

    /// Every pair in the fixture directory, sorted by client and sequence number.
    static func allPairs() -> [Pair] {
        let clients = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var pairs: [Pair] = []
        for client in clients.sorted() {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(client).path)) ?? []
            for file in files.sorted() where file.hasSuffix(".req.bin") {
                let name = String(file.dropLast(".req.bin".count))
                let parts = name.split(separator: "_")
                guard parts.count == 3, parts[2].hasPrefix("v"), let version = Int16(parts[2].dropFirst()) else { continue }
                pairs.append(Pair(client: client, name: name, apiName: String(parts[1]), version: version))
            }
        }
        return pairs
    }

    static func requestFrame(_ pair: Pair) throws -> ByteBuffer { try load("\(pair.client)/\(pair.name).req.bin") }

    static func responseFrame(_ pair: Pair) throws -> ByteBuffer { try load("\(pair.client)/\(pair.name).resp.bin") }

    /// The bytes of a fixture file, e.g. `load("kcat/007_Produce_v7.req.bin")`.
    static func load(_ relativePath: String) throws -> ByteBuffer {
        let data = try Data(contentsOf: directory.appendingPathComponent(relativePath))
        return ByteBuffer(bytes: data)
    }

    /// The pair with this client and name.
    static func pair(_ client: String, _ name: String) -> Pair {
        let parts = name.split(separator: "_")
        return Pair(client: client, name: name, apiName: String(parts[1]), version: Int16(parts[2].dropFirst()) ?? -1)
    }
}

/// A request frame taken apart: header and body, as the broker's request path will see it.
struct DecodedRequest<API: KafkaAPI> {
    var header: RequestHeader
    var body: API.Request
}

/// A response frame taken apart.
struct DecodedResponse<API: KafkaAPI> {
    var header: ResponseHeader
    var body: API.Response
}

enum FixtureDecoding {
    /// Strips the size prefix, checking it against the file length.
    static func body(ofFrame file: ByteBuffer) throws -> ByteBuffer {
        var stream = file
        guard let frame = try KafkaFrameDecoder.nextFrame(in: &stream, maxSize: KafkaFrameDecoder.defaultMaxFrameSize) else {
            throw FixtureError("incomplete frame")
        }
        guard stream.readableBytes == 0 else { throw FixtureError("\(stream.readableBytes) bytes after the frame") }
        return frame
    }

    static func request<API: KafkaAPI>(_ api: API.Type, _ pair: Fixtures.Pair) throws -> DecodedRequest<API> {
        var frame = try body(ofFrame: try Fixtures.requestFrame(pair))
        let header = try RequestHeader(from: &frame)
        guard header.apiKey == API.key else { throw FixtureError("\(pair) is \(header.apiKey), not \(API.key)") }
        return DecodedRequest(header: header, body: try API.decodeRequest(from: &frame, version: header.apiVersion))
    }

    static func response<API: KafkaAPI>(_ api: API.Type, _ pair: Fixtures.Pair, version: Int16? = nil) throws -> DecodedResponse<API> {
        let version = version ?? pair.version
        var frame = try body(ofFrame: try Fixtures.responseFrame(pair))
        let header = try ResponseHeader(from: &frame, headerVersion: API.responseHeaderVersion(for: version))
        return DecodedResponse(header: header, body: try API.decodeResponse(from: &frame, version: version))
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension ByteBuffer {
    /// The readable bytes as a hex string, for readable failure messages.
    var hexDump: String { readableBytesView.map { String(format: "%02x", $0) }.joined() }
}
