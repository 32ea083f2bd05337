import CZooKeeper
import Dispatch
import Logging
import Synchronization

/// Told about session expiry by a `ZooKeeperClient`, in the order Kafka's ZooKeeperClient uses.
public protocol ZooKeeperSessionHandler: Sendable {
    /// Awaited after the session expired and before a new session is created: the place to stop
    /// everything that relied on the old session (a controller resigns here).
    func beforeInitializingSession() async
    /// Called once the new session is connected (a broker re-registers and re-joins the election).
    func afterInitializingSession() async
}

/// An asynchronous ZooKeeper client over the C client's multi-threaded asynchronous API
/// (Kafka's `kafka.zookeeper.ZooKeeperClient` plays this part on the JVM).
///
/// Lifecycle: `connect` opens a session and waits for it; when the ensemble expires the session,
/// the client closes the dead handle, awaits every `ZooKeeperSessionHandler.beforeInitializingSession`,
/// opens a new session and, once connected, calls `afterInitializingSession`. `close()` ends it all.
///
/// Isolation: all mutable state is behind one `Mutex`. Requests are handed to the C client while
/// holding it, which guarantees that the handle is open for the duration of the call (`zoo_a*`
/// only queue the request and never call back synchronously). Completions and watches arrive on
/// the C client's completion thread and only convert arguments, resume continuations and yield to
/// `AsyncStream`s: they never block that thread.
///
/// Watches are one-shot, as in ZooKeeper: a read with `watch: true` arms a watch on the path, the
/// server fires it once, and the subscriber re-arms it by reading again. Every watch and session
/// event is broadcast to every stream returned by `events()`.
public final class ZooKeeperClient: Sendable {
    public let connectString: String
    public let sessionTimeout: Duration
    /// Request latencies, for the broker's metrics (`ZooKeeperClientStats`).
    public let stats = ZooKeeperClientStats()
    let logger: Logger

    /// A C client handle. `@unchecked Sendable`: the C client's async API may be called from any
    /// thread; this project only calls it under `state`'s lock while the handle is open, and
    /// closes it only after taking it out of `state`.
    struct Handle: @unchecked Sendable {
        let raw: OpaquePointer
    }

    struct State {
        var handle: Handle?
        var handleId: UInt64 = 0
        var sessionState: SessionState = .connecting
        var sessionId: Int64 = 0
        var negotiatedTimeoutMs: Int32 = 0
        var subscribers: [UInt64: AsyncStream<ZooKeeperEvent>.Continuation] = [:]
        var nextSubscriberId: UInt64 = 0
        var sessionHandlers: [String: any ZooKeeperSessionHandler] = [:]
        var isClosed = false
        var isReinitializing = false
        /// Requests wait for a lost connection (see `RequestAdmission`) until `stopWaitingForConnection()`.
        var waitsForConnection = true

        mutating func broadcast(_ event: ZooKeeperEvent) {
            for continuation in subscribers.values { continuation.yield(event) }
        }
    }

    let state: Mutex<State>

    /// Clients by handle id, so that the C watcher (which gets only the id) can find its client.
    static let handles = Mutex<[UInt64: ZooKeeperClient]>([:])
    private static let handleIds = Atomic<UInt64>(0)

    /// Creates the client and starts its first session; does not wait for it (see `connect`).
    ///
    /// - Parameter connectString: `host:port[,host:port…][/chroot]`, as `zookeeper.connect`.
    /// - Parameter resuming: the credentials of a live session to attach to instead of creating a
    ///   new one (ZooKeeper lets a client move its session; tests use it to expire a session).
    public init(
        connectString: String, sessionTimeout: Duration, logger: Logger, resuming: SessionCredentials? = nil
    ) throws {
        self.connectString = connectString
        self.sessionTimeout = sessionTimeout
        self.logger = logger
        self.state = Mutex(State())
        ZooKeeperCLog.configureOnce()
        try openHandle(resuming: resuming)
    }

    /// Opens a session and waits until it is connected, or fails after `connectionTimeout`
    /// (Kafka's `zookeeper.connection.timeout.ms`) with `.operationTimeout`.
    public static func connect(
        _ connectString: String, sessionTimeout: Duration, connectionTimeout: Duration, logger: Logger
    ) async throws -> ZooKeeperClient {
        let client = try ZooKeeperClient(connectString: connectString, sessionTimeout: sessionTimeout, logger: logger)
        do {
            try await client.waitUntilConnected(timeout: connectionTimeout)
        } catch {
            await client.close()
            throw error
        }
        return client
    }

    // MARK: - Session

    public var sessionState: SessionState { state.withLock { $0.sessionState } }

