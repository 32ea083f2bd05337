import Foundation
import KafkaCommon

/// The broker settings of the log cleaner (Kafka's `CleanerConfig`), from the `log.cleaner.*`
/// keys. The per-topic policies it applies (`min.cleanable.dirty.ratio`, `min.compaction.lag.ms`,
/// `max.compaction.lag.ms`, `delete.retention.ms`, with their `log.cleaner.*` broker defaults)
/// are in each log's `LogConfig`.
public struct LogCleanerConfig: Sendable, Equatable {
    /// `log.cleaner.threads`.
    public var numThreads = 1
    /// `log.cleaner.dedupe.buffer.size`: the offset maps' memory, shared out across the threads.
    public var dedupeBufferSize: Int64 = 128 * 1024 * 1024
    /// `log.cleaner.io.buffer.load.factor`: how full an offset map may get.
    public var dedupeBufferLoadFactor = 0.9
    /// `log.cleaner.io.buffer.size`: the I/O buffers' memory per thread (half for reading).
    public var ioBufferSize = 512 * 1024
    /// `message.max.bytes`: the largest read buffer a batch may need.
    public var maxMessageSize = 1_000_012
    /// `log.cleaner.io.max.bytes.per.second`: what all threads read and write together.
    public var maxIoBytesPerSecond = Double.greatestFiniteMagnitude
    /// `log.cleaner.backoff.ms`: how long a thread sleeps when no log needs cleaning.
    public var backOffMs: Int64 = 15_000
    /// `log.cleaner.enable`.
    public var enableCleaner = true

    public init() {}

    /// The broker keys a running cleaner takes at run time (Kafka 2.3's
    /// `LogCleaner.ReconfigurableConfigs`): a change to any of them rebuilds the cleaner threads
    /// (`LogCleaner.reconfigure`).
    public static let reconfigurableKeys: Set<String> = [
        "log.cleaner.threads", "log.cleaner.dedupe.buffer.size", "log.cleaner.io.buffer.load.factor",
        "log.cleaner.io.buffer.size", "message.max.bytes", "log.cleaner.io.max.bytes.per.second", "log.cleaner.backoff.ms",
    ]

    /// The reconfigurable settings but the thread count, as `key=value` (the reconfiguration's log line).
    public var reconfigurableSummary: String {
        "log.cleaner.dedupe.buffer.size=\(dedupeBufferSize), log.cleaner.io.buffer.load.factor=\(dedupeBufferLoadFactor), "
            + "log.cleaner.io.buffer.size=\(ioBufferSize), message.max.bytes=\(maxMessageSize), "
            + "log.cleaner.io.max.bytes.per.second=\(maxIoBytesPerSecond), log.cleaner.backoff.ms=\(backOffMs)"
    }

    /// The settings from `server.properties` keys (absent keys keep Kafka 2.3's defaults), with
    /// Kafka's validation: `log.cleaner.threads`, `log.cleaner.io.buffer.size` and
    /// `log.cleaner.backoff.ms` at least 0, and `log.cleaner.dedupe.buffer.size` more than 1 MiB
    /// per cleaner thread when the cleaner is enabled.
    public init(brokerProperties properties: [String: String]) throws {
        self.init()
        func text(_ key: String) -> String? { properties[key]?.trimmingCharacters(in: .whitespaces) }
        func long(_ key: String, atLeast minimum: Int64) throws -> Int64? {
            guard let value = text(key) else { return nil }
            guard let number = Int64(value), number >= minimum else { throw LogConfigError.invalidValue(key: key, value: value) }
            return number
        }
        func double(_ key: String) throws -> Double? {
            guard let value = text(key) else { return nil }
            guard let number = Double(value) else { throw LogConfigError.invalidValue(key: key, value: value) }
            return number
        }
        if let value = text("log.cleaner.enable") {
            guard ["true", "false"].contains(value.lowercased()) else {
                throw LogConfigError.invalidValue(key: "log.cleaner.enable", value: value)
            }
            enableCleaner = value.lowercased() == "true"
        }
        if let value = try long("log.cleaner.threads", atLeast: 0) { numThreads = Int(clamping: value) }
        if let value = try long("log.cleaner.dedupe.buffer.size", atLeast: Int64.min) { dedupeBufferSize = value }
        if let value = try double("log.cleaner.io.buffer.load.factor") { dedupeBufferLoadFactor = value }
        if let value = try long("log.cleaner.io.buffer.size", atLeast: 0) { ioBufferSize = Int(clamping: value) }
        if let value = try double("log.cleaner.io.max.bytes.per.second") { maxIoBytesPerSecond = value }
        if let value = try long("log.cleaner.backoff.ms", atLeast: 0) { backOffMs = value }
        if let value = try long("message.max.bytes", atLeast: 0) { maxMessageSize = Int(clamping: value) }
        if enableCleaner, numThreads > 0, dedupeBufferSize / Int64(numThreads) <= 1024 * 1024 {
            throw LogConfigError.invalidValue(
                key: "log.cleaner.dedupe.buffer.size", value: "\(dedupeBufferSize) (must be at least 1MB per cleaner thread)")
        }
    }

    /// Each thread's offset map memory: an equal share of `dedupeBufferSize`, at most 2 GiB
    /// (Kafka warns and ignores the excess).
    public var readBufferSizePerThread: Int { max(ioBufferSize / max(numThreads, 1) / 2, 1) }

    public var offsetMapMemoryPerThread: Int {
        Int(min(dedupeBufferSize / Int64(max(numThreads, 1)), Int64(Int32.max)))
    }
}
