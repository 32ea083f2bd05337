import Foundation
import Glibc

/// A Python client script in `Clients/` run with a pipe on its standard input, which answers each
/// line it is sent with one line on standard output (`txn_steps_producer.py`): the test runs it a
/// step at a time and kills or stops brokers between the steps, or kills the client itself.
///
/// Both output pipes are drained by threads of their own while it runs, so the script never
/// blocks on a full pipe; answers are kept in order and taken one per step.
final class SteppedPythonClient: @unchecked Sendable {
    /// A step the script did not answer in time, or a script that exited meanwhile.
    struct NoAnswer: Error, CustomStringConvertible {
        let step: String
        let errors: String
        var description: String { "no answer to \"\(step)\"; the script's stderr ends:\n\(errors)" }
    }

    private let process = Process()
    private let input = Pipe()
    private let lock = NSLock()
    private var answers: [String] = []
    private var partialLine = ""
    private var errors = Data()

    init(_ script: String, _ arguments: [String], file: String = #filePath) throws {
        let path = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Clients/\(script)").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", path] + arguments
        let output = Pipe()
        let errorOutput = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errorOutput
        try process.run()
        Thread.detachNewThread { [self] in
            while true {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { return }
                lock.withLock {
                    partialLine += String(decoding: data, as: UTF8.self)
                    while let newline = partialLine.firstIndex(of: "\n") {
                        answers.append(String(partialLine[..<newline]))
                        partialLine = String(partialLine[partialLine.index(after: newline)...])
                    }
                }
            }
        }
        Thread.detachNewThread { [self] in
            while true {
                let data = errorOutput.fileHandleForReading.availableData
                if data.isEmpty { return }
                lock.withLock { errors.append(data) }
            }
        }
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    /// The last lines of standard error.
    var errorTail: String { lock.withLock { String(String(decoding: errors, as: UTF8.self).suffix(3000)) } }

    /// Sends `command` without waiting for its answer (``answer(to:timeout:)`` takes it).
    func send(_ command: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((command + "\n").utf8))
    }

    /// The next answer, which is `step`'s.
    func answer(to step: String, timeout: Duration = .seconds(300)) async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let next: String = lock.withLock({ answers.isEmpty ? nil : answers.removeFirst() }) { return next }
            // Read again after seeing the exit: the last answer may have come just before it.
            if !process.isRunning {
                try await Task.sleep(for: .milliseconds(200))
                if let next: String = lock.withLock({ answers.isEmpty ? nil : answers.removeFirst() }) { return next }
                throw NoAnswer(step: step, errors: "the script exited\n" + errorTail)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw NoAnswer(step: step, errors: "timed out after \(timeout)\n" + errorTail)
    }

    /// Sends `command` and waits for its answer.
    @discardableResult
    func step(_ command: String, timeout: Duration = .seconds(300)) async throws -> String {
        try send(command)
        return try await answer(to: command, timeout: timeout)
    }

    /// Kills the script at once (SIGKILL), as a producer that dies mid-transaction, and reaps it.
    func kill9() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Ends the script: `exit` if it still runs, then SIGKILL if it does not stop.
    func stop() async {
        if process.isRunning { _ = try? await step("exit", timeout: .seconds(10)) }
        kill9()
    }
}
