import Dispatch
import Foundation
import Glibc
import Logging

/// SIGTERM and SIGINT shut the broker down in order and exit 0 (Kafka's shutdown hook). The
/// signals are taken from their default action and delivered to dispatch sources on a queue of
/// their own; the returned sources must be kept alive.
public func installShutdownSignalHandlers(_ server: KafkaServer, logger: Logger) -> [any DispatchSourceSignal] {
    signal(SIGTERM, SIG_IGN)
    signal(SIGINT, SIG_IGN)
    signal(SIGPIPE, SIG_IGN)
    let queue = DispatchQueue(label: "kafka-server.signals")
    return [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")].map { number, name in
        let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
        source.setEventHandler { @Sendable in
            logger.info("Terminating process due to signal \(name)")
            Task {
                await server.shutdown()
                exit(0)
            }
        }
        source.resume()
        return source
    }
}
