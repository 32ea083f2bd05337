import Foundation
import KafkaStorage

/// The log cleaner's dynamic keys (Kafka 2.3's `LogCleaner.ReconfigurableConfigs`) in the
/// broker's layers: their validation and the `LogCleanerConfig` they give.
extension BrokerConfigLayers {
    /// The cleaner settings these layers give (`log.cleaner.enable` and the rest from the static
    /// file, the reconfigurable keys from the highest layer that sets them).
    public func cleanerConfig() throws -> LogCleanerConfig { try LogCleanerConfig(brokerProperties: effective) }

    /// Kafka's checks of the cleaner keys of a new override set: each value within its key's
    /// range (`log.cleaner.io.buffer.size` and `log.cleaner.backoff.ms` at least 0), and, with
    /// `next` (the layers the set would give), the whole of them as Kafka's `KafkaConfig`
    /// requires: `log.cleaner.dedupe.buffer.size` more than 1 MiB per cleaner thread. Nil when
    /// they pass.
    static func invalidCleanerConfig(_ config: [String: String], next: BrokerConfigLayers?) -> InvalidConfig? {
        let own = config.filter { LogCleanerConfig.reconfigurableKeys.contains($0.key) }
        guard !own.isEmpty else { return nil }
        do {
            // Each value alone: the per-thread bound needs the thread count in effect (below).
            _ = try LogCleanerConfig(brokerProperties: own.merging(["log.cleaner.enable": "false"]) { $1 })
        } catch LogConfigError.invalidValue(let key, let value) {
            return InvalidConfig(message: "Invalid value \(value) for configuration \(key): out of range")
        } catch {
            return InvalidConfig(message: "\(error)")
        }
        if let next,
           let threads = next.value("log.cleaner.threads").flatMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }), threads > 0,
           let dedupe = next.value("log.cleaner.dedupe.buffer.size").flatMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }),
           dedupe / threads <= 1024 * 1024 {
            return InvalidConfig(message: "log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread.")
        }
        return nil
    }
}
