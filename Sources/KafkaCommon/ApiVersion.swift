/// A Kafka release's protocol and message-format level, as `inter.broker.protocol.version` and
/// `message.format.version` (topic) / `log.message.format.version` (broker) name it (Kafka 2.3's
/// `kafka.api.ApiVersion`).
///
/// The known versions, oldest first, each with the record format (magic) it writes:
///
///     0.8.0  0.8.1  0.8.2  0.9.0                              magic 0
///     0.10.0-IV0 … IV1  0.10.1-IV0 … IV2  0.10.2-IV0          magic 1
///     0.11.0-IV0 … IV2  1.0-IV0  1.1-IV0  2.0-IV0 … IV1
///     2.1-IV0 … IV2  2.2-IV0 … IV1  2.3-IV0 … IV1             magic 2
///
/// A config value names one by its full version (`0.10.0-IV1`, `2.3-IV1`) or by its short
/// version (`0.10.0`, `2.3`), which means the latest internal version of that release. Parsing
/// follows Kafka: the text is cut at its dots and keyed by its first three parts when it starts
/// with `0.` and by its first two otherwise, so a patch or build number after the key is
/// ignored: `0.10.0.0` is `0.10.0`, `2.3.0` is `2.3`, `0.10.0-IV1` and `2.3-IV1` are themselves.
/// `0.10` (two parts of a `0.` version) and `3.0` (unknown) are invalid, as in Kafka 2.3.
///
/// A value type; `id` orders the versions.
public struct ApiVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The release line, e.g. `0.10.0` or `2.3`.
    public let shortVersion: String
    /// The internal version within the release (`IV0`…), empty for releases before 0.10.0.
    public let subVersion: String
    /// The record format this version writes: 0, 1 or 2 (the batch magic byte).
    public let recordVersion: Int8
    /// The position in `all`: later versions have larger ids.
    public let id: Int

    /// `0.9.0`, `0.10.0-IV1`, `2.3-IV1`: how Kafka prints it.
    public var version: String { subVersion.isEmpty ? shortVersion : "\(shortVersion)-\(subVersion)" }
    public var description: String { version }

    public static func < (lhs: ApiVersion, rhs: ApiVersion) -> Bool { lhs.id < rhs.id }

    /// Every version Kafka 2.3 knows, oldest first.
    public static let all: [ApiVersion] = {
        let releases: [(short: String, subVersions: [String], recordVersion: Int8)] = [
            ("0.8.0", [""], 0), ("0.8.1", [""], 0), ("0.8.2", [""], 0), ("0.9.0", [""], 0),
            ("0.10.0", ["IV0", "IV1"], 1), ("0.10.1", ["IV0", "IV1", "IV2"], 1), ("0.10.2", ["IV0"], 1),
            ("0.11.0", ["IV0", "IV1", "IV2"], 2), ("1.0", ["IV0"], 2), ("1.1", ["IV0"], 2), ("2.0", ["IV0", "IV1"], 2),
            ("2.1", ["IV0", "IV1", "IV2"], 2), ("2.2", ["IV0", "IV1"], 2), ("2.3", ["IV0", "IV1"], 2),
        ]
        var versions: [ApiVersion] = []
        for release in releases {
            for subVersion in release.subVersions {
                versions.append(ApiVersion(shortVersion: release.short, subVersion: subVersion,
                                           recordVersion: release.recordVersion, id: versions.count))
            }
        }
        return versions
    }()

    /// The newest version: the default of every version config (`2.3-IV1`).
    public static var latest: ApiVersion { all[all.count - 1] }

    /// Full versions, and short versions naming the latest internal version of their release.
    private static let byKey: [String: ApiVersion] = {
        var keys: [String: ApiVersion] = [:]
        for version in all {
            keys[version.version] = version
            keys[version.shortVersion] = version  // later internal versions overwrite earlier ones
        }
        return keys
    }()

    /// The version a config value names, nil when it names none (Kafka's
    /// IllegalArgumentException "Version `x` is not a valid version").
    public init?(_ versionString: String) {
        let parts = versionString.split(separator: ".", omittingEmptySubsequences: false)
        let keyLength = versionString.hasPrefix("0.") ? 3 : 2
        let key = parts.prefix(keyLength).joined(separator: ".")
        guard let found = Self.byKey[key] else { return nil }
        self = found
    }

    /// The oldest version that writes `recordVersion` (Kafka's `minSupportedFor`).
    public static func minSupported(forRecordVersion recordVersion: Int8) -> ApiVersion? {
        all.first { $0.recordVersion == recordVersion }
    }

    private init(shortVersion: String, subVersion: String, recordVersion: Int8, id: Int) {
        self.shortVersion = shortVersion
        self.subVersion = subVersion
        self.recordVersion = recordVersion
        self.id = id
    }
}
