import Foundation
import Glibc
import KafkaTestKit
import Testing

/// The test kit's `ChildProcess`, which starts the ZooKeeper servers these tests use.
@Suite struct ChildProcessTests {
    /// A child keeps none of the test process's descriptors: NIO's sockets are not close-on-exec,
    /// and a copy held by a long-lived child (the shared ZooKeeper) kept connections open after
    /// a test's server had closed them (no FIN: FileSliceSendTests waited for a close).
    @Test func aChildGetsStdinStdoutAndStderrOnly() async throws {
        let inheritable = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)  // not close-on-exec, as NIO's
        #expect(inheritable > 2)
        defer { close(inheritable) }
        let directory = try makeTemporaryDirectory(prefix: "child-process")
        defer { try? FileManager.default.removeItem(at: directory) }
        let child = try ChildProcess(name: "sleep", executable: "/bin/sleep", arguments: ["30"],
                                     logFile: directory.appendingPathComponent("sleep.log"))
        // The pid is known once bash has forked the command; wait until it runs `sleep` itself.
        try await waitUntil("the command to run", timeout: .seconds(10), every: .milliseconds(10)) {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(child.pid)/exe"))?.hasSuffix("sleep") == true
        }
        // `sleep` may still hold a file of its own start-up (the locale archive) open for a
        // moment after the exec: an inherited descriptor never goes away, such a one does.
        var descriptors: [String] = []
        let settled = (try? await waitUntil("only stdin, stdout and stderr", timeout: .seconds(10), every: .milliseconds(10)) {
            descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(child.pid)/fd")) ?? []
            return Set(descriptors) == ["0", "1", "2"]
        }) != nil
        await child.kill9()
        #expect(settled, "the child's descriptors: \(descriptors.sorted())")
    }
}
