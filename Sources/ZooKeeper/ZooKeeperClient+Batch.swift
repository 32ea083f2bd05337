import CZooKeeper
import Synchronization

/// Reads of many znodes at once. `data(_:watch:)` costs a task suspension, a continuation and a
/// resumption per read; a controller reading a thousand partition states pays that a thousand
/// times even with the reads pipelined. A batch hands every request to the C client under one
/// lock acquisition and collects the completions in one `BatchCompletions`, which resumes the
/// single waiting continuation when the last one arrives. The requests are pipelined on the
/// session exactly as separate calls would be; only the Swift-side bookkeeping is shared.
extension ZooKeeperClient {
    /// The data and Stat of every path, in the order given: each entry is the read's own outcome
    /// (`noNode` for a missing znode, `sessionExpired` when its session ended first), so one
    /// failure does not hide the others. With `watch`, arms a data watch on each path read.
    ///
    /// The batch follows `call`'s rules (`RequestAdmission`): it waits while the session is not
    /// connected, and reads that fail with a lost connection are sent again once the session is
    /// connected again, in the same session (reads are idempotent, so a retry answers as the
    /// first attempt would). Only the end of the session, or the client closing, fails them.
    public func data(batch paths: [String], watch: Bool = false) async
        -> [Result<(data: [UInt8], stat: ZooKeeperStat), ZooKeeperError>]
    {
        await completions(of: paths.map { BatchRead(path: $0, children: false, watch: watch) }).map { Self.dataResult($0.0, $0.1) }
    }

    /// The children of `parent` (with a child watch when `watchChildren`) and the data and Stat of
    /// every one of `paths`, submitted in that order in one batch, so that the server answers the
    /// reads in that order (a session's requests are processed in the order sent): each data read
    /// sees the tree at least as new as the children read. One round trip instead of two.
    /// Failures are per read, as for `data(batch:watch:)`.
    public func children(
        _ parent: String, watch watchChildren: Bool, thenDataOf paths: [String]
    ) async -> (children: Result<[String], ZooKeeperError>, data: [Result<(data: [UInt8], stat: ZooKeeperStat), ZooKeeperError>]) {
        let reads = [BatchRead(path: parent, children: true, watch: watchChildren)]
            + paths.map { BatchRead(path: $0, children: false, watch: false) }
        let outcomes = await completions(of: reads)
        let children: Result<[String], ZooKeeperError>
        if outcomes[0].1.rc != 0 {
            children = .failure(ZooKeeperError(ZooKeeperError.Code(rawValue: outcomes[0].1.rc), path: parent))
        } else if case .children(let names, _) = outcomes[0].1.payload {
            children = .success(names)
        } else {
            children = .success([])
        }
        return (children, outcomes.dropFirst().map { Self.dataResult($0.0, $0.1) })
    }

    private static func dataResult(_ path: String, _ completion: Completion) -> Result<(data: [UInt8], stat: ZooKeeperStat), ZooKeeperError> {
        guard completion.rc == 0 else {
            return .failure(ZooKeeperError(ZooKeeperError.Code(rawValue: completion.rc), path: path))
        }
        guard case .data(let bytes, let stat) = completion.payload else { return .success(([], ZooKeeperStat())) }
        return .success((bytes ?? [], stat))
    }

