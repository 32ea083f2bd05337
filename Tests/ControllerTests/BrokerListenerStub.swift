import Foundation
import Glibc
import Synchronization

/// A loopback listener standing in for a broker: it accepts connections and reads request
/// frames, and answers a frame only when `answer` returns bytes for it (given the connection's
/// index, 0 for the first, and the frame). A listener whose `answer` returns nil accepts and never
/// answers: the broker that hangs. It records every connection, its frames, and whether the
/// other side closed it.
///
/// One thread accepts; one thread per connection reads with blocking sockets. `close()` shuts
/// everything down.
final class BrokerListenerStub: Sendable {
    struct Connection: Sendable {
        var frames: [[UInt8]] = []
        var closedByPeer = false
    }

    let port: Int
    private let listener: Int32
    private let answer: @Sendable (Int, [UInt8]) -> [UInt8]?
    private let state = Mutex<(connections: [Connection], sockets: [Int32], closed: Bool)>(([], [], false))

    init(answer: @escaping @Sendable (Int, [UInt8]) -> [UInt8]? = { _, _ in nil }) throws {
        self.answer = answer
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok, listen(fd, 16) == 0 else {
            Glibc.close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let stub = self
        Thread.detachNewThread { stub.acceptLoop() }
    }

    var connections: [Connection] { state.withLock { $0.connections } }
    var frameCount: Int { connections.reduce(0) { $0 + $1.frames.count } }

    /// Shuts the listener and every open connection down. Only sockets still open are touched:
    /// a connection's thread closes its socket under the same lock, and the accept thread closes
    /// the listener once `accept` fails, so no descriptor number that the process may have reused
    /// (for another test's socket) is ever shut down or closed here.
    func close() {
        state.withLock { state in
            state.closed = true
            for fd in state.sockets { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else {
                Glibc.close(listener)
                return
            }
            let index = state.withLock { state -> Int? in
                guard !state.closed else { return nil }
                state.connections.append(Connection())
                state.sockets.append(fd)
                return state.connections.count - 1
            }
            guard let index else {
                Glibc.close(fd)
                continue // the listener is shut down: the next accept fails and closes it
            }
            let stub = self
            Thread.detachNewThread { stub.serve(fd, index: index) }
        }
    }

    private func serve(_ fd: Int32, index: Int) {
        defer {
            state.withLock { state in
                state.sockets.removeAll { $0 == fd }
                Glibc.close(fd)
            }
        }
        while let sizeBytes = readExactly(fd, 4) {
            let size = sizeBytes.reduce(0) { $0 << 8 | Int($1) }
            guard let frame = readExactly(fd, size) else { break }
            state.withLock { $0.connections[index].frames.append(frame) }
            if let response = answer(index, frame) {
                let count = UInt32(response.count)
                let bytes = [UInt8(count >> 24), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)] + response
                _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
        }
        state.withLock { $0.connections[index].closedByPeer = true }
    }

    private func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var read = 0
        while read < count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + read, count - read, 0) }
            guard n > 0 else { return nil }
            read += n
        }
        return buffer
    }

    /// An ApiVersions v0 response with no error and no APIs, for the request `frame`.
    static func apiVersionsResponse(to frame: [UInt8]) -> [UInt8] {
        Array(frame[4..<8]) + [0, 0] + [0, 0, 0, 0]
    }
}
