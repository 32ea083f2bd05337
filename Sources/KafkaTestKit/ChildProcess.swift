import Foundation
import Glibc
import Synchronization

/// A process started by a test, which can be signalled (kill -9, SIGSTOP, SIGCONT, SIGTERM) and
/// which never outlives the test process. Spawned with `posix_spawn` and reaped with `waitpid`
/// by this class alone (Foundation's `Process` notices exits late on Linux).
///
/// The command runs under a small bash guard that records the real pid, kills the command with
/// SIGKILL as soon as the test process is gone (checked twice a second), and removes `cleanup`
/// (a directory) when the command ends. Output goes to `logFile`.
///
/// The child gets stdin (`/dev/null`), stdout and stderr and no other descriptor of the test
/// process. Inheriting them would be a bug that shows up in other tests: NIO opens its sockets
/// without close-on-exec, so a child that lives for the whole test process (the shared
/// ZooKeeper) would hold a copy of every socket open at the moment it was spawned. A server
/// closing such a connection then sends no FIN (the child's copy keeps it open, and the client
/// waits for a close that never comes), and a shut-down listener goes on accepting.
public final class ChildProcess: Sendable {
    public let name: String
    public let logFile: URL
    /// The command's own pid (not its guard's).
    public let pid: Int32
    private let guardPid: Int32
    private let status: Mutex<Int32?> = Mutex(nil)

    private static let guardScript = #"""
        parent=$1; pidfile=$2; cleanup=$3; shift 3
        "$@" &
        child=$!
        echo "$child" > "$pidfile"
        ( while kill -0 "$parent" 2>/dev/null; do sleep 0.5; done; kill -9 "$child" 2>/dev/null ) &
        watcher=$!
        wait "$child"; rc=$?
        kill "$watcher" 2>/dev/null
        [ -n "$cleanup" ] && rm -rf "$cleanup"
        exit $rc
        """#

    /// Starts `executable` with `arguments`, appending its output to `logFile`.
    public init(
        name: String, executable: String, arguments: [String], logFile: URL,
        environment: [String: String]? = nil, cleanup: URL? = nil
    ) throws {
        self.name = name
        self.logFile = logFile
        let pidFile = logFile.deletingPathExtension().appendingPathExtension("pid")
        try? FileManager.default.removeItem(at: pidFile)
        let argv = ["/bin/bash", "-c", Self.guardScript, "guard", String(getpid()), pidFile.path, cleanup?.path ?? ""]
            + [executable] + arguments
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        guardPid = try Self.spawn(argv: argv, environment: env, output: logFile.path)
        var childPid: Int32 = 0
        for _ in 0..<1000 {
            if let text = try? String(contentsOf: pidFile, encoding: .utf8),
               let value = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                childPid = value
                break
            }
            usleep(5_000)
        }
        precondition(childPid > 0, "\(name): the guard did not report a pid")
        pid = childPid
    }

    private static func spawn(argv: [String], environment: [String], output: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        try addCloseFrom(3, to: &actions)
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in cArguments { free(pointer) }
            for pointer in cEnvironment { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/bash", &actions, nil, cArguments, cEnvironment)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        return pid
    }

    /// Sends `signal` to the process itself (not to its guard).
    public func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// The exit status (killed by signal n: 128 + n), once it has exited; reaps the guard.
    public var exitStatus: Int32? {
        status.withLock { status in
            if let status { return status }
            var raw: Int32 = 0
            guard waitpid(guardPid, &raw, WNOHANG) == guardPid else { return nil }
            let low = raw & 0x7f
            status = low == 0 ? (raw >> 8) & 0xff : 128 + low
            return status
        }
    }

    public var isRunning: Bool { exitStatus == nil }

    /// Waits for the process to exit and returns its status; nil if it is still running after `timeout`.
    public func waitForExit(timeout: Duration) async -> Int32? {
        try? await waitUntil("\(name) to exit", timeout: timeout, every: .milliseconds(20)) { !isRunning }
        return exitStatus
    }

    /// SIGKILL and wait for the exit. A stopped (SIGSTOP) process dies as it is: it is not
    /// continued first, so it cannot run a moment longer (and, say, write what its sockets hold).
    public func kill9() async {
        send(SIGKILL)
        send(SIGCONT)
        _ = await waitForExit(timeout: .seconds(10))
    }

    public var log: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }
}
