import NIOCore

/// AlterConfigs (key 33): replace the whole dynamic config of topics or brokers (configs not
/// listed revert to their defaults; IncrementalAlterConfigs is the non-destructive successor).
///
/// Supported: v0–v1 (Kafka 2.3); v1 has v0's layout. First flexible version: 2.
/// Resource types are those of ``DescribeConfigs/ResourceType``.
public enum AlterConfigs: KafkaAPI {
    public static let key = ApiKey.alterConfigs
    public static let versions: ClosedRange<Int16> = 0...1
    public static let firstFlexibleVersion: Int16? = 2

    /// ```
    /// resources ARRAY of { resource_type int8, resource_name STRING,
    ///                      configs ARRAY of { name STRING, value NULLABLE_STRING } }
    /// validate_only BOOLEAN
    /// ```
    public struct Request: KafkaCodable {
        public var resources: [Resource]
        public var validateOnly: Bool

        public init(resources: [Resource], validateOnly: Bool = false) {
            self.resources = resources
            self.validateOnly = validateOnly
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try AlterConfigs.checkVersion(version)
            resources = try buffer.readArray(of: Resource.self, version: version, "resources")
            validateOnly = try buffer.readBoolean("validate_only")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeArray(resources, version: version)
            buffer.writeBoolean(validateOnly)
        }
    }

    public struct Resource: KafkaCodable {
        public var resourceType: Int8
        public var resourceName: String
        public var configs: [Config]

        public init(resourceType: Int8, resourceName: String, configs: [Config]) {
            self.resourceType = resourceType
            self.resourceName = resourceName
            self.configs = configs
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            resourceType = try buffer.readInt8("resources.resource_type")
            resourceName = try buffer.readKafkaString("resources.resource_name")
            configs = try buffer.readArray(of: Config.self, version: version, "resources.configs")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt8(resourceType)
            buffer.writeKafkaString(resourceName)
            buffer.writeArray(configs, version: version)
        }
    }

    public struct Config: KafkaCodable {
        public var name: String
        public var value: String?

        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("configs.name")
            value = try buffer.readNullableString("configs.value")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeNullableString(value)
        }
    }

    /// ```
    /// throttle_time_ms int32
    /// responses ARRAY of { error_code int16, error_message NULLABLE_STRING,
    ///                      resource_type int8, resource_name STRING }
    /// ```
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var responses: [ResourceResponse]

        public init(throttleTimeMs: Int32 = 0, responses: [ResourceResponse]) {
            self.throttleTimeMs = throttleTimeMs
            self.responses = responses
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try AlterConfigs.checkVersion(version)
            throttleTimeMs = try buffer.readInt32("throttle_time_ms")
            responses = try buffer.readArray(of: ResourceResponse.self, version: version, "responses")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(throttleTimeMs)
            buffer.writeArray(responses, version: version)
        }
    }

    public struct ResourceResponse: KafkaCodable {
        public var errorCode: ErrorCode
        public var errorMessage: String?
        public var resourceType: Int8
        public var resourceName: String

        public init(errorCode: ErrorCode = .none, errorMessage: String? = nil, resourceType: Int8, resourceName: String) {
            self.errorCode = errorCode
            self.errorMessage = errorMessage
            self.resourceType = resourceType
            self.resourceName = resourceName
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            errorCode = try buffer.readErrorCode("responses.error_code")
            errorMessage = try buffer.readNullableString("responses.error_message")
            resourceType = try buffer.readInt8("responses.resource_type")
            resourceName = try buffer.readKafkaString("responses.resource_name")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeErrorCode(errorCode)
            buffer.writeNullableString(errorMessage)
            buffer.writeInt8(resourceType)
            buffer.writeKafkaString(resourceName)
        }
    }
}
