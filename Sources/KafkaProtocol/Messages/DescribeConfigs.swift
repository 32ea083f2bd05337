import NIOCore

/// DescribeConfigs (key 32): the configs of topics and brokers, with where each value comes from.
///
/// Supported: v0–v2 (Kafka 2.3). First flexible version: 4. v1 replaced `is_default` with
/// `config_source` and added synonyms (`include_synonyms`); v2 has v1's layout.
public enum DescribeConfigs: KafkaAPI {
    public static let key = ApiKey.describeConfigs
    public static let versions: ClosedRange<Int16> = 0...2
    public static let firstFlexibleVersion: Int16? = 4

    /// `resource_type` values (Kafka's `ConfigResource.Type`).
    public enum ResourceType {
        public static let unknown: Int8 = 0
        public static let topic: Int8 = 2
        public static let broker: Int8 = 4
        public static let brokerLogger: Int8 = 8
    }

    /// `config_source` values (v1+).
    public enum ConfigSource {
        public static let unknown: Int8 = 0
        public static let dynamicTopicConfig: Int8 = 1
        public static let dynamicBrokerConfig: Int8 = 2
        public static let dynamicDefaultBrokerConfig: Int8 = 3
        public static let staticBrokerConfig: Int8 = 4
        public static let defaultConfig: Int8 = 5
        public static let dynamicBrokerLoggerConfig: Int8 = 6
    }

    /// ```
    /// resources ARRAY of { resource_type int8, resource_name STRING,
    ///                      configuration_keys NULLABLE []STRING (null = all) }
    /// include_synonyms BOOLEAN          (v1+)
    /// ```
    public struct Request: KafkaCodable {
        public var resources: [Resource]
        public var includeSynonyms: Bool

        public init(resources: [Resource], includeSynonyms: Bool = false) {
            self.resources = resources
            self.includeSynonyms = includeSynonyms
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try DescribeConfigs.checkVersion(version)
            resources = try buffer.readArray(of: Resource.self, version: version, "resources")
            includeSynonyms = version >= 1 ? try buffer.readBoolean("include_synonyms") : false
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeArray(resources, version: version)
            if version >= 1 { buffer.writeBoolean(includeSynonyms) }
        }
    }

    public struct Resource: KafkaCodable {
        public var resourceType: Int8
        public var resourceName: String
        /// The config names to describe; nil for all of them.
        public var configurationKeys: [String]?

        public init(resourceType: Int8, resourceName: String, configurationKeys: [String]? = nil) {
            self.resourceType = resourceType
            self.resourceName = resourceName
            self.configurationKeys = configurationKeys
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            resourceType = try buffer.readInt8("resources.resource_type")
            resourceName = try buffer.readKafkaString("resources.resource_name")
            configurationKeys = try buffer.readNullableStringArray("resources.configuration_keys")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt8(resourceType)
            buffer.writeKafkaString(resourceName)
            buffer.writeNullableStringArray(configurationKeys)
        }
    }

    /// ```
    /// throttle_time_ms int32
    /// results ARRAY of Result
    /// ```
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var results: [Result]

        public init(throttleTimeMs: Int32 = 0, results: [Result]) {
            self.throttleTimeMs = throttleTimeMs
            self.results = results
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try DescribeConfigs.checkVersion(version)
            throttleTimeMs = try buffer.readInt32("throttle_time_ms")
            results = try buffer.readArray(of: Result.self, version: version, "results")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(throttleTimeMs)
            buffer.writeArray(results, version: version)
        }
    }

    /// ```
    /// error_code int16, error_message NULLABLE_STRING, resource_type int8,
    /// resource_name STRING, configs ARRAY of Config
    /// ```
    public struct Result: KafkaCodable {
        public var errorCode: ErrorCode
        public var errorMessage: String?
        public var resourceType: Int8
        public var resourceName: String
        public var configs: [Config]

        public init(errorCode: ErrorCode = .none, errorMessage: String? = nil, resourceType: Int8, resourceName: String, configs: [Config]) {
            self.errorCode = errorCode
            self.errorMessage = errorMessage
            self.resourceType = resourceType
            self.resourceName = resourceName
            self.configs = configs
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            errorCode = try buffer.readErrorCode("results.error_code")
            errorMessage = try buffer.readNullableString("results.error_message")
            resourceType = try buffer.readInt8("results.resource_type")
            resourceName = try buffer.readKafkaString("results.resource_name")
            configs = try buffer.readArray(of: Config.self, version: version, "results.configs")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeErrorCode(errorCode)
            buffer.writeNullableString(errorMessage)
            buffer.writeInt8(resourceType)
            buffer.writeKafkaString(resourceName)
            buffer.writeArray(configs, version: version)
        }
    }

    /// ```
    /// name STRING, value NULLABLE_STRING, read_only BOOLEAN,
    /// is_default BOOLEAN (v0 only), config_source int8 (v1+, default -1),
    /// is_sensitive BOOLEAN, synonyms ARRAY of Synonym (v1+)
    /// ```
    /// Sensitive values are sent as null.
    public struct Config: KafkaCodable {
        public var name: String
        public var value: String?
        public var readOnly: Bool
        public var isDefault: Bool
        public var configSource: Int8
        public var isSensitive: Bool
        public var synonyms: [Synonym]

        public init(
            name: String, value: String?, readOnly: Bool, isDefault: Bool = false, configSource: Int8 = -1,
            isSensitive: Bool, synonyms: [Synonym] = []
        ) {
            self.name = name
            self.value = value
            self.readOnly = readOnly
            self.isDefault = isDefault
            self.configSource = configSource
            self.isSensitive = isSensitive
            self.synonyms = synonyms
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("configs.name")
            value = try buffer.readNullableString("configs.value")
            readOnly = try buffer.readBoolean("configs.read_only")
            isDefault = version == 0 ? try buffer.readBoolean("configs.is_default") : false
            configSource = version >= 1 ? try buffer.readInt8("configs.config_source") : -1
            isSensitive = try buffer.readBoolean("configs.is_sensitive")
            synonyms = version >= 1 ? try buffer.readArray(of: Synonym.self, version: version, "configs.synonyms") : []
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeNullableString(value)
            buffer.writeBoolean(readOnly)
            if version == 0 { buffer.writeBoolean(isDefault) }
            if version >= 1 { buffer.writeInt8(configSource) }
            buffer.writeBoolean(isSensitive)
            if version >= 1 { buffer.writeArray(synonyms, version: version) }
        }
    }

    /// Another config that also sets this value, in precedence order (v1+):
    /// `name STRING, value NULLABLE_STRING, source int8`.
    public struct Synonym: KafkaCodable {
        public var name: String
        public var value: String?
        public var source: Int8

        public init(name: String, value: String?, source: Int8) {
            self.name = name
            self.value = value
            self.source = source
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("synonyms.name")
            value = try buffer.readNullableString("synonyms.value")
            source = try buffer.readInt8("synonyms.source")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeNullableString(value)
            buffer.writeInt8(source)
        }
    }
}
