/// A frame or field that cannot be decoded. The socket server answers it by closing the
/// connection it came on (Kafka's behaviour for unparseable requests); inside a request, a
/// per-partition problem is an error code in the response instead.
public enum KafkaProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The buffer ended before the field did; the associated text names the field.
    case truncated(String)
    /// The bytes are there but make no sense (negative length, overlong varint, bad magic, …).
    case malformed(String)
    /// An API key this broker does not know, or a version outside what it supports.
    case unsupportedVersion(apiKey: Int16, version: Int16)

    public var description: String {
        switch self {
        case .truncated(let field): "truncated \(field)"
        case .malformed(let reason): "malformed: \(reason)"
        case .unsupportedVersion(let key, let version): "unsupported version \(version) of API key \(key)"
        }
    }
}
