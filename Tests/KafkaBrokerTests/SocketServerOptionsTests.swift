#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import KafkaBroker
import NIOCore
import NIOPosix
import Testing

/// The socket options a broker connection really gets, read back from an accepted socket.
@Suite("SocketServer connection options")
struct SocketServerOptionsTests {
    /// Accepts one connection with an `Acceptor` and sets it up as the socket server does, with
    /// `SocketServer.applyConnectionOptions`, and returns the options of the accepted
    /// (server-side) socket.
    static func acceptedOptions(_ settings: SocketServer.Settings) async throws
        -> (noDelay: SocketOptionValue, debug: SocketOptionValue, sendBuffer: SocketOptionValue, receiveBuffer: SocketOptionValue)
    {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let accepted = group.next().makePromise(of: Channel.self)
        let server = try Acceptor(host: "127.0.0.1", port: 0)
        let loop = group.next()
        server.start { connection in
            _ = SocketServer.applyConnectionOptions(settings, to: ClientBootstrap(group: loop))
                .channelInitializer { channel in
                    accepted.succeed(channel)
                    return channel.eventLoop.makeSucceededVoidFuture()
                }
                .withConnectedSocket(connection)
        }
        let client = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: server.port).get()
        let channel = try await accepted.futureResult.get()
        let options = (
            noDelay: try await channel.getOption(.tcpOption(.tcp_nodelay)).get(),
            debug: try await channel.getOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_DEBUG))).get(),
            sendBuffer: try await channel.getOption(.socketOption(.so_sndbuf)).get(),
            receiveBuffer: try await channel.getOption(.socketOption(.so_rcvbuf)).get())
        try await client.close()
        try await server.close()
        try await group.shutdownGracefully()
        return options
    }

    @Test func connectionsHaveNoDelayAtTheTcpLevelAndNotSoDebug() async throws {
        let options = try await Self.acceptedOptions(.init())
        #expect(options.noDelay != 0)
        #expect(options.debug == 0, "TCP_NODELAY set as a SOL_SOCKET option would be SO_DEBUG")
    }

    @Test func configuredBufferSizesAreSet() async throws {
        let options = try await Self.acceptedOptions(.init(sendBufferBytes: 50_000, receiveBufferBytes: 60_000))
        // Linux doubles the requested size for its bookkeeping.
        #expect(options.sendBuffer == 100_000)
        #expect(options.receiveBuffer == 120_000)
    }

    /// -1 leaves the kernel's sizes: the same as a socket nobody configured, and not the
    /// `net.core.wmem_max` cap that -1 turns into when passed to setsockopt.
    @Test func minusOneKeepsTheKernelsBufferSizes() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let accepted = group.next().makePromise(of: Channel.self)
        let plain = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                accepted.succeed(channel)
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let client = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: plain.localAddress!.port!).get()
        let channel = try await accepted.futureResult.get()
        let kernelSend = try await channel.getOption(.socketOption(.so_sndbuf)).get()
        let kernelReceive = try await channel.getOption(.socketOption(.so_rcvbuf)).get()
        try await client.close()
        try await plain.close()
        try await group.shutdownGracefully()

        let options = try await Self.acceptedOptions(.init(sendBufferBytes: -1, receiveBufferBytes: -1))
        #expect(options.sendBuffer == kernelSend)
        #expect(options.receiveBuffer == kernelReceive)
    }
}
