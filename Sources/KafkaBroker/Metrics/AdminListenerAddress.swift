import Foundation

/// Where a broker's HTTP admin listener binds (`admin.listener`, e.g. `http://127.0.0.1:9404`):
/// `/metrics` in the Prometheus text format. Unset: no admin listener, and no metrics are kept.
///
/// Invariant: `host` is non-empty (an IPv6 address without its brackets), `port` in 0...65535
/// (0: the kernel chooses; `KafkaServer.boundAdminListener` tells which).
public struct AdminListenerAddress: Sendable, Equatable, CustomStringConvertible {
    public static let key = "admin.listener"

    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `http://HOST:PORT` (`[v6]` brackets allowed); nil for anything else.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("http://") else { return nil }
        var rest = Substring(trimmed.dropFirst("http://".count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        let hostPart: Substring
        let portPart: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            guard after.hasPrefix(":") else { return nil }
            portPart = after.dropFirst()
        } else {
            guard let colon = rest.lastIndex(of: ":") else { return nil }
            hostPart = rest[..<colon]
            portPart = rest[rest.index(after: colon)...]
        }
        guard !hostPart.isEmpty, !hostPart.contains("/"), let port = Int(portPart), (0...65535).contains(port) else {
            return nil
        }
        self.init(host: String(hostPart), port: port)
    }

    public var description: String { host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)" }

    /// The key's value from a broker config: nil when unset or empty; a `ConfigError` naming the
    /// key when it is not an `http://host:port` address.
    static func read(_ reader: ConfigReader) throws -> AdminListenerAddress? {
        guard let text = try reader.optionalString(key), !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            return nil
        }
        guard let address = AdminListenerAddress(parsing: text) else {
            throw reader.invalid(key, text, "must be an address of the form http://host:port (e.g. http://127.0.0.1:9404)")
        }
        return address
    }
}
