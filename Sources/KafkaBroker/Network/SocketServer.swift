import KafkaCommon
import KafkaProtocol
import KafkaZk
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The broker's network side (Kafka's `SocketServer`): one `Acceptor` (a listening socket and a
/// thread) per listener and `num.network.threads` processors (one-thread event loops,
/// `NetworkProcessorGroup`) that read frames, parse headers and write responses. The acceptor hands
/// each connection to the next processor, round-robin; `resizeThreadPool` changes their number at
/// run time. Requests go to the `RequestChannel` and are handled off the event loops by the
/// `KafkaRequestHandlerPool`.
///
/// Per connection: `IdleStateHandler` (`connections.max.idle.ms`) → `KafkaFrameDecoder`
/// (size-prefixed frames, `socket.request.max.bytes`) → `KafkaConnectionHandler` (one request at
/// a time, responses in order).
public final class SocketServer: Sendable {
    public struct Settings: Sendable {
        public var networkThreads: Int
        public var maxRequestSize: Int
        public var connectionsMaxIdleMs: Int64
        /// SO_SNDBUF of each connection (`socket.send.buffer.bytes`); -1: the kernel's own.
        public var sendBufferBytes: Int
        /// SO_RCVBUF of each connection (`socket.receive.buffer.bytes`); -1: the kernel's own.
        public var receiveBufferBytes: Int

        public init(
            networkThreads: Int = 3, maxRequestSize: Int = 104_857_600, connectionsMaxIdleMs: Int64 = 600_000,
            sendBufferBytes: Int = 102_400, receiveBufferBytes: Int = 102_400
        ) {
            self.networkThreads = networkThreads
            self.maxRequestSize = maxRequestSize
            self.connectionsMaxIdleMs = connectionsMaxIdleMs
            self.sendBufferBytes = sendBufferBytes
            self.receiveBufferBytes = receiveBufferBytes
        }
    }

    public let settings: Settings
    public let requestChannel: RequestChannel
    /// The listeners' acceptors (Kafka's `Acceptor`s).
    let acceptors = Mutex<[Acceptor]>([])
    /// The processors (`num.network.threads`), the event loops of the accepted connections;
    /// resized at run time by `resizeThreadPool`.
    public let processors: NetworkProcessorGroup
    let logger: Logger
    let time: any Time

    public init(settings: Settings, requestChannel: RequestChannel, logger: Logger, time: any Time = SystemTime()) {
        self.settings = settings
        self.requestChannel = requestChannel
        self.logger = logger
        self.time = time
        processors = NetworkProcessorGroup(numberOfProcessors: settings.networkThreads, logger: logger)
    }

    /// Binds every listener and returns them with the ports actually bound (port 0 in a listener
    /// means "any free port"), each with its acceptor (closing it stops accepting).
    public func bind(_ listeners: [EndPoint]) async throws -> [(endpoint: EndPoint, channel: Acceptor)] {
        var bound: [(EndPoint, Acceptor)] = []
        for listener in listeners {
            let acceptor = try Acceptor(host: listener.host, port: Int(listener.port), logger: logger)
            let bootstrap = bootstrap(listenerName: listener.listenerName)
            let processors = processors
            acceptor.start { connection in
                _ = bootstrap(processors.next()).withConnectedSocket(connection)
            }
            acceptors.withLock { $0.append(acceptor) }
            var actual = listener
            actual.port = Int32(acceptor.port)
            logger.info("Awaiting socket connections on \(actual.host.isEmpty ? "0.0.0.0" : actual.host):\(actual.port) (listener \(actual.listenerName))")
            bound.append((actual, acceptor))
        }
        return bound
    }

    /// The bootstrap that sets up an accepted connection on a processor's event loop.
    private func bootstrap(listenerName: String) -> @Sendable (any EventLoop) -> ClientBootstrap {
        let settings = settings
        let requestChannel = requestChannel
        let logger = logger
        let time = time
        let processors = processors
        return { loop in
            Self.applyConnectionOptions(settings, to: ClientBootstrap(group: loop))
                .channelOption(.maxMessagesPerRead, value: 16)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // A processor removed while this connection was on its way: the client reconnects.
                        guard processors.register(channel) else { throw ChannelError.ioOnClosedChannel }
                        try channel.pipeline.syncOperations.addHandlers([
                            IdleStateHandler(allTimeout: .milliseconds(settings.connectionsMaxIdleMs)),
                            ByteToMessageHandler(KafkaFrameDecoder(maxFrameSize: settings.maxRequestSize)),
                            KafkaConnectionHandler(requestChannel: requestChannel, listenerName: listenerName,
                                                   logger: logger, time: time),
                        ])
                    }
                }
        }
    }

    /// The socket options of an accepted connection, as Kafka's `Processor` configures its
    /// channels: TCP_NODELAY (at the TCP level: a `socketOption` would set option 1 of
    /// SOL_SOCKET, which is SO_DEBUG), and SO_SNDBUF / SO_RCVBUF from `socket.send.buffer.bytes` /
    /// `socket.receive.buffer.bytes` unless they are -1. With -1 the kernel keeps its own size and
    /// tunes it to the connection (Linux autotuning, up to `net.ipv4.tcp_wmem` / `tcp_rmem`); a
    /// set size is fixed (doubled by Linux, capped at `net.core.wmem_max` / `rmem_max`).
    static func applyConnectionOptions(_ settings: Settings, to bootstrap: ClientBootstrap) -> ClientBootstrap {
        var bootstrap = bootstrap.channelOption(.tcpOption(.tcp_nodelay), value: 1)
        if settings.sendBufferBytes != -1 {
            bootstrap = bootstrap.channelOption(.socketOption(.so_sndbuf), value: SocketOptionValue(settings.sendBufferBytes))
        }
        if settings.receiveBufferBytes != -1 {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(settings.receiveBufferBytes))
        }
        return bootstrap
    }

    /// Stops accepting, closes every connection and the event loops.
    public func shutdown(_ channels: [Acceptor]) async {
        for channel in channels { try? await channel.close() }
        try? await processors.shutdownGracefully()
    }

    /// Changes `num.network.threads` (Kafka's `SocketServer.resizeThreadPool`): adds processors,
    /// or removes the newest ones, closing their connections (their clients reconnect). Returns
    /// once removed processors are stopped.
    public func resizeThreadPool(to count: Int) async {
        let acceptors = acceptors.withLock { $0 }
        await processors.resize(to: count) {
            // Any connection an acceptor picked a removed processor for is queued on it by now.
            for acceptor in acceptors { acceptor.quiesce() }
        }
    }
}
