/// The APIs this codec implements, for dispatch by key and for the broker's ApiVersions answer.
public enum KafkaAPIs {
    /// Every implemented API, in key order.
    public static let all: [any KafkaAPI.Type] = [
        Produce.self, Fetch.self, ListOffsets.self, Metadata.self, LeaderAndIsr.self, StopReplica.self,
        UpdateMetadata.self, ControlledShutdown.self, OffsetCommit.self, OffsetFetch.self,
        FindCoordinator.self, JoinGroup.self, Heartbeat.self, LeaveGroup.self, SyncGroup.self,
        ApiVersions.self, CreateTopics.self, DeleteTopics.self, DeleteRecords.self,
        DescribeConfigs.self, AlterConfigs.self, DescribeLogDirs.self, CreatePartitions.self,
    ]

    /// The ApiVersions entries (key, min, max) for every implemented API.
    public static var advertised: [ApiVersions.ApiVersion] {
        all.map { ApiVersions.ApiVersion(apiKey: $0.key, minVersion: $0.versions.lowerBound, maxVersion: $0.versions.upperBound) }
    }
}

extension ApiKey {
    /// The implementation of this API in the codec, nil if it has none.
    public var api: (any KafkaAPI.Type)? {
        KafkaAPIs.all.first { $0.key == self }
    }
}
