import NIOCore

/// ApiVersions (key 18): which APIs, and which versions of each, the broker speaks. Clients send
/// it first on every connection.
///
/// Supported: v0–v2, as Kafka 2.3. The codec also reads v3/v4 requests (flexible: header v2,
/// compact strings, tagged fields; v4 has the v3 layout) and writes v3/v4 responses, because
/// librdkafka opens with v3 and kafka-python with v4. Kafka 2.3 answers such a request with a v0
/// response carrying UNSUPPORTED_VERSION and an empty list (``Response/unsupportedVersion()``);
/// the client then retries with a version from… the empty list, i.e. v0. Brokers from 2.4 on
/// (KIP-511) list at least their ApiVersions range in that answer.
///
/// To answer a request above ``versions`` the broker needs only its header (header v2 from v3
/// on, whatever the version); a body beyond ``codecVersions`` need not, and cannot, be decoded.
///
/// The response always goes out with response header v0, whatever the version: a client that
/// does not know the broker's versions yet must be able to read it.
public enum ApiVersions: KafkaAPI {
    public static let key = ApiKey.apiVersions
    public static let versions: ClosedRange<Int16> = 0...2
    public static let firstFlexibleVersion: Int16? = 3
    public static let codecVersions: ClosedRange<Int16> = 0...4

    public static func responseHeaderVersion(for version: Int16) -> Int16 { 0 }

    /// The version to answer a request of `requestVersion` with: the same if supported, else v0
    /// (with ``Response/unsupportedVersion()``).
    public static func responseVersion(forRequestVersion requestVersion: Int16) -> Int16 {
        versions.contains(requestVersion) ? requestVersion : 0
    }

    /// ```
    /// v0–v2: (empty body)
    /// v3+:   client_software_name COMPACT_STRING, client_software_version COMPACT_STRING, tagged fields
    /// ```
    public struct Request: KafkaCodable {
        /// The client library's name, e.g. `librdkafka` (v3+).
        public var clientSoftwareName: String
        /// The client library's version, e.g. `2.0.2` (v3+).
        public var clientSoftwareVersion: String
        public var taggedFields: TaggedFields

        public init(clientSoftwareName: String = "", clientSoftwareVersion: String = "", taggedFields: TaggedFields = .empty) {
            self.clientSoftwareName = clientSoftwareName
            self.clientSoftwareVersion = clientSoftwareVersion
            self.taggedFields = taggedFields
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try ApiVersions.checkVersion(version)
            self.init()
            guard ApiVersions.isFlexible(version) else { return }
            clientSoftwareName = try buffer.readCompactString("client_software_name")
            clientSoftwareVersion = try buffer.readCompactString("client_software_version")
            taggedFields = try buffer.readTaggedFields()
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            guard ApiVersions.isFlexible(version) else { return }
            buffer.writeCompactString(clientSoftwareName)
            buffer.writeCompactString(clientSoftwareVersion)
            buffer.writeTaggedFields(taggedFields)
        }
    }

    /// One API's supported range: `api_key int16, min_version int16, max_version int16`
    /// (+ tagged fields in v3+).
    public struct ApiVersion: KafkaCodable {
        public var apiKey: ApiKey
        public var minVersion: Int16
        public var maxVersion: Int16
        public var taggedFields: TaggedFields

        public init(apiKey: ApiKey, minVersion: Int16, maxVersion: Int16, taggedFields: TaggedFields = .empty) {
            self.apiKey = apiKey
            self.minVersion = minVersion
            self.maxVersion = maxVersion
            self.taggedFields = taggedFields
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            apiKey = ApiKey(rawValue: try buffer.readInt16("api_key"))
            minVersion = try buffer.readInt16("min_version")
            maxVersion = try buffer.readInt16("max_version")
            taggedFields = ApiVersions.isFlexible(version) ? try buffer.readTaggedFields() : .empty
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt16(apiKey.rawValue)
            buffer.writeInt16(minVersion)
            buffer.writeInt16(maxVersion)
            if ApiVersions.isFlexible(version) { buffer.writeTaggedFields(taggedFields) }
        }
    }

    /// A feature the broker supports (v3+ tagged field 0): `name COMPACT_STRING,
    /// min_version int16, max_version int16`, tagged fields.
    public struct SupportedFeature: Sendable, Equatable {
        public var name: String
        public var minVersion: Int16
        public var maxVersion: Int16
        public var taggedFields: TaggedFields

        public init(name: String, minVersion: Int16, maxVersion: Int16, taggedFields: TaggedFields = .empty) {
            self.name = name
            self.minVersion = minVersion
            self.maxVersion = maxVersion
            self.taggedFields = taggedFields
        }
    }

    /// A cluster-wide finalized feature (v3+ tagged field 2): `name COMPACT_STRING,
    /// max_version_level int16, min_version_level int16`, tagged fields.
    public struct FinalizedFeature: Sendable, Equatable {
        public var name: String
        public var maxVersionLevel: Int16
        public var minVersionLevel: Int16
        public var taggedFields: TaggedFields

        public init(name: String, maxVersionLevel: Int16, minVersionLevel: Int16, taggedFields: TaggedFields = .empty) {
            self.name = name
            self.maxVersionLevel = maxVersionLevel
            self.minVersionLevel = minVersionLevel
            self.taggedFields = taggedFields
        }
    }

