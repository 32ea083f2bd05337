/// The APIs this codec implements, for dispatch by key and for the broker's ApiVersions answer.
///
/// Being listed here does not make the broker advertise an API: `KafkaApis` advertises only the
/// ones it has a handler for (so a codec may land before its handler).
public enum KafkaAPIs {
    /// Every API the codec implements, in key order: one per schema in `Schemas/` (all 45 of
    /// Kafka 2.3).
    public static var all: [any KafkaAPI.Type] { generated }

    /// The ApiVersions entries (key, min, max) for every implemented API (the broker filters
    /// them down to its handlers).
    public static var advertised: [ApiVersions.ApiVersion] {
        all.map { ApiVersions.ApiVersion(apiKey: $0.key, minVersion: $0.versions.lowerBound, maxVersion: $0.versions.upperBound) }
    }
}

extension ApiKey {
    /// The implementation of this API in the codec, nil if it has none.
    public var api: (any KafkaAPI.Type)? {
        guard rawValue >= 0, Int(rawValue) < KafkaAPIs.byKey.count else { return nil }
        return KafkaAPIs.byKey[Int(rawValue)]
    }
}

extension KafkaAPIs {
    /// ``all`` indexed by key, for the request path's lookup of every request's API.
    static let byKey: [(any KafkaAPI.Type)?] = {
        var table: [(any KafkaAPI.Type)?] = Array(repeating: nil, count: Int(all.map { $0.key.rawValue }.max() ?? -1) + 1)
        for api in all { table[Int(api.key.rawValue)] = api }
        return table
    }()
}
