/// The APIs this codec implements, for dispatch by key and for the broker's ApiVersions answer.
///
/// Being listed here does not make the broker advertise an API: `KafkaApis` advertises only the
/// ones it has a handler for (so a codec may land before its handler).
public enum KafkaAPIs {
    /// Every implemented API, in key order: the generated codecs and the hand-written ones not yet
    /// replaced by a schema.
    public static let all: [any KafkaAPI.Type] = (generated + handWritten).sorted { $0.key < $1.key }

    /// APIs whose codec is still written by hand in `Messages/` (shrinking to none as schemas land).
    static let handWritten: [any KafkaAPI.Type] = []

    /// The ApiVersions entries (key, min, max) for every implemented API (the broker filters
    /// them down to its handlers).
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
