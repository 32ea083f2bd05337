import NIOCore

/// A struct of the Kafka protocol at some API version: a request or response body, or one of the
/// structs nested in them.
///
/// Contract: `write(into:version:)` after `init(from:version:)` at the same version reproduces the
/// bytes that were read, for every version the owning API's codec handles (the golden fixture
/// tests hold the codecs to this). Fields absent from a version are left at their default when
/// decoding and are not written. Decoding throws ``KafkaProtocolError`` and never traps; it
/// rejects versions outside the API's ``KafkaAPI/codecVersions``. Writing assumes the caller
/// picked a version the codec handles.
public protocol KafkaCodable: Sendable, Equatable {
    init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError)
    func write(into buffer: inout ByteBuffer, version: Int16)
}

/// One Kafka API: its key, the versions this broker supports and the message types, declared once.
///
/// Each API is an `enum` namespace in `Messages/` with nested `Request` and `Response` structs,
/// e.g. `Metadata.Request`. The supported range is the one Apache Kafka 2.3 advertises for the
/// API; ``firstFlexibleVersion`` is a protocol fact (KIP-482) even where it lies beyond the
/// supported range, because it decides the header layout of any request that names the API.
/// An API type holds only constants, so its metatype may cross isolation domains.
public protocol KafkaAPI: SendableMetatype {
    associatedtype Request: KafkaCodable
    associatedtype Response: KafkaCodable

    static var key: ApiKey { get }

    /// The versions the broker advertises in ApiVersions; every field of each is implemented.
    static var versions: ClosedRange<Int16> { get }

    /// The first version that uses compact strings/arrays and tagged fields; nil if none exists.
    static var firstFlexibleVersion: Int16? { get }

    /// The versions the codec can read and write; ``versions`` unless an API says otherwise
    /// (ApiVersions reads newer requests so that it can answer them).
    static var codecVersions: ClosedRange<Int16> { get }

    /// The request header version a request of this API at `version` is sent with.
    static func requestHeaderVersion(for version: Int16) -> Int16

    /// The response header version the response to a request at `version` is sent with.
    static func responseHeaderVersion(for version: Int16) -> Int16
}

extension KafkaAPI {
    public static var codecVersions: ClosedRange<Int16> { versions }

    /// Whether `version` is a flexible version of this API.
    public static func isFlexible(_ version: Int16) -> Bool {
        guard let first = firstFlexibleVersion else { return false }
        return version >= first
    }

    /// Request header v2 in flexible versions, v1 otherwise.
    public static func requestHeaderVersion(for version: Int16) -> Int16 {
        isFlexible(version) ? 2 : 1
    }

    /// Response header v1 in flexible versions, v0 otherwise.
    public static func responseHeaderVersion(for version: Int16) -> Int16 {
        isFlexible(version) ? 1 : 0
    }

    /// Throws ``KafkaProtocolError/unsupportedVersion(apiKey:version:)`` unless the codec handles
    /// `version`. Every message initialiser calls this first.
    public static func checkVersion(_ version: Int16) throws(KafkaProtocolError) {
        guard codecVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: key.rawValue, version: version)
        }
    }

    // MARK: Whole frames

    /// Decodes a request body that fills `buffer` (the frame after its header). Bytes left over
    /// after the body are malformed: they mean the two sides disagree on the layout.
    public static func decodeRequest(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) -> Request {
        let request = try Request(from: &buffer, version: version)
        try requireFullyRead(buffer, "\(key) v\(version) request")
        return request
    }

    /// Decodes a response body that fills `buffer` (the frame after its header).
    public static func decodeResponse(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) -> Response {
        let response = try Response(from: &buffer, version: version)
        try requireFullyRead(buffer, "\(key) v\(version) response")
        return response
    }

    /// Writes a whole request frame: size prefix, request header (of the version this API and
    /// `header.apiVersion` call for), body.
    public static func writeRequestFrame(_ request: Request, header: RequestHeader, into buffer: inout ByteBuffer) {
        assert(header.apiKey == key, "header names \(header.apiKey), body is \(key)")
        buffer.writeKafkaFrame { frame in
            header.write(into: &frame, headerVersion: requestHeaderVersion(for: header.apiVersion))
            request.write(into: &frame, version: header.apiVersion)
        }
    }

    /// Writes a whole response frame: size prefix, response header (of the version this API
    /// uses for `version`), body.
    public static func writeResponseFrame(
        _ response: Response, correlationId: Int32, version: Int16, into buffer: inout ByteBuffer
    ) {
        buffer.writeKafkaFrame { frame in
            ResponseHeader(correlationId: correlationId)
                .write(into: &frame, headerVersion: responseHeaderVersion(for: version))
            response.write(into: &frame, version: version)
        }
    }

    private static func requireFullyRead(_ buffer: ByteBuffer, _ what: String) throws(KafkaProtocolError) {
        guard buffer.readableBytes == 0 else {
            throw .malformed("\(what): \(buffer.readableBytes) bytes left after the body")
        }
    }
}

/// Groups consecutive `(topic, element)` pairs of the same topic, keeping their order: how the
/// codec maps the flat per-partition lists of older controller request versions onto the
/// by-topic model of newer ones. Flattening the result gives back exactly the input.
func groupingConsecutiveByTopic<Element>(_ pairs: [(String, Element)]) -> [(topic: String, elements: [Element])] {
    var groups: [(topic: String, elements: [Element])] = []
    for (topic, element) in pairs {
        if let last = groups.indices.last, groups[last].topic == topic {
            groups[last].elements.append(element)
        } else {
            groups.append((topic, [element]))
        }
    }
    return groups
}

/// A partition state that names its topic in the flat layouts of the older controller requests
/// (LeaderAndIsr v0–1, UpdateMetadata v0–4) and leaves it to the enclosing topic in the newer ones.
protocol TopicNamedPartitionState {
    var topicName: String { get set }
}

/// The flat layout of by-topic partition states: each topic's states in order, each given its
/// topic's name. The inverse of ``groupingConsecutiveByTopic(_:)``.
func flatteningByTopic<State: TopicNamedPartitionState>(_ groups: [(topic: String, states: [State])]) -> [State] {
    groups.flatMap { group in
        group.states.map { state in
            var state = state
            state.topicName = group.topic
            return state
        }
    }
}

extension LeaderAndIsr.PartitionState: TopicNamedPartitionState {}
extension UpdateMetadata.PartitionState: TopicNamedPartitionState {}
