import KafkaCommon
import ZooKeeper

/// The controller's znodes: election through `/controller`, the epoch in `/controller_epoch`, and
/// writes fenced by that epoch's znode version.
extension KafkaZkClient {
    /// The active controller's id, or nil when there is none. With `watch`, arms an exists watch
    /// on `/controller` (fires on creation, change and deletion).
    public func controllerId(watch: Bool = false) async throws -> BrokerId? {
        if watch {
            guard try await zooKeeper.exists(ControllerZNode.path, watch: true) != nil else { return nil }
        }
        guard let (bytes, _) = try await dataIfExists(ControllerZNode.path) else { return nil }
        return try ControllerZNode.decode(bytes)
    }

    /// The epoch stored in `/controller_epoch` and that znode's version, or nil when missing.
    public func controllerEpoch() async throws -> (epoch: ControllerEpoch, zkVersion: ZkVersion)? {
        guard let (bytes, stat) = try await dataIfExists(ControllerEpochZNode.path) else { return nil }
        return (try ControllerEpochZNode.decode(bytes), ZkVersion(stat.version))
    }

    /// Tries to become the controller: creates `/controller` and bumps `/controller_epoch` in one
    /// multi whose setData expects the epoch znode's version just read. Returns the new epoch and
    /// the epoch znode's new version (the fence for every later write of this controller).
    ///
    /// Throws `controllerMoved` when another broker won. When the multi fails because the nodes
    /// already say this broker won (a retried request), that counts as success.
    public func registerControllerAndIncrementControllerEpoch(
        _ brokerId: BrokerId
    ) async throws -> (epoch: ControllerEpoch, epochZkVersion: ZkVersion) {
        let timestamp = time.milliseconds
        let existing = try await controllerEpoch()
        let (current, currentVersion) = if let existing { existing } else { try await createControllerEpochZNode() }
        let newEpoch = current.next
        do {
            let results = try await zooKeeper.multi([
                .create(path: ControllerZNode.path, data: ControllerZNode.encode(brokerId: brokerId, timestamp: timestamp),
                        mode: .ephemeral),
                .setData(path: ControllerEpochZNode.path, data: ControllerEpochZNode.encode(newEpoch),
                         version: currentVersion),
            ])
            guard case .setData(let stat) = results[1] else {
                throw KafkaZkError.controllerMoved("unexpected multi result \(results)")
            }
            return (newEpoch, ZkVersion(stat.version))
        } catch let error as ZooKeeperError where error.code == .nodeExists || error.code == .badVersion {
            // Someone wrote first: it is still ours only if both nodes say so.
            guard try await controllerId() == brokerId, let (epoch, version) = try await controllerEpoch(),
                  epoch == newEpoch
            else {
                throw KafkaZkError.controllerMoved("broker \(brokerId) lost the election for epoch \(newEpoch)")
            }
            return (epoch, version)
        }
    }

    /// Creates `/controller_epoch` with the initial epoch; if someone else created it meanwhile,
    /// reads theirs.
    private func createControllerEpochZNode() async throws -> (ControllerEpoch, ZkVersion) {
        do {
            try await zooKeeper.create(ControllerEpochZNode.path, data: ControllerEpochZNode.encode(.initial))
            return (.initial, ZkVersion(0))
        } catch let error as ZooKeeperError where error.code == .nodeExists {
            guard let existing = try await controllerEpoch() else { throw error }
            return existing
        }
    }

    /// Runs `ops` only if `/controller_epoch` still has the version this controller set when it
    /// was elected: a controller superseded by a newer one cannot write (`controllerMoved`).
    public func multiFencedByControllerEpoch(
        _ ops: [ZooKeeperOp], expectedControllerEpochZkVersion: ZkVersion
    ) async throws -> [ZooKeeperOpResult] {
        let fence = ZooKeeperOp.check(path: ControllerEpochZNode.path, version: expectedControllerEpochZkVersion)
        do {
            return Array(try await zooKeeper.multi([fence] + ops).dropFirst())
        } catch let error as ZooKeeperError where error.opResults.first == .error(.badVersion) {
            throw KafkaZkError.controllerMoved(
                "controller epoch znode version is no longer \(expectedControllerEpochZkVersion)")
        }
    }

    /// Deletes `/controller` if this controller's epoch fence still holds (a controller giving up
    /// its role; a fenced-out one leaves the node to its successor).
    public func deleteController(expectedControllerEpochZkVersion: ZkVersion) async throws {
        _ = try await multiFencedByControllerEpoch([.delete(path: ControllerZNode.path)],
                                                   expectedControllerEpochZkVersion: expectedControllerEpochZkVersion)
    }
}
