#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import NIOCore
import Synchronization

/// One listener's acceptor (Kafka's `Acceptor`): a listening socket and a thread of its own that
/// accepts connections and hands each to the next processor, round-robin. NIO's `ServerBootstrap`
/// only hands connections to a fixed `MultiThreadedEventLoopGroup`, which cannot grow or shrink,
/// so the acceptor accepts itself and gives the socket to a processor's event loop
/// (`ClientBootstrap.withConnectedSocket`).
///
/// Invariant: `handOff` holds its lock from the moment it picks a processor until the socket is
/// queued on that processor's event loop, so once `quiesce()` returns no connection picked for a
/// removed processor is still on its way.
///
/// A failed accept never makes the thread spin: with the descriptor table full (EMFILE, ENFILE)
/// the pending connection stays in the backlog and `poll` reports it again at once, so after any
/// error that is not routine the thread logs it ("Error occurred", as Kafka's acceptor does) and
/// waits `errorBackoff` before it polls again. It keeps going: connections are accepted again as
/// soon as descriptors free up.
public final class Acceptor: Sendable {
    private let fd: Int32
    private let acceptCall: AcceptCall
    private let errorBackoff: Duration
    private let logger: Logger
    /// The port bound (the one asked for, or the one the kernel chose for port 0).
    public let port: Int
    private let stopped = Atomic<Bool>(false)
    private let exited = DispatchSemaphore(value: 0)
    private let handOffLock = Mutex<Void>(())

    /// Binds and listens on `host:port` (an empty host: every address). `accept` accepts one
    /// connection (`systemAccept` but in tests); after a failed accept the thread waits
    /// `errorBackoff`.
    init(
        host: String, port: Int, logger: Logger = Logger(label: "kafka.network.Acceptor"),
        errorBackoff: Duration = .milliseconds(50), accept: @escaping AcceptCall = Acceptor.systemAccept
    ) throws {
        let address = try SocketAddress.makeAddressResolvingHost(host.isEmpty ? "0.0.0.0" : host, port: port)
        let family = address.protocol.rawValue
        #if canImport(Glibc)
        // Non-blocking: a client that resets between `poll` and `accept` leaves nothing to accept,
        // and the accept must then fail with EAGAIN rather than wait for the next client.
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        #else
        let fd = socket(family, SOCK_STREAM, 0)
        if fd >= 0 { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        #endif
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = address.withSockAddr { pointer, size in bind(fd, pointer, socklen_t(size)) }
        guard bound == 0, listen(fd, 256) == 0 else {
            let code = errno
            closeDescriptor(fd)
            throw IOError(errnoCode: code, reason: "bind \(host):\(port)")
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let isIPv6 = Int32(storage.ss_family) == AF_INET6
        let localPort = withUnsafePointer(to: &storage) { pointer -> UInt16 in
            if isIPv6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
        self.fd = fd
        self.port = Int(localPort)
        self.logger = logger
        self.errorBackoff = errorBackoff
        self.acceptCall = accept
    }

    /// Starts the accepting thread; each accepted socket goes to `handOff`, under the hand-off lock.
    func start(_ handOff: @escaping @Sendable (Int32) -> Void) {
        let thread = Thread { [self] in
            var pollFd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while !stopped.load(ordering: .acquiring) {
                guard poll(&pollFd, 1, 100) > 0 else { continue }
                let (connection, error) = acceptCall(fd)
                if connection >= 0 {
                    handOffLock.withLock { _ in handOff(connection) }
                } else if !Self.isTransient(error) {
                    logger.error("Error occurred", metadata: ["error": "\(String(cString: strerror(error))) (errno \(error))"])
                    Thread.sleep(forTimeInterval: Double(errorBackoff.milliseconds) / 1000)
                }
            }
            closeDescriptor(fd)
            exited.signal()
        }
        thread.name = "kafka-socket-acceptor-\(port)"
        thread.start()
    }

    /// Returns once any connection being handed off has been queued on its processor.
    func quiesce() { handOffLock.withLock { _ in } }

    /// Stops accepting and closes the listening socket.
    public func close() async throws {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.exited.wait()
                done.resume()
            }
        }
    }
}

/// `close(2)`, out of reach of `Acceptor.close()`'s name.
private func closeDescriptor(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}
