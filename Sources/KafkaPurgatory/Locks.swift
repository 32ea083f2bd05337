// The three blocking locks the timer and the purgatory need and `Synchronization.Mutex` does not
// give: a reader-writer lock (SystemTimer), a re-entrant lock with `tryLock` (DelayedOperation) and
// a mutex with a condition variable (DelayQueue). Each is a thin class over pthreads.
//
// The `precondition`s on pthread return codes are invariants, not input: these calls fail only on
// misuse (unlocking a lock not held, re-initialising) or exhausted resources, never because of what
// a request or a file contains.
//
// Why classes marked `@unchecked Sendable`: each owns a heap-allocated pthread object whose address
// must never move (pthread objects may not be copied), and pthreads themselves make every method
// safe to call from any thread. The pointer is allocated in `init`, destroyed in `deinit`, and
// never escapes.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A reader-writer lock on `pthread_rwlock_t` (the role of Java's `ReentrantReadWriteLock` in
/// Kafka's `SystemTimer`): many readers at once, or one writer.
///
/// On Linux the lock prefers writers, so a steady stream of readers cannot starve a writer. That
/// makes it non-recursive: a thread holding the read lock must not take it again.
final class ReadWriteLock: @unchecked Sendable {
    private let rwlock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        rwlock = .allocate(capacity: 1)
        rwlock.initialize(to: pthread_rwlock_t())
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        defer { pthread_rwlockattr_destroy(&attributes) }
        #if os(Linux)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        let rc = pthread_rwlock_init(rwlock, &attributes)
        precondition(rc == 0, "pthread_rwlock_init failed: \(rc)")
    }

    deinit {
        pthread_rwlock_destroy(rwlock)
        rwlock.deinitialize(count: 1)
        rwlock.deallocate()
    }

    /// Runs `body` holding the lock shared with other readers.
    func withReadLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        let rc = pthread_rwlock_rdlock(rwlock)
        precondition(rc == 0, "pthread_rwlock_rdlock failed: \(rc)")
        defer { pthread_rwlock_unlock(rwlock) }
        return try body()
    }

    /// Runs `body` holding the lock exclusively.
    func withWriteLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        let rc = pthread_rwlock_wrlock(rwlock)
        precondition(rc == 0, "pthread_rwlock_wrlock failed: \(rc)")
        defer { pthread_rwlock_unlock(rwlock) }
        return try body()
    }
}

/// A re-entrant mutual-exclusion lock with a non-blocking `tryLock()` (the role of Java's
/// `ReentrantLock`). A thread that holds it may take it again; it must unlock once per lock.
///
/// `DelayedOperation` guards `tryComplete()` with one. Several operations may share one lock, as
/// Kafka's group coordinator shares a group's lock with that group's delayed joins and heartbeats;
/// re-entrancy is what lets the coordinator call into the purgatory while it holds that lock.
public final class ReentrantLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        defer { pthread_mutexattr_destroy(&attributes) }
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        let rc = pthread_mutex_init(mutex, &attributes)
        precondition(rc == 0, "pthread_mutex_init failed: \(rc)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Blocks until the lock is held by the calling thread.
    public func lock() {
        let rc = pthread_mutex_lock(mutex)
        precondition(rc == 0, "pthread_mutex_lock failed: \(rc)")
    }

    /// Takes the lock if no other thread holds it; never blocks. True when the caller now holds it.
    public func tryLock() -> Bool {
        pthread_mutex_trylock(mutex) == 0
    }

    /// Releases one hold of the lock. Only the holding thread may call it.
    public func unlock() {
        let rc = pthread_mutex_unlock(mutex)
        precondition(rc == 0, "pthread_mutex_unlock failed: \(rc)")
    }

    /// Runs `body` holding the lock.
    public func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// A mutex with one condition variable, for a thread that must sleep until another thread changes
/// the guarded state or a timeout passes (the `DelayQueue`'s wait). Timed waits use the monotonic
/// clock, so changes of the wall clock do not stretch or cut them short.
final class ConditionLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        defer { pthread_condattr_destroy(&attributes) }
        #if !canImport(Darwin)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        precondition(pthread_cond_init(condition, &attributes) == 0, "pthread_cond_init failed")
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deinitialize(count: 1)
        condition.deallocate()
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` holding the mutex. `wait(timeoutNanoseconds:)` may only be called inside it.
    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Releases the mutex, sleeps until `broadcast()` or the timeout (or a spurious wake-up), and
    /// takes the mutex again. Callers re-check their condition in a loop.
    func wait(timeoutNanoseconds: Int64) {
        guard timeoutNanoseconds > 0 else { return }
        #if canImport(Darwin)
        var relative = timespec(
            tv_sec: Int(timeoutNanoseconds / 1_000_000_000),
            tv_nsec: Int(timeoutNanoseconds % 1_000_000_000))
        _ = pthread_cond_timedwait_relative_np(condition, mutex, &relative)
        #else
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let total = Int64(now.tv_nsec) + timeoutNanoseconds % 1_000_000_000
        var deadline = timespec()
        deadline.tv_sec = now.tv_sec + Int(timeoutNanoseconds / 1_000_000_000 + total / 1_000_000_000)
        deadline.tv_nsec = Int(total % 1_000_000_000)
        _ = pthread_cond_timedwait(condition, mutex, &deadline)
        #endif
    }

    /// Wakes every thread waiting in `wait(timeoutNanoseconds:)`. Call it holding the mutex so that
    /// a waiter cannot miss it between checking its condition and going to sleep.
    func broadcast() {
        pthread_cond_broadcast(condition)
    }
}
