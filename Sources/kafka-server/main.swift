import Dispatch
import Foundation
import KafkaBroker
import Logging

// kafka-server <server.properties> [--override property=value]*
//
// Starts one broker. SIGTERM or SIGINT shut it down in order (the controller resigns, the broker
// deregisters, the ZooKeeper session closes) and the process exits 0. A configuration or start-up
// error exits 1 with a message naming the file and the key. KAFKA_LOG_LEVEL (trace, debug, info,
// warning, error) sets the log level; info by default.

let usage = """
    USAGE: kafka-server server.properties [--override property=value]*

    Starts a Kafka broker configured by server.properties (Kafka's key names and defaults).
    Options:
      --override property=value   set a property, overriding the file (may be repeated)
      --help                      print this help and exit
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(1)
}

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(usage)
    exit(0)
}
guard let propertiesPath = arguments.first, !propertiesPath.hasPrefix("--") else { fail(usage) }
var overrides: [String: String] = [:]
var index = 1
while index < arguments.count {
    guard arguments[index] == "--override", index + 1 < arguments.count else {
        fail("Unrecognized argument '\(arguments[index])'.\n\n\(usage)")
    }
    let pair = arguments[index + 1]
    guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
        fail("Invalid override '\(pair)': expected property=value")
    }
    overrides[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
    index += 2
}

let level = ProcessInfo.processInfo.environment["KAFKA_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
LoggingSystem.bootstrap { label in KafkaLogHandler(label: label, level: level) }
let logger = Logger(label: "kafka.Kafka")

let config: KafkaConfig
do {
    config = try KafkaConfig.load(path: propertiesPath, overrides: overrides)
} catch {
    logger.error("\(error)")
    fail("kafka-server: \(error)")
}

let server = KafkaServer(config: config)

let signalSources = installShutdownSignalHandlers(server, logger: logger)

do {
    try await server.startup()
} catch {
    fail("kafka-server: \(error)")
}

// Run until a signal ends the process.
while true {
    try? await Task.sleep(for: .seconds(3600))
    _ = signalSources
}
