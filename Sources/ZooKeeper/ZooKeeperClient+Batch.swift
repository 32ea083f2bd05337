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
    /// (`noNode` for a missing znode, `connectionLoss` when the session dropped it), so one
    /// failure does not hide the others. With `watch`, arms a data watch on each path read.
    public func data(batch paths: [String], watch: Bool = false) async
        -> [Result<(data: [UInt8], stat: ZooKeeperStat), ZooKeeperError>]
    {
        guard !paths.isEmpty else { return [] }
        let completions = await withCheckedContinuation { (continuation: CheckedContinuation<[Completion], Never>) in
            let collector = BatchCompletions(count: paths.count, continuation: continuation)
            state.withLock { state in
                guard let handle = state.handle else {
                    let code: ZooKeeperError.Code = state.isClosed ? .closing : .connectionLoss
                    for index in paths.indices { collector.finish(index, .failed(code)) }
                    return
                }
                for (index, path) in paths.enumerated() {
                    let token = PendingCalls.shared.register(handle: state.handleId) { completion in
                        collector.finish(index, completion)
                    }
                    let rc = zoo_aget(handle.raw, path, watch ? 1 : 0, dataCompletion, PendingCalls.pointer(for: token))
                    if rc != 0 {
                        PendingCalls.shared.complete(token, with: .failed(ZooKeeperError.Code(rawValue: rc)))
                    }
                }
            }
        }
        return zip(paths, completions).map { path, completion in
            guard completion.rc == 0 else {
                return .failure(ZooKeeperError(ZooKeeperError.Code(rawValue: completion.rc), path: path))
            }
            guard case .data(let bytes, let stat) = completion.payload else { return .success(([], ZooKeeperStat())) }
            return .success((bytes ?? [], stat))
        }
    }
}

/// Collects the completions of one batch and resumes its continuation once, when the last
/// completion arrives. Each index is finished exactly once (`PendingCalls` guarantees it per
/// token), so the count reaches zero exactly once.
///
/// Isolation: one `Mutex`; `finish` is called from the C completion thread (or from the
/// submitting thread for a request the C client refused, or from `failAll` at close).
final class BatchCompletions: Sendable {
    private struct State {
        var completions: [Completion?]
        var remaining: Int
        var continuation: CheckedContinuation<[Completion], Never>?
    }

    private let state: Mutex<State>

    init(count: Int, continuation: CheckedContinuation<[Completion], Never>) {
        state = Mutex(State(completions: Array(repeating: nil, count: count), remaining: count, continuation: continuation))
    }

    func finish(_ index: Int, _ completion: Completion) {
        let done = state.withLock { state -> (CheckedContinuation<[Completion], Never>, [Completion])? in
            guard state.completions[index] == nil else { return nil }
            state.completions[index] = completion
            state.remaining -= 1
            guard state.remaining == 0, let continuation = state.continuation else { return nil }
            state.continuation = nil
            return (continuation, state.completions.map { $0 ?? .failed(.connectionLoss) })
        }
        if let (continuation, completions) = done { continuation.resume(returning: completions) }
    }
}
