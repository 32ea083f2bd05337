import KafkaCommon
import KafkaProtocol
import KafkaZk
import Logging
import NIOCore
import NIOPosix

/// The broker's network side (Kafka's `SocketServer`): one acceptor (a NIO server channel) per
/// listener and `num.network.threads` event loops (Kafka's processors) that read frames, parse
/// headers and write responses. Requests go to the `RequestChannel` and are handled off the event
/// loops by the `KafkaRequestHandlerPool`.
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
    let group: MultiThreadedEventLoopGroup
    let logger: Logger
    let time: any Time

    public init(settings: Settings, requestChannel: RequestChannel, logger: Logger, time: any Time = SystemTime()) {
        self.settings = settings
        self.requestChannel = requestChannel
        self.logger = logger
        self.time = time
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, settings.networkThreads))
    }

    /// Binds every listener and returns them with the ports actually bound (port 0 in a listener
    /// means "any free port").
    public func bind(_ listeners: [EndPoint]) async throws -> [(endpoint: EndPoint, channel: any Channel)] {
        var bound: [(EndPoint, any Channel)] = []
        for listener in listeners {
            let channel = try await bootstrap(listenerName: listener.listenerName).bind(host: listener.host.isEmpty ? "0.0.0.0" : listener.host,
                                                     port: Int(listener.port)).get()
            var actual = listener
            actual.port = Int32(channel.localAddress?.port ?? Int(listener.port))
            logger.info("Awaiting socket connections on \(actual.host.isEmpty ? "0.0.0.0" : actual.host):\(actual.port) (listener \(actual.listenerName))")
            bound.append((actual, channel))
        }
        return bound
    }

    private func bootstrap(listenerName: String) -> ServerBootstrap {
        let settings = settings
        let requestChannel = requestChannel
        let logger = logger
        let time = time
        return Self.applyConnectionOptions(settings, to: ServerBootstrap(group: group))
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(allTimeout: .milliseconds(settings.connectionsMaxIdleMs)),
                        ByteToMessageHandler(KafkaFrameDecoder(maxFrameSize: settings.maxRequestSize)),
                        KafkaConnectionHandler(requestChannel: requestChannel, listenerName: listenerName,
                                               logger: logger, time: time),
                    ])
                }
            }
    }

    /// The socket options of every accepted connection, as Kafka's `Processor` configures its
    /// channels: TCP_NODELAY (at the TCP level: a `socketOption` would set option 1 of
    /// SOL_SOCKET, which is SO_DEBUG), and SO_SNDBUF / SO_RCVBUF from `socket.send.buffer.bytes` /
    /// `socket.receive.buffer.bytes` unless they are -1. With -1 the kernel keeps its own size and
    /// tunes it to the connection (Linux autotuning, up to `net.ipv4.tcp_wmem` / `tcp_rmem`); a
    /// set size is fixed (doubled by Linux, capped at `net.core.wmem_max` / `rmem_max`).
    static func applyConnectionOptions(_ settings: Settings, to bootstrap: ServerBootstrap) -> ServerBootstrap {
        var bootstrap = bootstrap.childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
        if settings.sendBufferBytes != -1 {
            bootstrap = bootstrap.childChannelOption(.socketOption(.so_sndbuf), value: SocketOptionValue(settings.sendBufferBytes))
        }
        if settings.receiveBufferBytes != -1 {
            bootstrap = bootstrap.childChannelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(settings.receiveBufferBytes))
        }
        return bootstrap
    }

    /// Stops accepting, closes every connection and the event loops.
    public func shutdown(_ channels: [any Channel]) async {
        for channel in channels { try? await channel.close() }
        try? await group.shutdownGracefully()
    }
}
