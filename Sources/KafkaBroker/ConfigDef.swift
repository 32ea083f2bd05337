/// The broker configuration keys this broker knows, with Kafka's types and defaults (Kafka 2.3
/// broker configs). A key not listed here is warned about at start-up and otherwise ignored.
public enum ConfigType: String, Sendable {
    case boolean = "BOOLEAN"
    case int = "INT"
    case short = "SHORT"
    case long = "LONG"
    case double = "DOUBLE"
    case string = "STRING"
    case list = "LIST"
    case password = "PASSWORD"
    case `class` = "CLASS"
}

public struct ConfigKey: Sendable {
    public let name: String
    public let type: ConfigType
    /// nil: no default (required when `required`, otherwise absent).
    public let defaultValue: String?
    public let required: Bool

    init(_ name: String, _ type: ConfigType, _ defaultValue: String?, required: Bool = false) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.required = required
    }
}

public enum ConfigDef {
    public static let keys: [String: ConfigKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    static let all: [ConfigKey] = [
        // ZooKeeper
        ConfigKey("zookeeper.connect", .string, nil, required: true),
        ConfigKey("zookeeper.session.timeout.ms", .int, "6000"),
        ConfigKey("zookeeper.connection.timeout.ms", .int, nil),
        ConfigKey("zookeeper.sync.time.ms", .int, "2000"),
        ConfigKey("zookeeper.set.acl", .boolean, "false"),
        ConfigKey("zookeeper.max.in.flight.requests", .int, "10"),
        // General
        ConfigKey("broker.id", .int, "-1"),
        ConfigKey("broker.id.generation.enable", .boolean, "true"),
        ConfigKey("reserved.broker.max.id", .int, "1000"),
        ConfigKey("broker.rack", .string, nil),
        ConfigKey("message.max.bytes", .int, "1000012"),
        ConfigKey("num.network.threads", .int, "3"),
        ConfigKey("num.io.threads", .int, "8"),
        ConfigKey("background.threads", .int, "10"),
        ConfigKey("queued.max.requests", .int, "500"),
        ConfigKey("queued.max.request.bytes", .long, "-1"),
        ConfigKey("request.timeout.ms", .int, "30000"),
        ConfigKey("metadata.max.idle.interval.ms", .int, "-1"),
        // Sockets
        ConfigKey("listeners", .string, "PLAINTEXT://:9092"),
        ConfigKey("advertised.listeners", .string, nil),
        ConfigKey("listener.security.protocol.map", .string,
                  "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL"),
        ConfigKey("inter.broker.listener.name", .string, nil),
        ConfigKey("security.inter.broker.protocol", .string, "PLAINTEXT"),
        ConfigKey("host.name", .string, ""),
        ConfigKey("port", .int, "9092"),
        ConfigKey("advertised.host.name", .string, nil),
        ConfigKey("advertised.port", .int, nil),
        ConfigKey("socket.send.buffer.bytes", .int, "102400"),
        ConfigKey("socket.receive.buffer.bytes", .int, "102400"),
        ConfigKey("socket.request.max.bytes", .int, "104857600"),
        ConfigKey("max.connections.per.ip", .int, "2147483647"),
        ConfigKey("max.connections.per.ip.overrides", .string, ""),
        ConfigKey("max.connections", .int, "2147483647"),
        ConfigKey("connections.max.idle.ms", .long, "600000"),
        ConfigKey("connection.failed.authentication.delay.ms", .int, "100"),
        // Logs
        ConfigKey("log.dirs", .string, nil),
        ConfigKey("log.dir", .string, "/tmp/kafka-logs"),
        ConfigKey("num.partitions", .int, "1"),
        ConfigKey("log.segment.bytes", .int, "1073741824"),
        ConfigKey("log.roll.ms", .long, nil),
        ConfigKey("log.roll.hours", .int, "168"),
        ConfigKey("log.roll.jitter.ms", .long, nil),
        ConfigKey("log.roll.jitter.hours", .int, "0"),
        ConfigKey("log.retention.ms", .long, nil),
        ConfigKey("log.retention.minutes", .int, nil),
        ConfigKey("log.retention.hours", .int, "168"),
        ConfigKey("log.retention.bytes", .long, "-1"),
        ConfigKey("log.retention.check.interval.ms", .long, "300000"),
        ConfigKey("log.cleanup.policy", .list, "delete"),
        ConfigKey("log.cleaner.enable", .boolean, "true"),
        ConfigKey("log.cleaner.threads", .int, "1"),
        ConfigKey("log.cleaner.io.max.bytes.per.second", .double, "1.7976931348623157E308"),
        ConfigKey("log.cleaner.dedupe.buffer.size", .long, "134217728"),
        ConfigKey("log.cleaner.io.buffer.size", .int, "524288"),
        ConfigKey("log.cleaner.io.buffer.load.factor", .double, "0.9"),
        ConfigKey("log.cleaner.backoff.ms", .long, "15000"),
        ConfigKey("log.cleaner.min.cleanable.ratio", .double, "0.5"),
        ConfigKey("log.cleaner.delete.retention.ms", .long, "86400000"),
        ConfigKey("log.cleaner.min.compaction.lag.ms", .long, "0"),
        ConfigKey("log.cleaner.max.compaction.lag.ms", .long, "9223372036854775807"),
        ConfigKey("log.index.size.max.bytes", .int, "10485760"),
        ConfigKey("log.index.interval.bytes", .int, "4096"),
        ConfigKey("log.flush.interval.messages", .long, "9223372036854775807"),
        ConfigKey("log.segment.delete.delay.ms", .long, "60000"),
        ConfigKey("log.flush.scheduler.interval.ms", .long, "9223372036854775807"),
        ConfigKey("log.flush.interval.ms", .long, nil),
        ConfigKey("log.flush.offset.checkpoint.interval.ms", .int, "60000"),
        ConfigKey("log.flush.start.offset.checkpoint.interval.ms", .int, "60000"),
        ConfigKey("log.preallocate", .boolean, "false"),
        ConfigKey("num.recovery.threads.per.data.dir", .int, "1"),
        ConfigKey("auto.create.topics.enable", .boolean, "true"),
        ConfigKey("min.insync.replicas", .int, "1"),
        ConfigKey("log.message.format.version", .string, "2.3-IV1"),
        ConfigKey("log.message.timestamp.type", .string, "CreateTime"),
        ConfigKey("log.message.timestamp.difference.max.ms", .long, "9223372036854775807"),
        ConfigKey("log.message.downconversion.enable", .boolean, "true"),
        ConfigKey("create.topic.policy.class.name", .class, nil),
        ConfigKey("alter.config.policy.class.name", .class, nil),
        ConfigKey("compression.type", .string, "producer"),
        // Replication
        ConfigKey("controller.socket.timeout.ms", .int, "30000"),
        ConfigKey("default.replication.factor", .int, "1"),
        ConfigKey("replica.lag.time.max.ms", .long, "10000"),
        ConfigKey("replica.socket.timeout.ms", .int, "30000"),
        ConfigKey("replica.socket.receive.buffer.bytes", .int, "65536"),
        ConfigKey("replica.fetch.max.bytes", .int, "1048576"),
        ConfigKey("replica.fetch.wait.max.ms", .int, "500"),
        ConfigKey("replica.fetch.backoff.ms", .int, "1000"),
        ConfigKey("replica.fetch.min.bytes", .int, "1"),
        ConfigKey("replica.fetch.response.max.bytes", .int, "10485760"),
        ConfigKey("num.replica.fetchers", .int, "1"),
        ConfigKey("replica.high.watermark.checkpoint.interval.ms", .long, "5000"),
        ConfigKey("fetch.purgatory.purge.interval.requests", .int, "1000"),
        ConfigKey("max.incremental.fetch.session.cache.slots", .int, "1000"),
        ConfigKey("min.incremental.fetch.session.eviction.ms", .int, "120000"),
        ConfigKey("producer.purgatory.purge.interval.requests", .int, "1000"),
        ConfigKey("delete.records.purgatory.purge.interval.requests", .int, "1"),
        ConfigKey("auto.leader.rebalance.enable", .boolean, "true"),
        ConfigKey("leader.imbalance.per.broker.percentage", .int, "10"),
        ConfigKey("leader.imbalance.check.interval.seconds", .long, "300"),
        ConfigKey("unclean.leader.election.enable", .boolean, "false"),
        ConfigKey("inter.broker.protocol.version", .string, "2.3-IV1"),
        ConfigKey("replica.selector.class", .class, nil),
        // Controlled shutdown
        ConfigKey("controlled.shutdown.max.retries", .int, "3"),
        ConfigKey("controlled.shutdown.retry.backoff.ms", .long, "5000"),
        ConfigKey("controlled.shutdown.enable", .boolean, "true"),
        // Groups, offsets, transactions
        ConfigKey("group.min.session.timeout.ms", .int, "6000"),
        ConfigKey("group.max.session.timeout.ms", .int, "1800000"),
        ConfigKey("group.initial.rebalance.delay.ms", .int, "3000"),
        ConfigKey("group.max.size", .int, "2147483647"),
        ConfigKey("offset.metadata.max.bytes", .int, "4096"),
        ConfigKey("offsets.load.buffer.size", .int, "5242880"),
        ConfigKey("offsets.topic.replication.factor", .short, "3"),
        ConfigKey("offsets.topic.num.partitions", .int, "50"),
        ConfigKey("offsets.topic.segment.bytes", .int, "104857600"),
        ConfigKey("offsets.topic.compression.codec", .int, "0"),
        ConfigKey("offsets.retention.minutes", .int, "10080"),
        ConfigKey("offsets.retention.check.interval.ms", .long, "600000"),
        ConfigKey("offsets.commit.timeout.ms", .int, "5000"),
        ConfigKey("offsets.commit.required.acks", .short, "-1"),
        ConfigKey("delete.topic.enable", .boolean, "true"),
        ConfigKey("transactional.id.expiration.ms", .int, "604800000"),
        ConfigKey("producer.id.expiration.check.interval.ms", .int, "600000"),
        ConfigKey("transaction.max.timeout.ms", .int, "900000"),
        ConfigKey("transaction.state.log.min.isr", .int, "2"),
        ConfigKey("transaction.state.log.load.buffer.size", .int, "5242880"),
        ConfigKey("transaction.state.log.replication.factor", .short, "3"),
        ConfigKey("transaction.state.log.num.partitions", .int, "50"),
        ConfigKey("transaction.state.log.segment.bytes", .int, "104857600"),
        ConfigKey("transaction.abort.timed.out.transaction.cleanup.interval.ms", .int, "60000"),
        ConfigKey("transaction.remove.expired.transaction.cleanup.interval.ms", .int, "3600000"),
        // Quotas
        ConfigKey("quota.producer.default", .long, "9223372036854775807"),
        ConfigKey("quota.consumer.default", .long, "9223372036854775807"),
        ConfigKey("quota.window.num", .int, "11"),
        ConfigKey("quota.window.size.seconds", .int, "1"),
        ConfigKey("replication.quota.window.num", .int, "11"),
        ConfigKey("replication.quota.window.size.seconds", .int, "1"),
        ConfigKey("alter.log.dirs.replication.quota.window.num", .int, "11"),
        ConfigKey("alter.log.dirs.replication.quota.window.size.seconds", .int, "1"),
        // Security
        ConfigKey("authorizer.class.name", .string, ""),
        ConfigKey("super.users", .string, nil),
        ConfigKey("principal.builder.class", .class, nil),
        ConfigKey("sasl.enabled.mechanisms", .list, "GSSAPI"),
        ConfigKey("sasl.mechanism.inter.broker.protocol", .string, "GSSAPI"),
        ConfigKey("sasl.jaas.config", .password, nil),
        ConfigKey("ssl.keystore.location", .string, nil),
        ConfigKey("ssl.keystore.password", .password, nil),
        ConfigKey("ssl.keystore.type", .string, "JKS"),
        ConfigKey("ssl.key.password", .password, nil),
        ConfigKey("ssl.truststore.location", .string, nil),
        ConfigKey("ssl.truststore.password", .password, nil),
        ConfigKey("ssl.truststore.type", .string, "JKS"),
        ConfigKey("ssl.client.auth", .string, "none"),
        ConfigKey("ssl.enabled.protocols", .list, "TLSv1.2,TLSv1.1,TLSv1"),
        ConfigKey("ssl.protocol", .string, "TLS"),
        ConfigKey("ssl.cipher.suites", .list, ""),
        ConfigKey("ssl.endpoint.identification.algorithm", .string, "https"),
        // Metrics
        ConfigKey("metric.reporters", .list, ""),
        ConfigKey("metrics.num.samples", .int, "2"),
        ConfigKey("metrics.sample.window.ms", .long, "30000"),
        ConfigKey("metrics.recording.level", .string, "INFO"),
        ConfigKey("kafka.metrics.reporters", .list, ""),
        ConfigKey("kafka.metrics.polling.interval.secs", .int, "10"),
        // This broker's own: the HTTP admin listener serving /metrics (http://host:port; unset: off).
        ConfigKey("admin.listener", .string, nil),
        ConfigKey("password.encoder.secret", .password, nil),
        ConfigKey("delegation.token.master.key", .password, nil),
    ]
}
