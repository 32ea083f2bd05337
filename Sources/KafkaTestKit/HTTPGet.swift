import Foundation
import Glibc

/// A minimal HTTP/1.1 GET over a loopback TCP socket, for tests that scrape a broker's admin
/// listener: `Connection: close`, the whole answer read until the server closes (bounded by a
/// receive timeout), headers and body split at the first blank line.
public enum HTTPGet {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// The socket calls block, so they run on a thread of their own: a test's blocked call must
    /// not hold one of the few threads of Swift's cooperative pool, on which the server under
    /// test (the admin listener's Hummingbird handlers) answers.
    public static func get(host: String, port: Int, path: String, timeoutSeconds: Int = 30) async throws
        -> (status: Int, contentType: String, body: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    try getBlocking(host: host, port: port, path: path, timeoutSeconds: timeoutSeconds)
                })
            }.start()
        }
    }

    static func getBlocking(host: String, port: Int, path: String, timeoutSeconds: Int) throws
        -> (status: Int, contentType: String, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw Failure(description: "cannot connect to \(host):\(port): errno \(errno)") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw Failure(description: "cannot send the request")
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw Failure(description: "receive failed: errno \(errno)") }
            response.append(contentsOf: chunk[0..<count])
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw Failure(description: "no header end in: \(text.prefix(200))") }
        let headerLines = text[..<split.lowerBound].split(separator: "\r\n")
        guard let statusLine = headerLines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            throw Failure(description: "no status line in: \(text.prefix(200))")
        }
        let contentType = headerLines.dropFirst().first { $0.lowercased().hasPrefix("content-type:") }
            .map { String($0.dropFirst("content-type:".count)).trimmingCharacters(in: .whitespaces) } ?? ""
        return (status, contentType, String(text[split.upperBound...]))
    }
}