    /// ```
    /// error_code int16
    /// api_keys   ARRAY of ApiVersion (COMPACT_ARRAY in v3+)
    /// throttle_time_ms int32            (v1+)
    /// tagged fields (v3+): 0 supported_features, 1 finalized_features_epoch (default -1),
    ///                      2 finalized_features, 3 zk_migration_ready (default false)
    /// ```
    /// Tagged fields at their default (empty arrays, epoch -1, false) are not written.
    public struct Response: KafkaCodable {
        public var errorCode: ErrorCode
        public var apiKeys: [ApiVersion]
        public var throttleTimeMs: Int32
        public var supportedFeatures: [SupportedFeature]
        public var finalizedFeaturesEpoch: Int64
        public var finalizedFeatures: [FinalizedFeature]
        public var zkMigrationReady: Bool
        public var taggedFields: TaggedFields

        public init(
            errorCode: ErrorCode = .none, apiKeys: [ApiVersion] = [], throttleTimeMs: Int32 = 0,
            supportedFeatures: [SupportedFeature] = [], finalizedFeaturesEpoch: Int64 = -1,
            finalizedFeatures: [FinalizedFeature] = [], zkMigrationReady: Bool = false,
            taggedFields: TaggedFields = .empty
        ) {
            self.errorCode = errorCode
            self.apiKeys = apiKeys
            self.throttleTimeMs = throttleTimeMs
            self.supportedFeatures = supportedFeatures
            self.finalizedFeaturesEpoch = finalizedFeaturesEpoch
            self.finalizedFeatures = finalizedFeatures
            self.zkMigrationReady = zkMigrationReady
            self.taggedFields = taggedFields
        }

        /// Kafka 2.3's answer to a request at a version it does not support: to be written as v0.
        public static func unsupportedVersion() -> Response {
            Response(errorCode: .unsupportedVersion, apiKeys: [])
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try ApiVersions.checkVersion(version)
            let flexible = ApiVersions.isFlexible(version)
            self.init()
            errorCode = try buffer.readErrorCode()
            apiKeys = try buffer.readArray("api_keys", flexible: flexible) { (b: inout ByteBuffer) throws(KafkaProtocolError) in
                try ApiVersion(from: &b, version: version)
            }
            if version >= 1 { throttleTimeMs = try buffer.readInt32("throttle_time_ms") }
            guard flexible else { return }
            var decoded = self
            taggedFields = try buffer.readTaggedFields { (tag: UInt32, field: inout ByteBuffer) throws(KafkaProtocolError) in
                switch tag {
                case 0:
                    decoded.supportedFeatures = try field.readCompactArray("supported_features") { (b: inout ByteBuffer) throws(KafkaProtocolError) in
                        let name = try b.readCompactString("supported_features.name")
                        let min = try b.readInt16("supported_features.min_version")
                        let max = try b.readInt16("supported_features.max_version")
                        return SupportedFeature(name: name, minVersion: min, maxVersion: max, taggedFields: try b.readTaggedFields())
                    }
                case 1:
                    decoded.finalizedFeaturesEpoch = try field.readInt64("finalized_features_epoch")
                case 2:
                    decoded.finalizedFeatures = try field.readCompactArray("finalized_features") { (b: inout ByteBuffer) throws(KafkaProtocolError) in
                        let name = try b.readCompactString("finalized_features.name")
                        let max = try b.readInt16("finalized_features.max_version_level")
                        let min = try b.readInt16("finalized_features.min_version_level")
                        return FinalizedFeature(name: name, maxVersionLevel: max, minVersionLevel: min, taggedFields: try b.readTaggedFields())
                    }
                case 3:
                    decoded.zkMigrationReady = try field.readBoolean("zk_migration_ready")
                default:
                    return false
                }
                return true
            }
            supportedFeatures = decoded.supportedFeatures
            finalizedFeaturesEpoch = decoded.finalizedFeaturesEpoch
            finalizedFeatures = decoded.finalizedFeatures
            zkMigrationReady = decoded.zkMigrationReady
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            let flexible = ApiVersions.isFlexible(version)
            buffer.writeErrorCode(errorCode)
            buffer.writeArray(apiKeys, flexible: flexible) { b, entry in entry.write(into: &b, version: version) }
            if version >= 1 { buffer.writeInt32(throttleTimeMs) }
            guard flexible else { return }
            var known: [TaggedField] = []
            if !supportedFeatures.isEmpty {
                known.append(TaggedField(tag: 0) { b in
                    b.writeCompactArray(supportedFeatures) { b, feature in
                        b.writeCompactString(feature.name)
                        b.writeInt16(feature.minVersion)
                        b.writeInt16(feature.maxVersion)
                        b.writeTaggedFields(feature.taggedFields)
                    }
                })
            }
            if finalizedFeaturesEpoch != -1 {
                known.append(TaggedField(tag: 1) { b in b.writeInt64(finalizedFeaturesEpoch) })
            }
            if !finalizedFeatures.isEmpty {
                known.append(TaggedField(tag: 2) { b in
                    b.writeCompactArray(finalizedFeatures) { b, feature in
                        b.writeCompactString(feature.name)
                        b.writeInt16(feature.maxVersionLevel)
                        b.writeInt16(feature.minVersionLevel)
                        b.writeTaggedFields(feature.taggedFields)
                    }
                })
            }
            if zkMigrationReady {
                known.append(TaggedField(tag: 3) { b in b.writeBoolean(true) })
            }
            buffer.writeTaggedFields(taggedFields, known: known)
        }
    }
}
