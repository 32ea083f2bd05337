import Foundation
import Glibc
import KafkaTestKit

/// Runs the `kafka` executable built beside `kafka-server` (or `$KAFKA_CLI_BIN`) as a child
/// process, feeding `input` on stdin and collecting stdout and stderr through files (no pipe can
/// fill up and block it). Spawned with `posix_spawn` and reaped with `waitpid` on its own pid,
/// as `ChildProcess` does, rather than through Foundation's `Process`.
struct CLIProcess {
    struct Result {
        /// The exit status; for a process killed by a signal, 128 + the signal number.
        var status: Int32
        var output: String
        var error: String
        var lines: [String] { output.split(separator: "\n").map(String.init) }
    }

    static func executable() -> URL {
        if let path = ProcessInfo.processInfo.environment["KAFKA_CLI_BIN"] { return URL(fileURLWithPath: path) }
        return KafkaCluster.serverExecutable().deletingLastPathComponent().appendingPathComponent("kafka")
    }

    static func run(_ arguments: [String], input: String = "", timeout: Duration = .seconds(60)) async throws -> Result {
        try await run(program: executable().path, arguments, input: input, timeout: timeout)
    }

    /// Runs any `program` this way (a script of `Scripts/` under bash, say), with `environment`
    /// added to the test process's.
    static func run(
        program path: String, _ arguments: [String], input: String = "", environment extra: [String: String] = [:],
        timeout: Duration = .seconds(60)
    ) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = ["in", "out", "err"].map { directory.appendingPathComponent($0).path }
        try Data(input.utf8).write(to: URL(fileURLWithPath: files[0]))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, files[0], O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, files[1], O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, files[2], O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Nothing else of the test process (NIO's sockets are not close-on-exec): see `ChildProcess`.
        try addCloseFrom(3, to: &actions)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in environment { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environment)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }

        let deadline = ContinuousClock.now + timeout
        var raw: Int32 = 0
        while waitpid(pid, &raw, WNOHANG) != pid {
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &raw, 0)
                throw CLITimedOut(arguments: arguments)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let signal = raw & 0x7f
        return Result(
            status: signal == 0 ? (raw >> 8) & 0xff : 128 + signal,
            output: try String(contentsOfFile: files[1], encoding: .utf8),
            error: try String(contentsOfFile: files[2], encoding: .utf8))
    }
}

struct CLITimedOut: Error, CustomStringConvertible {
    let arguments: [String]
    var description: String { "kafka \(arguments.joined(separator: " ")) did not exit in time" }
}