    /// `host:port` of the server the session is connected through (nil when not connected).
    public var currentServer: String? {
        state.withLock { state in
            guard let handle = state.handle, state.sessionState.isConnected,
                  let server = zoo_get_current_server(handle.raw) else { return nil }
            return String(cString: server)
        }
    }

    /// The id of the current C handle (tests check that a closed handle owes nothing).
    var handleId: UInt64 { state.withLock { $0.handleId } }

    /// The current session's id (0 until the first connection).
    public var sessionId: Int64 { state.withLock { $0.sessionId } }

    /// The session timeout the ensemble granted (it clamps the requested one to its min/max).
    public var negotiatedSessionTimeout: Duration {
        .milliseconds(Int64(state.withLock { $0.negotiatedTimeoutMs }))
    }

    /// The id and password of the current session, which another client may use to attach to it.
    public var sessionCredentials: SessionCredentials? {
        state.withLock { state in
            guard let handle = state.handle, state.sessionState.isConnected,
                  var clientId = zoo_client_id(handle.raw)?.pointee else { return nil }
            let password = withUnsafeBytes(of: &clientId.passwd) { Array($0) }
            return SessionCredentials(sessionId: clientId.client_id, password: password)
        }
    }

    public func registerSessionHandler(name: String, _ handler: any ZooKeeperSessionHandler) {
        state.withLock { $0.sessionHandlers[name] = handler }
    }

    public func unregisterSessionHandler(name: String) {
        _ = state.withLock { $0.sessionHandlers.removeValue(forKey: name) }
    }

