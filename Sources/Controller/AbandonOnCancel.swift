import Synchronization

/// Runs `operation`, which may ignore cancellation (a NIO connect does: it ends only at its own
/// timeout), but returns as soon as the calling task is cancelled, throwing `CancellationError`.
/// The operation then goes on by itself; if it succeeds after all, its result is handed to
/// `abandon` (a connection is closed there), so nothing leaks.
///
/// The controller's senders connect through this, so that removing a broker stops its sender at
/// once even while a connection attempt to a dead host is pending.
func abandoningOnCancel<T: Sendable>(
    _ operation: @escaping @Sendable () async throws -> T, abandon: @escaping @Sendable (T) async -> Void
) async throws -> T {
    let once = ResumeOnce<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            guard once.attach(continuation) else { return }
            Task {
                do {
                    let value = try await operation()
                    if !once.resume(with: .success(value)) { await abandon(value) }
                } catch {
                    once.resume(with: .failure(error))
                }
            }
        }
    } onCancel: {
        once.resume(with: .failure(CancellationError()))
    }
}

/// A continuation resumed at most once, by whichever comes first: the operation's outcome or the
/// cancellation (which may even come before the continuation exists).
private final class ResumeOnce<T: Sendable>: Sendable {
    private enum State {
        case waiting(CheckedContinuation<T, any Error>?)
        case cancelledEarly
        case resumed
    }

    private let state = Mutex<State>(.waiting(nil))

    /// Attaches the continuation; false (and resumed with `CancellationError`) if the
    /// cancellation came first.
    func attach(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
        let cancelled = state.withLock { state -> Bool in
            if case .cancelledEarly = state {
                state = .resumed
                return true
            }
            state = .waiting(continuation)
            return false
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        return !cancelled
    }

    /// Resumes with `result` unless already resumed; true when this call resumed it.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        let continuation = state.withLock { state -> CheckedContinuation<T, any Error>?? in
            switch state {
            case .waiting(let continuation?):
                state = .resumed
                return .some(continuation)
            case .waiting(nil):
                // The cancellation came before the continuation was attached.
                if case .failure = result { state = .cancelledEarly }
                return .some(nil)
            case .cancelledEarly, .resumed:
                return nil
            }
        }
        guard case .some(let pending?) = continuation else { return false }
        pending.resume(with: result)
        return true
    }
}
