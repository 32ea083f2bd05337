import Foundation
import KafkaCommon

/// `meta.properties` in every log directory (Kafka's `BrokerMetadataCheckpoint`): which broker and
/// which cluster the data belongs to. Java properties text:
///
///     #
///     #Sat Nov 21 21:55:28 UTC 2026
///     version=0
///     broker.id=1
///     cluster.id=Hq7nTEMxQ8KdyMx6tHa1Yw
///
/// Written to a temporary file, synced and renamed over the old one, so a crash leaves either
/// the old or the new content.
public struct BrokerMetadata: Sendable, Equatable {
    public var brokerId: BrokerId
    public var clusterId: String?

    public init(brokerId: BrokerId, clusterId: String?) {
        self.brokerId = brokerId
        self.clusterId = clusterId
    }
}

public struct BrokerMetadataCheckpoint: Sendable {
    public static let fileName = "meta.properties"
    public let url: URL

    public init(directory: String) {
        url = URL(fileURLWithPath: directory).appendingPathComponent(Self.fileName)
    }

    /// The stored metadata, nil when the file does not exist; a malformed file is an error that
    /// names it.
    public func read() throws -> BrokerMetadata? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let text = try String(contentsOf: url, encoding: .utf8)
        let properties = JavaProperties(parsing: text)
        guard let version = properties["version"], version == "0" else {
            throw ConfigError(file: url.path, key: "version",
                              message: "unrecognized meta.properties version \(properties["version"] ?? "(none)")")
        }
        guard let idText = properties["broker.id"], let id = Int32(idText) else {
            throw ConfigError(file: url.path, key: "broker.id", message: "missing or malformed broker.id")
        }
        return BrokerMetadata(brokerId: BrokerId(id), clusterId: properties["cluster.id"])
    }

    public func write(_ metadata: BrokerMetadata) throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE MMM dd HH:mm:ss zzz yyyy"
        var text = "#\n#\(formatter.string(from: Date()))\n"
        text += "version=0\n"
        text += "broker.id=\(metadata.brokerId)\n"
        if let clusterId = metadata.clusterId { text += "cluster.id=\(clusterId)\n" }
        let temporary = url.appendingPathExtension("tmp")
        let data = Data(text.utf8)
        _ = FileManager.default.createFile(atPath: temporary.path, contents: nil)
        let handle = try FileHandle(forWritingTo: temporary)
        try handle.write(contentsOf: data)
        try handle.synchronize()
        try handle.close()
        if rename(temporary.path, url.path) != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }
}
