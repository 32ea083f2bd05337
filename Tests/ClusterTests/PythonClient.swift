import Foundation

/// Runs one of the Python client scripts in `Clients/` (confluent-kafka, kafka-python, aiokafka)
/// with the `python3` on the PATH — the project's `.venv` when run through `Scripts/test.sh` —
/// and waits for it to exit. Both pipes are drained while it runs, so a chatty script cannot
/// block on a full pipe.
enum PythonClient {
    struct Outcome {
        let status: Int32
        let output: Data
        let errors: String

        var outputText: String { String(decoding: output, as: UTF8.self) }
        /// The last lines of standard error, for a failed expectation's message.
        var errorTail: String { String(errors.suffix(2000)) }
    }

    static func run(_ script: String, _ arguments: [String], file: String = #filePath) throws -> Outcome {
        let path = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Clients/\(script)").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let errorData = LockedData()
        let drained = DispatchGroup()
        DispatchQueue.global().async(group: drained) {
            errorData.set(errors.fileHandleForReading.readDataToEndOfFile())
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: data, errors: String(decoding: errorData.value, as: UTF8.self))
    }

    /// Standard error's bytes, handed from the draining thread to the caller.
    private final class LockedData: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func set(_ value: Data) { lock.withLock { data = value } }
        var value: Data { lock.withLock { data } }
    }
}
