import CZooKeeper
import Glibc

/// The C memory of one `multi` call.
///
/// The request itself (`zoo_op_t` array, paths, data, ACLs) is serialized by `zoo_amulti` during
/// the call, so it lives only inside `withCOps`. The result array, the created-path buffers and the
/// Stat buffers are written by the C client when the answer arrives, so they live as long as this
/// object, which the pending call keeps alive until it has finished (see `PendingCalls`).
///
/// `@unchecked Sendable`: C writes the result memory before it runs the completion, and Swift reads
/// it only after that completion (or after the handle is closed), never concurrently.
final class MultiBuffers: @unchecked Sendable {
    static let pathBufferLength = 1024

    let count: Int
    let results: UnsafeMutablePointer<zoo_op_result_t>
    private let pathBuffers: [UnsafeMutablePointer<CChar>?]
    private let stats: [UnsafeMutablePointer<Stat>?]
    private let ops: [ZooKeeperOp]

    init(ops: [ZooKeeperOp]) {
        self.ops = ops
        count = ops.count
        results = .allocate(capacity: ops.count)
        results.initialize(repeating: zoo_op_result_t(), count: ops.count)
        pathBuffers = ops.map { op in
            guard case .create = op else { return nil }
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Self.pathBufferLength)
            buffer.initialize(repeating: 0, count: Self.pathBufferLength)
            return buffer
        }
        stats = ops.map { op in
            guard case .setData = op else { return nil }
            let stat = UnsafeMutablePointer<Stat>.allocate(capacity: 1)
            stat.initialize(to: Stat())
            return stat
        }
    }

    deinit {
        results.deallocate()
        for buffer in pathBuffers { buffer?.deallocate() }
        for stat in stats { stat?.deallocate() }
    }

    /// Builds the `zoo_op_t` array for the duration of `body`.
    func withCOps<R>(_ body: (UnsafePointer<zoo_op_t>) -> R) -> R {
        let cOps = UnsafeMutablePointer<zoo_op_t>.allocate(capacity: count)
        cOps.initialize(repeating: zoo_op_t(), count: count)
        var allocations: [UnsafeMutableRawPointer] = []
        var aclVectors: [UnsafeMutablePointer<ACL_vector>] = []
        defer {
            for pointer in allocations { free(pointer) }
            for vector in aclVectors {
                if vector.pointee.data != nil {
                    for index in 0..<Int(vector.pointee.count) {
                        free(vector.pointee.data[index].id.scheme)
                        free(vector.pointee.data[index].id.id)
                    }
                    vector.pointee.data.deallocate()
                }
                vector.deallocate()
            }
            cOps.deallocate()
        }
        func cString(_ string: String) -> UnsafeMutablePointer<CChar> {
            // strdup and malloc fail only when memory is exhausted (not input-driven).
            let copy = strdup(string)!
            allocations.append(UnsafeMutableRawPointer(copy))
            return copy
        }
        func cBytes(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar> {
            let copy = malloc(max(bytes.count, 1))!
            bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress { copy.copyMemory(from: base, byteCount: raw.count) }
            }
            allocations.append(copy)
            return copy.assumingMemoryBound(to: CChar.self)
        }
        func cACL(_ acl: [ZooKeeperACL]) -> UnsafeMutablePointer<ACL_vector> {
            if acl == .openUnsafe { return czk_open_acl_unsafe() }
            let entries = UnsafeMutablePointer<ACL>.allocate(capacity: max(acl.count, 1))
            for (index, entry) in acl.enumerated() {
                entries[index] = ACL(perms: entry.permissions.rawValue, id: Id(scheme: strdup(entry.scheme), id: strdup(entry.id)))
            }
            let vector = UnsafeMutablePointer<ACL_vector>.allocate(capacity: 1)
            vector.initialize(to: ACL_vector(count: Int32(acl.count), data: entries))
            aclVectors.append(vector)
            return vector
        }
        for (index, op) in ops.enumerated() {
            let target = cOps + index
            switch op {
            case .create(let path, let data, let acl, let mode):
                zoo_create_op_init(target, cString(path), cBytes(data), Int32(data.count), cACL(acl), mode.flags,
                                   pathBuffers[index], Int32(Self.pathBufferLength))
            case .delete(let path, let version):
                zoo_delete_op_init(target, cString(path), version.rawValue)
            case .setData(let path, let data, let version):
                zoo_set_op_init(target, cString(path), cBytes(data), Int32(data.count), version.rawValue, stats[index])
            case .check(let path, let version):
                zoo_check_op_init(target, cString(path), version.rawValue)
            }
        }
        return body(UnsafePointer(cOps))
    }

    /// True when the C client filled the result array (the server answered), false when the call
    /// failed locally (connection loss, expiry, close) and the results were never written.
    static func isServerAnswer(_ code: ZooKeeperError.Code) -> Bool {
        switch code {
        case .connectionLoss, .sessionExpired, .closing, .operationTimeout, .invalidState, .marshallingError,
             .systemError, .badArguments:
            false
        default:
            true
        }
    }

    func decode(_ ops: [ZooKeeperOp]) -> [ZooKeeperOpResult] {
        ops.enumerated().map { index, op in
            let result = results[index]
            if result.err != 0 { return .error(ZooKeeperError.Code(rawValue: result.err)) }
            switch op {
            case .create(let path, _, _, _):
                guard let buffer = pathBuffers[index], buffer.pointee != 0 else { return .created(path: path) }
                return .created(path: String(cString: buffer))
            case .delete: return .deleted
            case .setData: return .setData(stats[index].map { ZooKeeperStat($0.pointee) } ?? ZooKeeperStat())
            case .check: return .checked
            }
        }
    }
}
