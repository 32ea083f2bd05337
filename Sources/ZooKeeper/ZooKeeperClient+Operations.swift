import CZooKeeper
import Glibc

/// The znode operations. Each hands one request to the C client and suspends until its
/// completion; failures throw `ZooKeeperError` naming the path.
extension ZooKeeperClient {
    /// Creates a znode and returns its actual path (with the sequence suffix for sequential modes).
    @discardableResult
    public func create(
        _ path: String, data: [UInt8] = [], acl: [ZooKeeperACL] = .openUnsafe, mode: CreateMode = .persistent
    ) async throws -> String {
        let completion = try await call(path: path) { zh, token in
            withCBytes(data) { bytes, count in
                withACLVector(acl) { vector in
                    zoo_acreate(zh, path, bytes, count, vector, mode.flags, pathCompletion, token)
                }
            }
        }
        guard case .path(let created) = completion.payload else { return path }
        return created
    }

    /// Deletes a znode if its version matches (`.any` matches all).
    public func delete(_ path: String, version: ZkVersion = .any) async throws {
        _ = try await call(path: path) { zh, token in
            zoo_adelete(zh, path, version.rawValue, voidCompletion, token)
        }
    }

    /// The node's Stat, or nil when it does not exist. With `watch`, arms a watch that fires on
    /// creation, deletion or data change, whichever comes first.
    public func exists(_ path: String, watch: Bool = false) async throws -> ZooKeeperStat? {
        do {
            let completion = try await call(path: path) { zh, token in
                zoo_aexists(zh, path, watch ? 1 : 0, statCompletion, token)
            }
            guard case .stat(let stat) = completion.payload else { return ZooKeeperStat() }
            return stat
        } catch let error as ZooKeeperError where error.code == .noNode {
            return nil
        }
    }

    /// The node's data and Stat. With `watch`, arms a watch for its deletion or data change.
    public func data(_ path: String, watch: Bool = false) async throws -> (data: [UInt8], stat: ZooKeeperStat) {
        let completion = try await call(path: path) { zh, token in
            zoo_aget(zh, path, watch ? 1 : 0, dataCompletion, token)
        }
        guard case .data(let bytes, let stat) = completion.payload else { return ([], ZooKeeperStat()) }
        return (bytes ?? [], stat)
    }

    /// Replaces the node's data if its version matches; returns the new Stat.
    @discardableResult
    public func setData(_ path: String, data: [UInt8], version: ZkVersion = .any) async throws -> ZooKeeperStat {
        let completion = try await call(path: path) { zh, token in
            withCBytes(data) { bytes, count in
                zoo_aset(zh, path, bytes, count, version.rawValue, statCompletion, token)
            }
        }
        guard case .stat(let stat) = completion.payload else { return ZooKeeperStat() }
        return stat
    }

    /// The names (not paths) of the node's children, unsorted, and the node's Stat. With `watch`,
    /// arms a watch for a change of the children or the node's deletion.
    public func children(_ path: String, watch: Bool = false) async throws -> (names: [String], stat: ZooKeeperStat) {
        let completion = try await call(path: path) { zh, token in
            zoo_aget_children2(zh, path, watch ? 1 : 0, childrenCompletion, token)
        }
        guard case .children(let names, let stat) = completion.payload else { return ([], ZooKeeperStat()) }
        return (names, stat)
    }

    /// Runs the operations as one transaction. On failure throws the first failing operation's
    /// error, with its path and the outcome of every operation in `opResults`.
    public func multi(_ ops: [ZooKeeperOp]) async throws -> [ZooKeeperOpResult] {
        guard !ops.isEmpty else { return [] }
        let buffers = MultiBuffers(ops: ops)
        let completion: Completion
        do {
            completion = try await call(path: nil, keepAlive: buffers) { zh, token in
                buffers.withCOps { cOps in
                    zoo_amulti(zh, Int32(ops.count), cOps, buffers.results, voidCompletion, token)
                }
            }
        } catch var error as ZooKeeperError {
            if MultiBuffers.isServerAnswer(error.code) {
                error.opResults = buffers.decode(ops)
                let failing = zip(ops, error.opResults).first { $0.1 == .error(error.code) }
                error.path = failing?.0.path
            }
            throw error
        }
        _ = completion
        return buffers.decode(ops)
    }

