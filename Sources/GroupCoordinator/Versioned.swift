import KafkaProtocol
import NIOCore

/// A generated `__consumer_offsets` struct together with the version it is (or is to be) written at.
public struct Versioned<Data: OffsetsTopicData>: Sendable, Equatable {
    /// The int16 that precedes the struct's bytes; always within `Data.versions`.
    public let version: Int16
    public var data: Data

    /// A value at `version`, which must be one of `Data.versions` (a programming error otherwise).
    public init(_ data: Data, version: Int16) {
        precondition(Data.versions.contains(version), "\(Data.self) has no version \(version)")
        self.data = data
        self.version = version
    }

    /// The version, then the struct written at that version.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(version)
        data.write(into: &buffer, version: version)
        return buffer
    }
}

/// The generated keys and values of `__consumer_offsets`: codecs that declare their versions.
public protocol OffsetsTopicData: KafkaCodable {
    static var versions: ClosedRange<Int16> { get }
}

extension OffsetCommitKey: OffsetsTopicData {}
extension OffsetCommitValue: OffsetsTopicData {}
extension GroupMetadataKey: OffsetsTopicData {}
extension GroupMetadataValue: OffsetsTopicData {}
