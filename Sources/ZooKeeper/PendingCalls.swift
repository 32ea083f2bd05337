import CZooKeeper
import Synchronization

/// What a C completion delivered, converted to Swift values before the C buffers go away.
struct Completion: Sendable {
    enum Payload: Sendable {
        case none
        case stat(ZooKeeperStat)
        case data([UInt8]?, ZooKeeperStat)
        case children([String], ZooKeeperStat)
        case path(String)
    }

    var rc: Int32
    var payload: Payload

    static func failed(_ code: ZooKeeperError.Code) -> Completion {
        Completion(rc: code.rawValue, payload: .none)
    }
}

/// The table of asynchronous calls in flight, shared by every client of the process.
///
/// Isolation: one `Mutex`. Crossing the C boundary: the `data` pointer given to a `zoo_a*` call is
/// not a Swift object but a token (a nonzero integer) naming an entry here. A C completion looks
/// its token up and removes the entry under the lock, so each call is finished exactly once no
/// matter whether the C client delivers the completion, delivers it twice, or never delivers it:
/// when a handle is closed, `failAll(handle:)` finishes whatever that handle still owed. No Swift
/// object is retained by the C side, so nothing leaks and nothing is released twice.
///
/// C callbacks only convert their arguments and call `finish`, which resumes a continuation:
/// they never block the C client's completion thread.
final class PendingCalls: Sendable {
    static let shared = PendingCalls()

    struct Entry: Sendable {
        let handle: UInt64
        let finish: @Sendable (Completion) -> Void
    }

    private struct State {
        var nextToken: UInt = 1
        var entries: [UInt: Entry] = [:]
    }

    private let state = Mutex(State())

    /// Registers a call and returns the token to hand to C as its `data` pointer.
    func register(handle: UInt64, finish: @escaping @Sendable (Completion) -> Void) -> UInt {
        state.withLock { state in
            let token = state.nextToken
            state.nextToken &+= 1
            if state.nextToken == 0 { state.nextToken = 1 }
            state.entries[token] = Entry(handle: handle, finish: finish)
            return token
        }
    }

    /// Finishes the call named by `token` if it is still pending; later calls for it do nothing.
    func complete(_ token: UInt, with completion: Completion) {
        let entry = state.withLock { $0.entries.removeValue(forKey: token) }
        entry?.finish(completion)
    }

    /// Finishes every call still pending on `handle` with `code` (after the handle is closed).
    func failAll(handle: UInt64, with code: ZooKeeperError.Code) {
        let owed = state.withLock { state -> [Entry] in
            let tokens = state.entries.filter { $0.value.handle == handle }.map(\.key)
            return tokens.compactMap { state.entries.removeValue(forKey: $0) }
        }
        for entry in owed { entry.finish(.failed(code)) }
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// Calls still pending on one handle.
    func count(handle: UInt64) -> Int {
        state.withLock { state in state.entries.values.filter { $0.handle == handle }.count }
    }

    static func token(from data: UnsafeRawPointer?) -> UInt {
        UInt(bitPattern: data)
    }

    static func pointer(for token: UInt) -> UnsafeRawPointer? {
        UnsafeRawPointer(bitPattern: token)
    }
}

// MARK: - C completion functions (no captures: the token in `data` names the call)

extension ZooKeeperStat {
    init(_ c: Stat) {
        self.init(
            czxid: c.czxid, mzxid: c.mzxid, ctime: c.ctime, mtime: c.mtime, version: c.version,
            cversion: c.cversion, aversion: c.aversion, ephemeralOwner: c.ephemeralOwner,
            dataLength: c.dataLength, numChildren: c.numChildren, pzxid: c.pzxid)
    }
}

let voidCompletion: void_completion_t = { rc, data in
    PendingCalls.shared.complete(PendingCalls.token(from: data), with: Completion(rc: rc, payload: .none))
}

let statCompletion: stat_completion_t = { rc, stat, data in
    let payload: Completion.Payload = stat.map { .stat(ZooKeeperStat($0.pointee)) } ?? .none
    PendingCalls.shared.complete(PendingCalls.token(from: data), with: Completion(rc: rc, payload: payload))
}

let dataCompletion: data_completion_t = { rc, value, length, stat, data in
    var bytes: [UInt8]? = nil
    if let value, length >= 0 {
        bytes = value.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            Array(UnsafeBufferPointer(start: $0, count: Int(length)))
        }
    }
    let payload: Completion.Payload = .data(bytes, stat.map { ZooKeeperStat($0.pointee) } ?? ZooKeeperStat())
    PendingCalls.shared.complete(PendingCalls.token(from: data), with: Completion(rc: rc, payload: payload))
}

let childrenCompletion: strings_stat_completion_t = { rc, strings, stat, data in
    var names: [String] = []
    if let vector = strings?.pointee, let items = vector.data {
        names.reserveCapacity(Int(vector.count))
        for index in 0..<Int(vector.count) {
            if let item = items[index] { names.append(String(cString: item)) }
        }
    }
    let payload: Completion.Payload = .children(names, stat.map { ZooKeeperStat($0.pointee) } ?? ZooKeeperStat())
    PendingCalls.shared.complete(PendingCalls.token(from: data), with: Completion(rc: rc, payload: payload))
}

let pathCompletion: string_completion_t = { rc, value, data in
    let payload: Completion.Payload = value.map { .path(String(cString: $0)) } ?? .none
    PendingCalls.shared.complete(PendingCalls.token(from: data), with: Completion(rc: rc, payload: payload))
}
