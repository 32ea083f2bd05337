import Glibc

/// What the network processors' idle time is read from. Kafka's `Processor` measures the time
/// its selector spends blocked in `poll`; a SwiftNIO event loop reports no such time, but each
/// processor is one thread that is either running or blocked in `epoll_wait`, so its idle time is
/// the wall time minus the CPU time the kernel counted for that thread (its
/// `pthread_getcpuclockid` clock, read with `clock_gettime`). Nothing is measured on the request path:
/// the figures are read when metrics are scraped. (A thread that is runnable but waiting for a
/// CPU counts as idle here.)
extension NetworkProcessorGroup {
    /// One processor's figures at one moment.
    public struct ProcessorClock: Sendable, Equatable {
        /// The processor's position among those in effect (Kafka's `networkProcessor` tag).
        public var index: Int
        /// Unique to the processor in this process (a removed processor's is never reused).
        public var serial: Int
        /// When the processor's thread started, monotonic nanoseconds.
        public var startedNanos: UInt64
        /// Nanoseconds the thread has run on a CPU since it started.
        public var cpuNanos: UInt64

        public init(index: Int, serial: Int, startedNanos: UInt64, cpuNanos: UInt64) {
            self.index = index
            self.serial = serial
            self.startedNanos = startedNanos
            self.cpuNanos = cpuNanos
        }
    }

    /// The CPU time of each processor in effect whose thread has started, oldest first.
    public var processorClocks: [ProcessorClock] {
        threadStarts.enumerated().compactMap { index, thread in
            guard thread.startedNanos > 0, let cpu = Self.nanos(on: thread.cpuClock) else { return nil }
            return ProcessorClock(index: index, serial: thread.serial, startedNanos: thread.startedNanos, cpuNanos: cpu)
        }
    }

    /// `CLOCK_MONOTONIC` in nanoseconds: the clock processor starts and scrapes are read on.
    public static func monotonicNanos() -> UInt64 {
        nanos(on: CLOCK_MONOTONIC) ?? 0
    }

    /// `clock`'s time in nanoseconds; nil when it cannot be read (the thread has exited).
    static func nanos(on clock: clockid_t) -> UInt64? {
        var now = timespec()
        guard clock_gettime(clock, &now) == 0 else { return nil }
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
