import Dispatch
import Glibc
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The source of `Processor.serial`.
private let processorSerials = Atomic<Int>(0)

/// The broker's network processors (Kafka's `Processor`s of `SocketServer`), as the event loop
/// group of every accepted connection: `num.network.threads` one-thread event loops, resizable at
/// run time (Kafka's `SocketServer.resizeThreadPool`).
///
/// Invariants:
/// - `next()` hands out the current processors round-robin, so new connections are spread over
///   the processors in effect; a removed processor is never handed out again.
/// - Growing appends processors; shrinking removes the newest ones (Kafka removes the processors
///   with the highest ids): a removed processor refuses connections that reach it after its
///   removal, closes the ones it has (their clients reconnect, to a current processor), and its
///   event loop is shut down once those are closed.
/// - A connection belongs to the processor whose event loop it runs on; `register` records it
///   there until it closes.
public final class NetworkProcessorGroup: EventLoopGroup, @unchecked Sendable {
    /// One processor: a one-thread event loop and the connections on it.
    final class Processor: Sendable {
        let group: MultiThreadedEventLoopGroup
        let loop: any EventLoop
        /// The open connections, and whether the processor was removed (then it takes no more).
        let state = Mutex<(channels: [ObjectIdentifier: any Channel], removed: Bool)>(([:], false))
        /// Told apart from every other processor of the process, for its idle-time samples.
        let serial = processorSerials.add(1, ordering: .relaxed).newValue
        /// The CPU-time clock of the event loop's thread, and when its first task ran (monotonic
        /// nanoseconds; 0 until then), for its idle time (`NetworkProcessorGroup+IdleTime`).
        let cpuClock = Atomic<Int32>(0)
        let startedNanos = Atomic<UInt64>(0)

        init() {
            group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            loop = group.next()
            loop.execute { [self] in
                var clock = clockid_t()
                guard pthread_getcpuclockid(pthread_self(), &clock) == 0 else { return }
                cpuClock.store(clock, ordering: .relaxed)
                startedNanos.store(max(1, NetworkProcessorGroup.monotonicNanos()), ordering: .releasing)
            }
        }
    }

    private struct State {
        var processors: [Processor]
        var nextIndex = 0
    }

    private let state: Mutex<State>
    private let logger: Logger

    public init(numberOfProcessors: Int, logger: Logger = Logger(label: "kafka.network.SocketServer")) {
        state = Mutex(State(processors: (0..<max(1, numberOfProcessors)).map { _ in Processor() }))
        self.logger = logger
    }

    /// The number of processors in effect.
    public var count: Int { state.withLock { $0.processors.count } }

    /// The event loops of the processors in effect, oldest first.
    public var loops: [any EventLoop] { state.withLock { $0.processors.map(\.loop) } }

    /// The next processor's event loop, round-robin over the processors in effect.
    public func next() -> any EventLoop {
        state.withLock { state in
            let index = state.nextIndex % state.processors.count
            state.nextIndex = (index + 1) % state.processors.count
            return state.processors[index].loop
        }
    }

    public func any() -> any EventLoop {
        if let current = MultiThreadedEventLoopGroup.currentEventLoop,
           state.withLock({ $0.processors.contains { $0.loop === current } }) {
            return current
        }
        return next()
    }

    public func makeIterator() -> EventLoopIterator { EventLoopIterator(loops) }

    /// Records `channel` as a connection of the processor it runs on; false if that processor was
    /// removed (the caller closes the channel: its client reconnects to a current processor).
    public func register(_ channel: any Channel) -> Bool {
        guard let processor = processor(of: channel.eventLoop) else { return false }
        let id = ObjectIdentifier(channel)
        let accepted = processor.state.withLock { state in
            if state.removed { return false }
            state.channels[id] = channel
            return true
        }
        if accepted {
            channel.closeFuture.whenComplete { _ in _ = processor.state.withLock { $0.channels.removeValue(forKey: id) } }
        }
        return accepted
    }

    /// Each processor in effect: its serial, its thread's CPU-time clock and when its thread
    /// started (monotonic nanoseconds; 0: not started yet), oldest first.
    var threadStarts: [(serial: Int, cpuClock: clockid_t, startedNanos: UInt64)] {
        state.withLock {
            $0.processors.map { processor in
                let started = processor.startedNanos.load(ordering: .acquiring)
                return (processor.serial, processor.cpuClock.load(ordering: .relaxed), started)
            }
        }
    }

    /// The number of open connections of each processor in effect, oldest first.
    public var connectionCounts: [Int] { state.withLock { $0.processors.map { $0.state.withLock { $0.channels.count } } } }

    /// Changes the number of processors to `count` (at least 1; Kafka's `resizeThreadPool`). New
    /// processors take new connections at once. Removed ones are out of `next()` on return;
    /// `beforeClosing` runs then (the socket server passes its acceptors through it, so no
    /// connection they had already assigned to a removed processor is still on its way), then
    /// each removed processor closes its connections and its event loop shuts down. Returns when
    /// that is done.
    public func resize(to count: Int, beforeClosing: @Sendable () async -> Void = {}) async {
        let count = max(1, count)
        let (old, removed): (Int, [Processor]) = state.withLock { state in
            let old = state.processors.count
            if count > old {
                state.processors += (old..<count).map { _ in Processor() }
                return (old, [])
            }
            let removed = Array(state.processors[count...])
            state.processors.removeLast(old - count)
            state.nextIndex = state.nextIndex % count
            return (old, removed)
        }
        guard old != count else { return }
        logger.info("Resizing network thread pool size for each listener from \(old) to \(count)")
        for processor in removed { processor.state.withLock { $0.removed = true } }
        await beforeClosing()
        for processor in removed { await Self.close(processor) }
    }

    /// Closes every connection of a removed processor (on its own event loop, after any
    /// connection set-up already queued there), then shuts its event loop down.
    private static func close(_ processor: Processor) async {
        let channels = try? await processor.loop.submit {
            processor.state.withLock { Array($0.channels.values) }
        }.get()
        for channel in channels ?? [] { try? await channel.close() }
        try? await processor.group.shutdownGracefully()
    }

    private func processor(of loop: any EventLoop) -> Processor? {
        state.withLock { $0.processors.first { $0.loop === loop } }
    }

    public func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable ((any Error)?) -> Void) {
        let processors = state.withLock { $0.processors }
        Task {
            for processor in processors { try? await processor.group.shutdownGracefully() }
            queue.async { callback(nil) }
        }
    }
}
