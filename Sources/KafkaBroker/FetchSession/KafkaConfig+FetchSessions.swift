import KafkaCommon

extension KafkaConfig {
    /// The fetch session cache the broker runs with: `max.incremental.fetch.session.cache.slots`
    /// sessions at most (Kafka's default 1000; 0 creates none), evicted by the rules of
    /// `FetchSessionCache` with `min.incremental.fetch.session.eviction.ms` (default 120000).
    /// A negative value is a `ConfigError` naming the key, which stops start-up.
    func fetchSessionCache() throws -> FetchSessionCache {
        let slots = integer("max.incremental.fetch.session.cache.slots")
        let evictionMs = integer("min.incremental.fetch.session.eviction.ms")
        let reader = ConfigReader(properties: properties, file: file)
        guard slots >= 0 else {
            throw reader.invalid("max.incremental.fetch.session.cache.slots", "\(slots)", "Value must be at least 0")
        }
        guard evictionMs >= 0 else {
            throw reader.invalid("min.incremental.fetch.session.eviction.ms", "\(evictionMs)", "Value must be at least 0")
        }
        return FetchSessionCache(maxEntries: slots, evictionMs: Int64(evictionMs))
    }
}
