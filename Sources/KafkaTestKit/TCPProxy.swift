import Foundation
import Glibc
import Synchronization

/// A loopback TCP proxy that a test can cut: `block()` drops every connection and refuses new
/// ones until `unblock()`. Put between a ZooKeeper client and its server, it makes a network
/// partition, so the ensemble expires the client's session while the client process runs on.
///
/// Each connection is pumped by two threads with blocking sockets; `block()` shuts the sockets
/// down, which ends both pumps.
public final class TCPProxy: Sendable {
    public let port: Int
    public let targetPort: Int
    private let listener: Int32
    private let state = Mutex(ProxyState())

    private struct ProxyState {
        var blocked = false
        var closed = false
        var sockets: Set<Int32> = []
    }

    public init(targetPort: Int) throws {
        self.targetPort = targetPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok, listen(fd, 64) == 0 else {
            Glibc.close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let proxy = self
        Thread.detachNewThread { proxy.acceptLoop() }
    }

    public func block() {
        let sockets = state.withLock { state in
            state.blocked = true
            return state.sockets
        }
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    public func unblock() {
        state.withLock { $0.blocked = false }
    }

    public func close() {
        let sockets = state.withLock { state in
            state.closed = true
            state.blocked = true
            return state.sockets
        }
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if state.withLock({ $0.closed }) { return }
                continue
            }
            if state.withLock({ $0.blocked }) {
                Glibc.close(client)
                continue
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: targetPort)
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard connected else {
                Glibc.close(client)
                Glibc.close(upstream)
                continue
            }
            state.withLock { $0.sockets.formUnion([client, upstream]) }
            let pair = SocketPair(a: client, b: upstream, proxy: self)
            Thread.detachNewThread { pair.pump(from: client, to: upstream) }
            Thread.detachNewThread { pair.pump(from: upstream, to: client) }
        }
    }

    fileprivate func forget(_ sockets: [Int32]) {
        state.withLock { $0.sockets.subtract(sockets) }
    }
}

/// Two connected sockets; closed together once both directions have ended.
private final class SocketPair: Sendable {
    let a: Int32
    let b: Int32
    let proxy: TCPProxy
    private let finished = Atomic<Int>(0)

    init(a: Int32, b: Int32, proxy: TCPProxy) {
        self.a = a
        self.b = b
        self.proxy = proxy
    }

    func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = read(source, &buffer, buffer.count)
            if count <= 0 { break }
            var sent = 0
            while sent < count {
                let written = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                if written <= 0 { break }
                sent += written
            }
            if sent < count { break }
        }
        shutdown(a, Int32(SHUT_RDWR))
        shutdown(b, Int32(SHUT_RDWR))
        if finished.add(1, ordering: .acquiringAndReleasing).newValue == 2 {
            proxy.forget([a, b])
            Glibc.close(a)
            Glibc.close(b)
        }
    }
}
