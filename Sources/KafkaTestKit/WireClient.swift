import Glibc

/// A plain blocking TCP client for talking to a broker byte by byte in tests: send raw bytes or
/// frames, read size-prefixed frames, tell whether the broker closed the connection.
public final class WireClient {
    private var fd: Int32
    private var buffered: [UInt8] = []

    public init(port: Int, host: String = "127.0.0.1", timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            Glibc.close(fd)
            throw WireClientError.connectFailed(port)
        }
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    public func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw WireClientError.closed }
            sent += count
        }
    }

    /// Sends `payload` with its int32 size prefix.
    public func sendFrame(_ payload: [UInt8]) throws {
        let size = UInt32(payload.count)
        try send([UInt8(size >> 24), UInt8((size >> 16) & 0xFF), UInt8((size >> 8) & 0xFF), UInt8(size & 0xFF)] + payload)
    }

    /// The next frame's payload (without its size prefix); throws `.closed` when the peer closed
    /// the connection and `.timedOut` when nothing came within the timeout.
    public func readFrame() throws -> [UInt8] {
        try fill(4)
        let size = Int(buffered[0]) << 24 | Int(buffered[1]) << 16 | Int(buffered[2]) << 8 | Int(buffered[3])
        try fill(4 + size)
        let frame = Array(buffered[4..<(4 + size)])
        buffered.removeFirst(4 + size)
        return frame
    }

    /// True when the broker closes the connection (reading returns end of stream or a reset)
    /// before the timeout.
    public func waitForClose() -> Bool {
        do {
            while true {
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = recv(fd, &chunk, chunk.count, 0)
                if count == 0 { return true }
                if count < 0 { return errno == ECONNRESET }
            }
        }
    }

    private func fill(_ count: Int) throws {
        while buffered.count < count {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let received = recv(fd, &chunk, chunk.count, 0)
            if received == 0 { throw WireClientError.closed }
            if received < 0 { throw errno == EAGAIN || errno == EWOULDBLOCK ? WireClientError.timedOut : WireClientError.closed }
            buffered.append(contentsOf: chunk[0..<received])
        }
    }
}

public enum WireClientError: Error, Equatable {
    case connectFailed(Int)
    case closed
    case timedOut
}
