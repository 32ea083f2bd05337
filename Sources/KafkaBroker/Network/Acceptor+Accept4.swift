#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Acceptor {
    /// One call to accept a connection on a listening socket: the new descriptor, or -1 and the
    /// errno. Injectable so that tests can make it fail (EMFILE) without exhausting the test
    /// process's descriptors.
    public typealias AcceptCall = @Sendable (_ listener: Int32) -> (descriptor: Int32, error: Int32)

    /// `accept4(2)` with SOCK_CLOEXEC | SOCK_NONBLOCK: the connection is close-on-exec from the
    /// start (a child spawned at the same moment cannot inherit it) and already in the mode the
    /// processor's event loop wants, in one system call. Elsewhere `accept` + `fcntl`.
    public static let systemAccept: AcceptCall = { listener in
        #if canImport(Glibc)
        if let accept4 = linuxAccept4 {
            let descriptor = accept4(listener, nil, nil, Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue))
            return (descriptor, descriptor >= 0 ? 0 : errno)
        }
        #endif
        let descriptor = accept(listener, nil, nil)
        guard descriptor >= 0 else { return (descriptor, errno) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        return (descriptor, 0)
    }

    #if canImport(Glibc)
    private typealias Accept4 = @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32

    /// `accept4` from the C library. Swift's Glibc module does not declare it (a GNU extension,
    /// hidden without `_GNU_SOURCE`), so it is looked up at run time, once.
    private static let linuxAccept4: Accept4? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "accept4") else { return nil }
        return unsafeBitCast(symbol, to: Accept4.self)
    }()
    #endif

    /// Whether a failed accept is routine and the acceptor simply polls again: nothing was
    /// pending after all (EAGAIN), a signal (EINTR), or a client gone before it was accepted
    /// (ECONNABORTED). Any other error (EMFILE, ENFILE, ENOBUFS, ENOMEM, …) makes it back off.
    static func isTransient(_ error: Int32) -> Bool {
        error == EAGAIN || error == EWOULDBLOCK || error == EINTR || error == ECONNABORTED
    }
}
