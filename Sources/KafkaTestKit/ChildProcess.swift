import Foundation
import Glibc
import Synchronization

/// A process started by a test, which can be signalled (kill -9, SIGSTOP, SIGCONT, SIGTERM) and
/// which never outlives the test process.
///
/// The command runs under a small bash guard that records the real pid, kills the command with
/// SIGKILL as soon as the test process is gone (checked twice a second), and removes `cleanup`
/// (a directory) when the command ends. Output goes to `logFile`.
public final class ChildProcess: Sendable {
    public let name: String
    public let logFile: URL
    public let pid: Int32
    private let guardProcess: Mutex<Process?>

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
        if !FileManager.default.fileExists(atPath: logFile.path) {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        let pidFile = logFile.deletingPathExtension().appendingPathExtension("pid")
        try? FileManager.default.removeItem(at: pidFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", Self.guardScript, "guard", String(getpid()), pidFile.path, cleanup?.path ?? ""]
            + [executable] + arguments
        if let environment { process.environment = environment }
        let output = try FileHandle(forWritingTo: logFile)
        output.seekToEndOfFile()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        guardProcess = Mutex(process)
        var childPid: Int32 = 0
        for _ in 0..<400 {
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

    /// Sends `signal` to the process itself (not to its guard).
    public func send(_ signal: Int32) {
        kill(pid, signal)
    }

    public var isRunning: Bool {
        guardProcess.withLock { $0?.isRunning ?? false }
    }

    /// The exit status (signals as 128 + n), once it has exited.
    public var exitStatus: Int32? {
        guardProcess.withLock { process in
            guard let process, !process.isRunning else { return nil }
            return process.terminationStatus
        }
    }

    /// Waits for the process to exit and returns its status; nil if it is still running after `timeout`.
    public func waitForExit(timeout: Duration) async -> Int32? {
        try? await waitUntil("\(name) to exit", timeout: timeout) { !isRunning }
        return exitStatus
    }

    /// SIGKILL (after SIGCONT, in case it was stopped) and wait for the exit.
    public func kill9() async {
        send(SIGCONT)
        send(SIGKILL)
        _ = await waitForExit(timeout: .seconds(10))
    }

    public var log: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }
}
