import KafkaStorage

/// The broker settings replication runs with (Kafka's `replica.*` keys, same names and defaults).
public struct ReplicationConfig: Sendable, Equatable {
    /// `replica.lag.time.max.ms`: a follower not caught up for longer leaves the ISR.
    public var replicaLagTimeMaxMs: Int64 = 10_000
    /// `replica.fetch.min.bytes` / `replica.fetch.wait.max.ms`: a follower's fetch waits on the
    /// leader until this many bytes are there, or this long.
    public var fetchMinBytes: Int32 = 1
    public var fetchWaitMaxMs: Int32 = 500
    /// `replica.fetch.max.bytes`: per partition; `replica.fetch.response.max.bytes`: per response.
    public var fetchMaxBytes: Int32 = 1_048_576
    public var fetchResponseMaxBytes: Int32 = 10_485_760
    /// `replica.fetch.backoff.ms`: the pause after a fetch error.
    public var fetchBackoffMs: Int64 = 1_000
    /// `num.replica.fetchers`: fetcher threads per source broker.
    public var numReplicaFetchers: Int = 1
    /// `replica.socket.timeout.ms`: a request to the leader with no answer for this long fails.
    public var socketTimeoutMs: Int64 = 30_000
    /// `replica.high.watermark.checkpoint.interval.ms`.
    public var highWatermarkCheckpointIntervalMs: Int64 = 5_000

    public init() {}
}

extension ReplicationConfig {
    /// From `server.properties` (already type-checked by `KafkaConfig`).
    init(_ config: KafkaConfig) {
        self.init()
        replicaLagTimeMaxMs = Int64(config.integer("replica.lag.time.max.ms"))
        fetchMinBytes = Int32(clamping: config.integer("replica.fetch.min.bytes"))
        fetchWaitMaxMs = Int32(clamping: config.integer("replica.fetch.wait.max.ms"))
        fetchMaxBytes = Int32(clamping: config.integer("replica.fetch.max.bytes"))
        fetchResponseMaxBytes = Int32(clamping: config.integer("replica.fetch.response.max.bytes"))
        fetchBackoffMs = Int64(config.integer("replica.fetch.backoff.ms"))
        numReplicaFetchers = max(1, config.integer("num.replica.fetchers"))
        socketTimeoutMs = Int64(config.integer("replica.socket.timeout.ms"))
        highWatermarkCheckpointIntervalMs = Int64(config.integer("replica.high.watermark.checkpoint.interval.ms"))
    }
}
