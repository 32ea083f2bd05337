import Glibc

/// Loopback TCP ports that were free a moment ago: each is bound to 127.0.0.1 port 0 by the
/// kernel, read back and released. All sockets stay open until every port is chosen, so the
/// ports in one call are distinct.
public func freeLoopbackPorts(_ count: Int) -> [Int] {
    var sockets: [Int32] = []
    var ports: [Int] = []
    defer { for fd in sockets { close(fd) } }
    for _ in 0..<count {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0, "socket() failed")
        sockets.append(fd)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        precondition(bound, "bind() to a free loopback port failed")
        ports.append(Int(UInt16(bigEndian: address.sin_port)))
    }
    return ports
}

/// Sends a ZooKeeper four-letter command (`srvr`, `ruok`, `mntr`, …) and returns the answer,
/// or nil when nothing listens or the server closes without answering.
public func zooKeeperFourLetterWord(_ command: String, host: String = "127.0.0.1", port: Int) -> String? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 2, tv_usec: 0)
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
    guard connected else { return nil }
    let bytes = Array(command.utf8)
    guard send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { return nil }
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let received = recv(fd, &buffer, buffer.count, 0)
        if received <= 0 { break }
        answer.append(contentsOf: buffer[0..<received])
    }
    return answer.isEmpty ? nil : String(decoding: answer, as: UTF8.self)
}
