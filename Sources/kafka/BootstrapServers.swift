import Foundation
import ArgumentParser

/// `--bootstrap-server HOST:PORT[,HOST:PORT…]`: the brokers to ask for metadata first.
struct BootstrapServers: ExpressibleByArgument, Sendable, Equatable {
    struct Address: Sendable, Equatable, CustomStringConvertible {
        var host: String
        var port: Int
        var description: String { "\(host):\(port)" }
    }

    var addresses: [Address]

    init(addresses: [Address]) { self.addresses = addresses }

    init?(argument: String) {
        var addresses: [Address] = []
        for entry in argument.split(separator: ",") {
            let text = entry.trimmingCharacters(in: .whitespaces)
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                  (1...65535).contains(port)
            else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { return nil }
            addresses.append(Address(host: host, port: port))
        }
        guard !addresses.isEmpty else { return nil }
        self.addresses = addresses
    }

    static var defaultValueDescription: String { "HOST:PORT" }
}

/// `--property key=value` and `--config key=value`.
struct KeyValue: ExpressibleByArgument, Sendable, Equatable {
    var key: String
    var value: String

    init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        key = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
    }
}

extension Array where Element == KeyValue {
    /// The last value given for `key`.
    func value(of key: String) -> String? { last { $0.key == key }?.value }

    func flag(_ key: String) -> Bool { value(of: key)?.lowercased() == "true" }
}
