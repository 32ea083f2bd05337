import Foundation

extension ZooKeeperTxn {
    /// The transaction as one line of JSON for scripts (the controller benchmark measures from
    /// these): `{"zxid":…,"time":…,"session":"broker 2","expired":false,"ops":[{"op":"set",
    /// "path":"/brokers/topics/t/partitions/0/state","version":3,"data":"{…}"}]}`. Paths are
    /// relative to `chroot`; operations outside it are left out. `session` is the broker that
    /// registered with the session, or its id in hex.
    public func jsonLine(chroot: String, sessionName: String) -> String {
        let timeline = LabTimeline(chroot: chroot)
        var ops: [[String: Any]] = []
        for operation in operations {
            switch operation {
            case .create(let path, let data, let ephemeral):
                if let path = timeline.relative(path) {
                    ops.append(["op": "create", "path": path, "version": 0, "ephemeral": ephemeral, "data": LabTimeline.text(data)])
                }
            case .setData(let path, let data, let version):
                if let path = timeline.relative(path) { ops.append(["op": "set", "path": path, "version": version, "data": LabTimeline.text(data)]) }
            case .delete(let path):
                if let path = timeline.relative(path) { ops.append(["op": "delete", "path": path]) }
            case .check(let path, let version):
                if let path = timeline.relative(path) { ops.append(["op": "check", "path": path, "version": version - 1]) }
            case .closeSession(let ephemerals):
                ops.append(["op": "closeSession", "ephemerals": ephemerals.compactMap(timeline.relative)])
            case .createSession(let timeout):
                ops.append(["op": "createSession", "timeoutMs": timeout])
            case .error(let code):
                ops.append(["op": "error", "code": code])
            case .setAcl, .other:
                break
            }
        }
        let object: [String: Any] = ["zxid": zxid, "time": time, "session": sessionName, "expired": cxid == 0, "ops": ops]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
