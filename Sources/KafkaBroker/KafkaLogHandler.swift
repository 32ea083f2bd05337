import Foundation
import Glibc
import Logging
import Synchronization

/// Prints log lines the way Kafka's log4j layout does, so operators and the tests can read them
/// like Apache Kafka's: `[2026-11-21 21:55:28,123] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)`.
/// Metadata, when present, follows the message in braces.
public struct KafkaLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private static let output = Mutex(())

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        merged.removeValue(forKey: "broker")
        let suffix = merged.isEmpty ? "" : " {" + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
        let line = "[\(Self.timestamp())] \(Self.name(event.level)) \(event.message)\(suffix) (\(label))\n"
        if label == StateChangeLogTail.label {
            StateChangeLogTail.shared.append(timeMs: Int64(Date().timeIntervalSince1970 * 1000), "\(Self.name(event.level)) \(event.message)\(suffix)")
        }
        let bytes = Array(line.utf8)
        Self.output.withLock { _ in
            var written = 0
            while written < bytes.count {
                let count = bytes[written...].withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                written += count
            }
        }
    }

    static func name(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info: "INFO"
        case .notice: "INFO"
        case .warning: "WARN"
        case .error: "ERROR"
        case .critical: "FATAL"
        }
    }

    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S", &parts)
        let prefix = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let millis = now.tv_nsec / 1_000_000
        return prefix + "," + (millis < 10 ? "00" : millis < 100 ? "0" : "") + String(millis)
    }
}
