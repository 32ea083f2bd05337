import KafkaCommon
import KafkaZk
import ZooKeeper

/// ISR changes made by partition leaders (Kafka's `IsrChangeNotification` event). A leader that
/// expands or shrinks an ISR writes the state znode itself, then (batched) announces the
/// partitions under `/isr_change_notification/isr_change_<seq>`. The controller, watching that
/// path's children, reads every notification, re-reads the named partitions' state znodes into
/// its context, sends UpdateMetadata for them to every live broker, and deletes the
/// notifications it read — each with a controller-epoch-fenced delete, as Kafka does, and even
/// when some could not be decoded. Partitions of unknown topics and of topics being deleted are
/// skipped.
extension KafkaController {
    func processIsrChangeNotification() async throws {
        guard isActive else { return }
        // Listing the children arms the watch again.
        let names = try await zkClient.isrChangeNotifications(watch: true)
        guard !names.isEmpty else { return }
        do {
            var notifications: [(name: String, data: [UInt8])] = []
            for name in names {
                if let data = try await zkClient.isrChangeNotification(name) { notifications.append((name, data)) }
            }
            let (partitions, corrupt) = IsrChangeNotifications.decode(notifications)
            for name in corrupt {
                logger.warning("[Controller id=\(brokerId)] Ignoring ISR change notification \(name): it cannot be decoded")
            }
            let refreshed = context.partitionsToRefresh(afterIsrChange: partitions)
            if !refreshed.isEmpty {
                for (tp, state) in try await zkClient.partitionStates(refreshed) {
                    context.partitionLeadership[tp] = state
                }
                sendUpdateMetadata(to: context.liveBrokers.keys.sorted(), partitions: refreshed)
                // Partitions being reassigned may have every target replica in the ISR now.
                for tp in refreshed where context.partitionsBeingReassigned[tp] != nil {
                    eventManager.put(.partitionReassignmentIsrChange(tp))
                }
            }
        } catch let error as ZooKeeperError where error.code.isRetriable {
            // Kept for the retry of this event, which must read them again.
            throw error
        } catch {
            try await zkClient.deleteIsrChangeNotifications(names, expectedControllerEpochZkVersion: context.epochZkVersion)
            throw error
        }
        try await zkClient.deleteIsrChangeNotifications(names, expectedControllerEpochZkVersion: context.epochZkVersion)
    }
}