    /// Every read's completion, in order, with `call`'s admission and retry rules.
    private func completions(of reads: [BatchRead]) async -> [(String, Completion)] {
        let paths = reads.map(\.path)
        guard !paths.isEmpty else { return [] }
        var outcomes = [Completion?](repeating: nil, count: paths.count)
        var pending = Array(paths.indices)
        var session = sessionOfNewRequest()
        while !pending.isEmpty {
            var retry: [Int] = []
            switch await submitBatch(pending.map { reads[$0] }, session: session) {
            case .notSubmitted(.fail(let code)):
                for slot in pending { outcomes[slot] = .failed(code) }
            case .notSubmitted:
                retry = pending
            case .completed(let handleId, let completions):
                session = handleId
                let retries = state.withLock { $0.waitsForConnection }
                for (slot, completion) in zip(pending, completions) {
                    if completion.rc != 0, retries, RequestAdmission.isRetried(ZooKeeperError.Code(rawValue: completion.rc)) {
                        retry.append(slot)
                    } else {
                        outcomes[slot] = completion
                    }
                }
            }
            if !retry.isEmpty {
                do {
                    try await waitForAdmission(session: session, path: paths[retry[0]])
                } catch {
                    let code = (error as? ZooKeeperError)?.code ?? .closing
                    for slot in retry { outcomes[slot] = .failed(code) }
                    retry = []
                }
            }
            pending = retry
        }
        return zip(paths, outcomes).map { path, completion in (path, completion ?? .failed(.connectionLoss)) }
    }

    /// One attempt: when the state admits a request bound to `session`, hands every read to the
    /// C client under one lock acquisition and returns the handle they went to with their
    /// completions, in order.
    private func submitBatch(_ reads: [BatchRead], session: UInt64?) async -> BatchAttempt {
        await withCheckedContinuation { (continuation: CheckedContinuation<BatchAttempt, Never>) in
            state.withLock { state in
                let admission = Self.admission(session: session, state)
                guard case .submit(let handleId) = admission, let handle = state.handle else {
                    continuation.resume(returning: .notSubmitted(admission))
                    return
                }
                let collector = BatchCompletions(count: reads.count) { completions in
                    continuation.resume(returning: .completed(handleId: handleId, completions))
                }
                for (index, read) in reads.enumerated() {
                    let token = PendingCalls.shared.register(handle: handleId) { completion in
                        collector.finish(index, completion)
                    }
                    let rc = read.children
                        ? zoo_aget_children2(handle.raw, read.path, read.watch ? 1 : 0, childrenCompletion, PendingCalls.pointer(for: token))
                        : zoo_aget(handle.raw, read.path, read.watch ? 1 : 0, dataCompletion, PendingCalls.pointer(for: token))
                    if rc != 0 {
                        PendingCalls.shared.complete(token, with: .failed(ZooKeeperError.Code(rawValue: rc)))
                    }
                }
            }
        }
    }
}

/// One read of a batch: a znode's data, or its children.
private struct BatchRead: Sendable {
    let path: String
    let children: Bool
    let watch: Bool
}

/// The outcome of one attempt to hand a batch to the C client (`ZooKeeperClient.Attempt`, for
/// many requests).
private enum BatchAttempt: Sendable {
    /// The client's state did not let the batch go (wait, or fail).
    case notSubmitted(RequestAdmission)
    /// The C client finished every read, submitted on this handle.
    case completed(handleId: UInt64, [Completion])
}

/// Collects the completions of one batch and calls `onDone` once, when the last
/// completion arrives. Each index is finished exactly once (`PendingCalls` guarantees it per
/// token), so the count reaches zero exactly once.
///
/// Isolation: one `Mutex`; `finish` is called from the C completion thread (or from the
/// submitting thread for a request the C client refused, or from `failAll` at close).
final class BatchCompletions: Sendable {
    private struct State {
        var completions: [Completion?]
        var remaining: Int
        var onDone: (@Sendable ([Completion]) -> Void)?
    }

    private let state: Mutex<State>

    init(count: Int, onDone: @escaping @Sendable ([Completion]) -> Void) {
        state = Mutex(State(completions: Array(repeating: nil, count: count), remaining: count, onDone: onDone))
    }

    func finish(_ index: Int, _ completion: Completion) {
        let done = state.withLock { state -> (@Sendable ([Completion]) -> Void, [Completion])? in
            guard state.completions[index] == nil else { return nil }
            state.completions[index] = completion
            state.remaining -= 1
            guard state.remaining == 0, let onDone = state.onDone else { return nil }
            state.onDone = nil
            return (onDone, state.completions.map { $0 ?? .failed(.connectionLoss) })
        }
        if let (onDone, completions) = done { onDone(completions) }
    }
}
