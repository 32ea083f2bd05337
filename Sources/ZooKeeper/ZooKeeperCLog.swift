import CZooKeeper
import Logging
import Synchronization

/// Routes the C client's own log lines into swift-log (label `zookeeper.c`), at warning level and
/// above: the C client is chatty at info.
enum ZooKeeperCLog {
    static let logger = Logger(label: "zookeeper.c")
    private static let configured = Atomic<Bool>(false)

    static func configureOnce() {
        guard configured.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        zoo_set_debug_level(ZOO_LOG_LEVEL_WARN)
    }
}

let zooKeeperCLogCallback: log_callback_fn = { message in
    guard let message else { return }
    let text = String(cString: message)
    if text.contains("ZOO_ERROR") {
        ZooKeeperCLog.logger.error("\(text)")
    } else {
        ZooKeeperCLog.logger.warning("\(text)")
    }
}
