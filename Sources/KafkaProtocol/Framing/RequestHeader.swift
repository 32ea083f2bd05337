import NIOCore

/// The header in front of every request body.
///
/// ```
/// v0: api_key int16, api_version int16, correlation_id int32
/// v1: v0 + client_id NULLABLE_STRING
/// v2: v1 + tagged fields          (client_id stays an int16-length string, never compact)
/// ```
///
/// Which version a request uses follows from its API and version (``ApiKey/requestHeaderVersion(for:)``):
/// v2 for flexible versions, v1 otherwise, and v0 only for ControlledShutdown v0, which predates
/// client ids. Reading a header peeks at the key and version first to pick the layout; an API
/// this codec does not implement is read as v1 (all that the broker needs to log the request and
/// close the connection).
public struct RequestHeader: Sendable, Equatable {
    public var apiKey: ApiKey
    public var apiVersion: Int16
    /// Echoed in the response so the client can match it; clients pipeline requests.
    public var correlationId: Int32
    /// The client's `client.id` (v1+); null is allowed on the wire.
    public var clientId: String?
    /// Unknown tagged fields of header v2 (Kafka 2.3 defines none).
    public var taggedFields: TaggedFields

    public init(
        apiKey: ApiKey, apiVersion: Int16, correlationId: Int32, clientId: String? = nil,
        taggedFields: TaggedFields = .empty
    ) {
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.correlationId = correlationId
        self.clientId = clientId
        self.taggedFields = taggedFields
    }

    /// The header version this request's API and version call for.
    public var headerVersion: Int16 { apiKey.requestHeaderVersion(for: apiVersion) }

    /// Reads a header whose version follows from its own key and version.
    public init(from buffer: inout ByteBuffer) throws(KafkaProtocolError) {
        guard let key = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int16.self),
              let version = buffer.getInteger(at: buffer.readerIndex + 2, endianness: .big, as: Int16.self)
        else { throw .truncated("request header") }
        try self.init(from: &buffer, headerVersion: ApiKey(rawValue: key).requestHeaderVersion(for: version))
    }

    /// Reads a header of the given version.
    public init(from buffer: inout ByteBuffer, headerVersion: Int16) throws(KafkaProtocolError) {
        apiKey = ApiKey(rawValue: try buffer.readInt16("request header api_key"))
        apiVersion = try buffer.readInt16("request header api_version")
        correlationId = try buffer.readInt32("request header correlation_id")
        clientId = headerVersion >= 1 ? try buffer.readNullableString("request header client_id") : nil
        taggedFields = headerVersion >= 2 ? try buffer.readTaggedFields("request header tagged fields") : .empty
    }

    /// Writes the header in the version its API and version call for.
    public func write(into buffer: inout ByteBuffer) {
        write(into: &buffer, headerVersion: headerVersion)
    }

    public func write(into buffer: inout ByteBuffer, headerVersion: Int16) {
        buffer.writeInt16(apiKey.rawValue)
        buffer.writeInt16(apiVersion)
        buffer.writeInt32(correlationId)
        if headerVersion >= 1 { buffer.writeNullableString(clientId) }
        if headerVersion >= 2 { buffer.writeTaggedFields(taggedFields) }
    }
}

/// The header in front of every response body.
///
/// ```
/// v0: correlation_id int32
/// v1: v0 + tagged fields
/// ```
///
/// v1 for flexible versions, v0 otherwise; ApiVersions responses always use v0 (a client that
/// does not know which versions the broker speaks must be able to read the answer).
public struct ResponseHeader: Sendable, Equatable {
    public var correlationId: Int32
    public var taggedFields: TaggedFields

    public init(correlationId: Int32, taggedFields: TaggedFields = .empty) {
        self.correlationId = correlationId
        self.taggedFields = taggedFields
    }

    public init(from buffer: inout ByteBuffer, headerVersion: Int16) throws(KafkaProtocolError) {
        correlationId = try buffer.readInt32("response header correlation_id")
        taggedFields = headerVersion >= 1 ? try buffer.readTaggedFields("response header tagged fields") : .empty
    }

    public func write(into buffer: inout ByteBuffer, headerVersion: Int16) {
        buffer.writeInt32(correlationId)
        if headerVersion >= 1 { buffer.writeTaggedFields(taggedFields) }
    }
}

extension ApiKey {
    /// The request header version for a request of this API at `version`; v1 for an API this
    /// codec does not implement.
    public func requestHeaderVersion(for version: Int16) -> Int16 {
        api?.requestHeaderVersion(for: version) ?? 1
    }

    /// The response header version for the response to a request of this API at `version`.
    public func responseHeaderVersion(for version: Int16) -> Int16 {
        api?.responseHeaderVersion(for: version) ?? 0
    }
}
