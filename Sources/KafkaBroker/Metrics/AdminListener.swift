import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The broker's HTTP admin listener (`admin.listener`): one Hummingbird `Application` serving
/// `GET /metrics` in the Prometheus text format (version 0.0.4) from `BrokerMetrics.scrape`, and,
/// when the live view is on, its page, `/internals.json` and `/events` (`AdminListener+LiveView`).
/// Any other path is 404 and any method but GET and HEAD 405 (`AdminFallbackMiddleware`).
///
/// The application runs on its own one-thread event loop group, inside a `ServiceGroup` that
/// traps no signal (the broker handles SIGTERM itself); its requests are answered as tasks.
///
/// Lifecycle: `bind` once, which returns once the socket is bound (or throws the bind's error),
/// and `close` once, at broker shutdown, which ends the open event streams, shuts the server
/// down gracefully and returns once it has stopped.
public final class AdminListener: Sendable {
    /// How long `close` waits for in-flight requests before cancelling the server's tasks.
    static let gracefulShutdownTimeout: Duration = .seconds(5)

    private let group: MultiThreadedEventLoopGroup
    private let serviceGroup: ServiceGroup
    private let running: Task<Void, Never>
    private let eventStreams: LiveViewEventStreams
    /// The address bound (a configured port 0 replaced by the kernel's choice).
    public let boundAddress: AdminListenerAddress

    private init(group: MultiThreadedEventLoopGroup, serviceGroup: ServiceGroup, running: Task<Void, Never>,
                 eventStreams: LiveViewEventStreams, boundAddress: AdminListenerAddress) {
        self.group = group
        self.serviceGroup = serviceGroup
        self.running = running
        self.eventStreams = eventStreams
        self.boundAddress = boundAddress
    }

    /// Binds `address` and starts serving. `liveView`: the live view's paths (`/`,
    /// `/internals.json`, `/events`), served beside the metrics; without it they are 404.
    /// Throws when the address cannot be bound (for example a port in use).
    public static func bind(_ address: AdminListenerAddress, metrics: BrokerMetrics, liveView: LiveViewRoutes? = nil,
                            logger: Logger) async throws -> AdminListener {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let eventStreams = LiveViewEventStreams(hub: liveView?.hub)
        // Hummingbird logs every start and connection error at info: only its warnings reach the
        // broker's log.
        var serverLogger = logger
        if serverLogger.logLevel < .warning { serverLogger.logLevel = .warning }
        // The first value tells bind how the start went: the bound port, or the error that ended it.
        let (started, startedContinuation) = AsyncStream.makeStream(of: Result<Int, any Error>.self)
        let application = Application(
            router: router(metrics: metrics, liveView: liveView, eventStreams: eventStreams),
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port)),
            onServerRunning: { channel in startedContinuation.yield(.success(channel.localAddress?.port ?? address.port)) },
            eventLoopGroupProvider: .shared(group),
            logger: serverLogger)
        let serviceGroup = ServiceGroup(services: [application], gracefulShutdownSignals: [], cancellationSignals: [],
                                        logger: serverLogger)
        let running = Task {
            do {
                try await serviceGroup.run()
                startedContinuation.yield(.failure(ServerStopped()))
            } catch {
                startedContinuation.yield(.failure(error))
            }
            startedContinuation.finish()
        }
        var iterator = started.makeAsyncIterator()
        let port: Int
        do {
            switch await iterator.next() {
            case .success(let bound)?: port = bound
            case .failure(let error)?: throw error
            case nil: throw CancellationError()
            }
        } catch {
            running.cancel()
            await running.value
            try? await group.shutdownGracefully()
            throw error
        }
        let bound = AdminListenerAddress(host: address.host, port: port)
        logger.info("Admin listener (metrics at \(bound)/metrics) started")
        return AdminListener(group: group, serviceGroup: serviceGroup, running: running, eventStreams: eventStreams,
                             boundAddress: bound)
    }

    /// Stops the server: ends every `/events` stream (and refuses new ones), stops accepting
    /// connections, lets requests in flight finish for up to `gracefulShutdownTimeout` and then
    /// cancels them, and releases the event loop.
    public func close() async {
        eventStreams.finishAll()
        await serviceGroup.triggerGracefulShutdown()
        let running = self.running
        await withTaskGroup(of: Void.self) { waiting in
            waiting.addTask { await running.value }
            waiting.addTask { try? await Task.sleep(for: Self.gracefulShutdownTimeout) }
            await waiting.next()
            running.cancel()
            waiting.cancelAll()
        }
        await running.value
        try? await group.shutdownGracefully()
    }

    /// The server stopped before it was running (never expected: a failed start throws).
    struct ServerStopped: Error, CustomStringConvertible {
        var description: String { "the admin listener stopped before it started" }
    }
}