    /// Creates `path` and any missing parents as persistent nodes with empty data; existing
    /// nodes are left as they are.
    public func createRecursive(_ path: String, data: [UInt8] = [], acl: [ZooKeeperACL] = .openUnsafe) async throws {
        do {
            try await create(path, data: data, acl: acl)
        } catch let error as ZooKeeperError where error.code == .noNode {
            let parent = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
            if !parent.isEmpty { try await createRecursive(parent, acl: acl) }
            do {
                try await create(path, data: data, acl: acl)
            } catch let error as ZooKeeperError where error.code == .nodeExists {}
        } catch let error as ZooKeeperError where error.code == .nodeExists {}
    }

    /// Hands one request to the C client. `submit` receives the open handle and the token to pass
    /// as the completion's `data`; its return code is the C call's own (non-zero: not queued).
    ///
    /// The request waits while the session is not connected and is sent again after a lost
    /// connection, within its session (`RequestAdmission`); `submit` may therefore run more than
    /// once. It fails with `.sessionExpired` when its session ends, `.closing` when the client closes.
    func call(
        path: String?, keepAlive: AnyObject? = nil,
        _ submit: (OpaquePointer, UnsafeRawPointer?) -> Int32
    ) async throws -> Completion {
        let retained = KeepAlive(keepAlive)
        var session = sessionOfNewRequest()
        while true {
            let started = ContinuousClock.now
            let attempt: Attempt = await withCheckedContinuation { continuation in
                state.withLock { state in
                    let admission = Self.admission(session: session, state)
                    guard case .submit(let handleId) = admission, let handle = state.handle else {
                        continuation.resume(returning: .notSubmitted(admission))
                        return
                    }
                    let token = PendingCalls.shared.register(handle: handleId) { completion in
                        _ = retained
                        continuation.resume(returning: .completed(handleId: handleId, completion))
                    }
                    let rc = submit(handle.raw, PendingCalls.pointer(for: token))
                    if rc != 0 {
                        PendingCalls.shared.complete(token, with: .failed(ZooKeeperError.Code(rawValue: rc)))
                    }
                }
            }
            switch attempt {
            case .notSubmitted(.fail(let code)):
                throw ZooKeeperError(code, path: path)
            case .notSubmitted:
                try await waitForAdmission(session: session, path: path)
            case .completed(let handleId, let completion):
                stats.completed(after: ContinuousClock.now - started)
                if completion.rc == 0 { return completion }
                let code = ZooKeeperError.Code(rawValue: completion.rc)
                guard RequestAdmission.isRetried(code), state.withLock({ $0.waitsForConnection }) else {
                    throw ZooKeeperError(code, path: path)
                }
                session = handleId
                try await waitForAdmission(session: session, path: path)
            }
        }
    }
}

/// Keeps buffers that C writes into alive until the call that owns them has finished.
private struct KeepAlive: @unchecked Sendable {
    let object: AnyObject?
    init(_ object: AnyObject?) { self.object = object }
}

/// Passes `bytes` to C as a `const char *` and length; empty data is sent as empty, not null.
func withCBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>, Int32) -> R) -> R {
    if bytes.isEmpty { return "".withCString { body($0, 0) } }
    return bytes.withUnsafeBytes { raw in
        // Non-empty (checked above), so the base address exists.
        body(raw.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(raw.count))
    }
}

/// Passes an ACL list to C as a `struct ACL_vector` valid for the duration of `body` (the C
/// client serializes requests during the call, so it keeps no pointer to it).
func withACLVector<R>(_ acl: [ZooKeeperACL], _ body: (UnsafeMutablePointer<ACL_vector>) -> R) -> R {
    if acl == .openUnsafe { return body(czk_open_acl_unsafe()) }
    let entries = UnsafeMutablePointer<ACL>.allocate(capacity: max(acl.count, 1))
    var strings: [UnsafeMutablePointer<CChar>] = []
    for (index, entry) in acl.enumerated() {
        // strdup fails only when memory is exhausted; there is nothing better to do than stop.
        let scheme = strdup(entry.scheme)!
        let id = strdup(entry.id)!
        strings.append(scheme)
        strings.append(id)
        entries[index] = ACL(perms: entry.permissions.rawValue, id: Id(scheme: scheme, id: id))
    }
    defer {
        for string in strings { free(string) }
        entries.deallocate()
    }
    var vector = ACL_vector(count: Int32(acl.count), data: entries)
    return withUnsafeMutablePointer(to: &vector) { body($0) }
}
