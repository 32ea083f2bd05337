#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import KafkaTestKit
import Logging
import Synchronization
import Testing

@testable import KafkaBroker

/// The acceptor when accept fails: with the descriptor table full the pending connection stays
/// in the backlog and `poll` keeps reporting it, so an acceptor that simply polled again would
/// spin on a core. It must back off, log once per back-off, and serve the connection once
/// descriptors free up.
@Suite("Acceptor backs off when accept fails")
struct AcceptorBackoffTests {
    /// Every log line, as text.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        struct Handler: LogHandler {
            let sink: Lines
            var logLevel: Logger.Level = .trace
            var metadata: Logger.Metadata = [:]
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                sink.lines.withLock { $0.append("\(event.level) \(event.message) \(event.metadata?["error"].map { "\($0)" } ?? "")") }
            }
        }
        var logger: Logger { Logger(label: "acceptor-test") { _ in Handler(sink: self) } }
    }

    /// An accept function that fails with EMFILE while the table is "full" and records the time
    /// of every failed attempt; otherwise it is the real `accept4`.
    final class Exhaustion: Sendable {
        let isFull = Atomic<Bool>(true)
        let failedAt = Mutex<[ContinuousClock.Instant]>([])
        var call: Acceptor.AcceptCall {
            { listener in
                guard self.isFull.load(ordering: .acquiring) else { return Acceptor.systemAccept(listener) }
                self.failedAt.withLock { $0.append(.now) }
                return (-1, EMFILE)
            }
        }
    }

    /// A blocking client socket connected to `127.0.0.1:port` (the kernel completes the handshake
    /// from the backlog, before any accept).
    static func connectClient(port: Int) throws -> Int32 {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return fd
    }

    @Test func emfileBacksOffLogsEachBackOffAndServesOnceDescriptorsFreeUp() async throws {
        let lines = Lines()
        let exhaustion = Exhaustion()
        let backoff = Duration.milliseconds(30)
        let acceptor = try Acceptor(host: "127.0.0.1", port: 0, logger: lines.logger, errorBackoff: backoff, accept: exhaustion.call)
        let handedOff = Mutex<[Int32]>([])
        acceptor.start { connection in handedOff.withLock { $0.append(connection) } }
        let client = try Self.connectClient(port: acceptor.port)
        defer { _ = close(client) }

        // The table stays "full" for ten back-offs.
        try await waitUntil("ten failed accepts", timeout: .seconds(30)) { exhaustion.failedAt.withLock { $0.count } >= 10 }
        exhaustion.isFull.store(false, ordering: .releasing)
        let served = try await waitFor("the pending connection handed off", timeout: .seconds(30)) { handedOff.withLock { $0.first } }
        defer { _ = close(served) }

        let failures = exhaustion.failedAt.withLock { $0 }
        // A spinning acceptor would retry within microseconds; a backed-off one waits at least
        // the back-off between two attempts (a busy machine only makes the gaps longer).
        let gaps = zip(failures.dropFirst(), failures).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= backoff * 0.9 }, "gaps between failed accepts: \(gaps)")
        // One "Error occurred" line per failed attempt, that is, per back-off, naming the error.
        let errors = lines.lines.withLock { $0 }.filter { $0.hasPrefix("error Error occurred") }
        #expect(errors.count == failures.count)
        #expect(errors.allSatisfy { $0.contains("errno \(EMFILE)") }, "\(errors.prefix(1))")

        // The connection is served: close-on-exec and non-blocking from accept4, and bytes pass.
        #expect(fcntl(served, F_GETFD) & FD_CLOEXEC != 0)
        #expect(fcntl(served, F_GETFL) & O_NONBLOCK != 0)
        #expect(write(served, "hi", 2) == 2)
        var buffer = [UInt8](repeating: 0, count: 2)
        #expect(read(client, &buffer, 2) == 2 && buffer == Array("hi".utf8))

        // And the next client is accepted straight away, without any further failure.
        let second = try Self.connectClient(port: acceptor.port)
        defer { _ = close(second) }
        try await waitUntil("the second connection handed off", timeout: .seconds(30)) { handedOff.withLock { $0.count } == 2 }
        #expect(exhaustion.failedAt.withLock { $0.count } == failures.count)
        for fd in handedOff.withLock({ $0 }).dropFirst() { _ = close(fd) }
        try await acceptor.close()
    }

    /// Routine failures (nothing pending after all, a client gone before accept) are not errors:
    /// no log line and no back-off.
    @Test func routineAcceptFailuresAreNotLogged() {
        #expect(Acceptor.isTransient(EAGAIN) && Acceptor.isTransient(EINTR) && Acceptor.isTransient(ECONNABORTED))
        #expect(!Acceptor.isTransient(EMFILE) && !Acceptor.isTransient(ENFILE) && !Acceptor.isTransient(ENOBUFS))
    }
}
