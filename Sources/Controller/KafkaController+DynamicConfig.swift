/// The controller's part in dynamic broker configs (Kafka's `DynamicLogConfig.reconfigure`
/// calling `KafkaController.enableDefaultUncleanLeaderElection`).
extension KafkaController {
    /// The broker-wide `unclean.leader.election.enable` changed (a dynamic broker config). The
    /// new value reaches the controller through its event queue, so an election already running
    /// finishes with the old one and every later one sees the new one.
    public nonisolated func updateDefaultUncleanLeaderElection(_ enabled: Bool) {
        eventManager.put(.uncleanLeaderElectionEnable(enabled: enabled))
    }

    /// Kafka's `UncleanLeaderElectionEnable` event: keeps the new default; once it is enabled an
    /// active controller tries every new and offline partition again, as it does for one topic
    /// whose own config enables it.
    func processUncleanLeaderElectionEnable(_ enabled: Bool) async throws {
        let wasEnabled = uncleanLeaderElectionEnable
        uncleanLeaderElectionEnable = enabled
        guard enabled, !wasEnabled, isActive else { return }
        logger.info("[Controller id=\(brokerId)] Unclean leader election has been enabled by default")
        var batch = ControllerBrokerRequestBatch()
        try await triggerOnlinePartitionStateChange(&batch)
        sendRequests(batch)
    }
}
