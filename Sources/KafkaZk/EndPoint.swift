/// A listener a broker serves on: `LISTENER_NAME://host:port`, with the security protocol that
/// `listener.security.protocol.map` gives that listener name (Kafka's `EndPoint`).
public struct EndPoint: Sendable, Hashable, CustomStringConvertible {
    public var listenerName: String
    public var securityProtocol: SecurityProtocol
    /// Empty means "all interfaces" for a bind address.
    public var host: String
    public var port: Int32

    public init(listenerName: String, securityProtocol: SecurityProtocol, host: String, port: Int32) {
        self.listenerName = listenerName
        self.securityProtocol = securityProtocol
        self.host = host
        self.port = port
    }

    /// `NAME://host:port`; IPv6 hosts in brackets.
    public var connectionString: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(listenerName)://\(hostPart):\(port)"
    }

    public var description: String { connectionString }

    /// Parses `NAME://host:port` (host may be empty or a bracketed IPv6 address), looking the
    /// security protocol up in `protocolMap` by listener name.
    public static func parse(_ text: String, protocolMap: [String: SecurityProtocol]) throws(EndPointError) -> EndPoint {
        guard let separator = text.range(of: "://") else { throw .malformed(text) }
        let name = String(text[..<separator.lowerBound])
        let rest = text[separator.upperBound...]
        guard !name.isEmpty, let colon = rest.lastIndex(of: ":") else { throw .malformed(text) }
        var host = String(rest[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = Int32(rest[rest.index(after: colon)...]), (0...65535).contains(port) else {
            throw .malformed(text)
        }
        let upper = name.uppercased()
        guard let securityProtocol = protocolMap[upper] else { throw .unknownListener(upper) }
        return EndPoint(listenerName: upper, securityProtocol: securityProtocol, host: host, port: port)
    }
}

public enum EndPointError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case unknownListener(String)

    public var description: String {
        switch self {
        case .malformed(let text): "malformed listener '\(text)': expected NAME://host:port"
        case .unknownListener(let name): "listener name \(name) is not in listener.security.protocol.map"
        }
    }
}

/// Kafka's security protocols, as named in listener maps.
public enum SecurityProtocol: String, Sendable, Hashable, CaseIterable {
    case plaintext = "PLAINTEXT"
    case ssl = "SSL"
    case saslPlaintext = "SASL_PLAINTEXT"
    case saslSsl = "SASL_SSL"

    /// The default `listener.security.protocol.map`: every protocol maps to the listener of its name.
    public static let defaultMap: [String: SecurityProtocol] =
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })
}
