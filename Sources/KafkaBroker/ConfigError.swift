/// A configuration that stops start-up; the message names the file and the key, as an operator
/// needs to fix it.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    public var key: String
    public var message: String

    public init(file: String?, key: String, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        let location = file.map { " in \($0)" } ?? ""
        return "Invalid configuration \(key)\(location): \(message)"
    }
}
