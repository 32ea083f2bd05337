import Foundation
import Glibc
import KafkaTestKit
import Synchronization

/// One loopback TCP connection for tests of the admin listener that `HTTPGet` cannot express: any
/// request text (other methods, HEAD), and an answer read as it arrives (a server-sent event
/// stream that never ends by itself). Every blocking socket call runs on a thread of its own,
/// never on Swift's cooperative pool, where the server under test answers.
///
/// Not thread-safe: one test task uses it at a time; `close` once.
final class RawHTTPConnection: @unchecked Sendable {
    private let fd: Int32
    /// Everything read so far.
    private(set) var received = ""
    /// Whether the server closed its side (a read returned 0).
    private(set) var sawEndOfStream = false

    init(port: Int) async throws {
        fd = try await Self.onThread {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw HTTPGet.Failure(description: "socket() failed") }
            // Reads wake at least every 200 ms, so `read(until:)` keeps to its deadline.
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard connected else {
                Glibc.close(fd)
                throw HTTPGet.Failure(description: "cannot connect to 127.0.0.1:\(port): errno \(errno)")
            }
            return fd
        }
    }

    func send(_ request: String) throws {
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            throw HTTPGet.Failure(description: "cannot send the request: errno \(errno)")
        }
    }

    /// Reads until `done(received)` holds or the server closes, failing after `timeout`.
    func read(until what: String, timeout: Duration = .seconds(30), _ done: @escaping @Sendable (String) -> Bool) async throws {
        let fd = self.fd
        let start = received
        let (text, ended) = try await Self.onThread { () throws -> (String, Bool) in
            let deadline = ContinuousClock.now + timeout
            var text = start
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while !done(text) {
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count == 0 { return (text, true) }
                if count > 0 {
                    text += String(decoding: chunk[0..<count], as: UTF8.self)
                } else if errno != EAGAIN && errno != EWOULDBLOCK {
                    throw HTTPGet.Failure(description: "receive failed: errno \(errno)")
                }
                if ContinuousClock.now >= deadline {
                    throw HTTPGet.Failure(description: "no \(what) within \(timeout); received: \(text.suffix(300))")
                }
            }
            return (text, false)
        }
        received = text
        sawEndOfStream = sawEndOfStream || ended
    }

    /// Reads until the server closes the connection.
    func readToEnd(timeout: Duration = .seconds(30)) async throws {
        try await read(until: "the end of the stream", timeout: timeout) { _ in false }
    }

    func close() { Glibc.close(fd) }

    private static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