    /// A new stream of every session and watch event from now on. It ends when the client closes
    /// or when the consumer stops iterating.
    public func events() -> AsyncStream<ZooKeeperEvent> {
        let (stream, continuation) = AsyncStream<ZooKeeperEvent>.makeStream()
        let id: UInt64? = state.withLock { state in
            guard !state.isClosed else { return nil }
            let id = state.nextSubscriberId
            state.nextSubscriberId += 1
            state.subscribers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Returns once the session is connected; throws `.operationTimeout` after `timeout` (nil:
    /// wait as long as it takes), `.closing` when the client is closed, `.authFailed` on auth failure.
    public func waitUntilConnected(timeout: Duration?) async throws {
        let stream = events()
        let current = state.withLock { ($0.sessionState, $0.isClosed) }
        if current.0.isConnected { return }
        if current.1 { throw ZooKeeperError(.closing) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in stream {
                    guard case .session(let sessionState, _) = event else { continue }
                    if sessionState.isConnected { return }
                    if sessionState == .closed { throw ZooKeeperError(.closing) }
                    if sessionState == .authFailed { throw ZooKeeperError(.authFailed) }
                }
                throw ZooKeeperError(.closing)
            }
            if let timeout {
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw ZooKeeperError(.operationTimeout)
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// Closes the session (its ephemeral nodes go at once) and ends every event stream.
    /// Calls still in flight finish with `.closing`.
    public func close() async {
        let open: (Handle?, UInt64)? = state.withLock { state in
            guard !state.isClosed else { return nil }
            state.isClosed = true
            let handle = state.handle
            state.handle = nil
            return (handle, state.handleId)
        }
        guard let open else { return }
        if let handle = open.0 {
            await Self.closeHandle(handle, id: open.1, reason: .closing)
        }
        // Streams are finished outside the lock: finishing runs their onTermination, which locks.
        let subscribers = state.withLock { state in
            state.sessionState = .closed
            state.broadcast(.session(.closed, sessionId: state.sessionId))
            state.sessionHandlers.removeAll()
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for continuation in subscribers { continuation.finish() }
        logger.info("ZooKeeper client closed", metadata: ["connect": "\(connectString)"])
    }

    // MARK: - Handles

    private func openHandle(resuming credentials: SessionCredentials? = nil) throws {
        let id = Self.handleIds.add(1, ordering: .relaxed).newValue
        Self.handles.withLock { $0[id] = self }
        let timeoutMs = Int32(clamping: sessionTimeout.components.seconds * 1000
            + sessionTimeout.components.attoseconds / 1_000_000_000_000_000)
        // The lock is held across zookeeper_init so that the watcher, which may fire on the C
        // client's thread before init returns, finds this handle id current.
        let opened: Bool = state.withLock { state in
            guard !state.isClosed else { return false }
            state.handleId = id
            state.sessionState = .connecting
            state.sessionId = 0
            let context = UnsafeMutableRawPointer(bitPattern: UInt(id))
            var clientId = clientid_t()
            if let credentials {
                clientId.client_id = credentials.sessionId
                withUnsafeMutableBytes(of: &clientId.passwd) { raw in
                    for (index, byte) in credentials.password.prefix(raw.count).enumerated() { raw[index] = byte }
                }
            }
            let opened: OpaquePointer? = withUnsafePointer(to: &clientId) { clientIdPointer in
                zookeeper_init2(connectString, sessionWatcher, timeoutMs, credentials == nil ? nil : clientIdPointer,
                                context, 0, zooKeeperCLogCallback)
            }
            guard let raw = opened else { return false }
            state.handle = Handle(raw: raw)
            return true
        }
        if !opened {
            Self.handles.withLock { _ = $0.removeValue(forKey: id) }
            throw ZooKeeperError(.badArguments, path: connectString)
        }
    }

    /// Closes a C handle on a thread of its own (`zookeeper_close` blocks while it says goodbye to
    /// the server and joins the C client's threads), then finishes whatever the handle still owed.
    static func closeHandle(_ handle: Handle, id: UInt64, reason: ZooKeeperError.Code) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                zookeeper_close(handle.raw)
                continuation.resume()
            }
        }
        handles.withLock { _ = $0.removeValue(forKey: id) }
        PendingCalls.shared.failAll(handle: id, with: reason)
    }

    /// Called by the C watcher, on the C client's completion thread. Never blocks.
    func watcherFired(handleId: UInt64, type: Int32, cState: Int32, path: String, zh: OpaquePointer?) {
        let sessionEvent: Int32 = -1
        guard type == sessionEvent else {
            guard let kind = WatchedEvent.Kind(cType: type) else { return }
            state.withLock { state in
                guard state.handleId == handleId, !state.isClosed else { return }
                state.broadcast(.watch(WatchedEvent(kind: kind, path: path)))
            }
            return
        }
        let newState = SessionState(cState: cState)
        var sessionId: Int64 = 0
        var timeoutMs: Int32 = 0
        if newState.isConnected, let zh {
            sessionId = zoo_client_id(zh)?.pointee.client_id ?? 0
            timeoutMs = zoo_recv_timeout(zh)
        }
        let mustReinitialize: Bool = state.withLock { state in
            guard state.handleId == handleId, !state.isClosed else { return false }
            state.sessionState = newState
            if newState.isConnected {
                state.sessionId = sessionId
                state.negotiatedTimeoutMs = timeoutMs
            }
            state.broadcast(.session(newState, sessionId: state.sessionId))
            guard newState == .expired, !state.isReinitializing else { return false }
            state.isReinitializing = true
            return true
        }
        if mustReinitialize {
            Task { await self.reinitializeSession(expiredHandleId: handleId) }
        }
    }

    /// Replaces an expired session by a new one, as Kafka's ZooKeeperClient does.
    private func reinitializeSession(expiredHandleId: UInt64) async {
        let oldSession = state.withLock { $0.sessionId }
        let clock = ContinuousClock()
        let expiredAt = clock.now
        logger.warning("ZooKeeper session expired; creating a new session",
                       metadata: ["session": "0x\(String(UInt64(bitPattern: oldSession), radix: 16))"])
        let handlers = state.withLock { Array($0.sessionHandlers.values) }
        for handler in handlers { await handler.beforeInitializingSession() }
        // Each step of the re-initialization is timed in the log: a slow one shows which.
        logger.info("Initializing a new session to \(connectString).",
                    metadata: ["sinceExpiry": "\(clock.now - expiredAt)"])
        let expired: Handle? = state.withLock { state in
            guard state.handleId == expiredHandleId else { return nil }
            defer { state.handle = nil }
            return state.handle
        }
        if let expired { await Self.closeHandle(expired, id: expiredHandleId, reason: .sessionExpired) }
        while true {
            if state.withLock({ $0.isClosed }) { return }
            do {
                try openHandle()
                break
            } catch {
                logger.error("Could not create a new ZooKeeper session: \(error); retrying in 1 s")
                try? await Task.sleep(for: .seconds(1))
            }
        }
        state.withLock { $0.isReinitializing = false }
        do {
            try await waitUntilConnected(timeout: nil)
        } catch {
            return
        }
        logger.info("New ZooKeeper session established",
                    metadata: ["session": "0x\(String(UInt64(bitPattern: sessionId), radix: 16))",
                               "sinceExpiry": "\(clock.now - expiredAt)"])
        for handler in handlers { await handler.afterInitializingSession() }
    }
}

/// The one watcher of every handle: session events and the watches armed with `watch: true`.
/// `context` carries the handle id, never a Swift object.
private let sessionWatcher: watcher_fn = { zh, type, state, path, context in
    let handleId = UInt64(UInt(bitPattern: context))
    guard let client = ZooKeeperClient.handles.withLock({ $0[handleId] }) else { return }
    let pathString = path.map { String(cString: $0) } ?? ""
    client.watcherFired(handleId: handleId, type: type, cState: state, path: pathString, zh: zh)
}
