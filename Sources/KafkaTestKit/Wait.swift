import Foundation

/// A condition that did not become true in time.
public struct WaitTimeout: Error, CustomStringConvertible {
    public let what: String
    public let timeout: Duration
    public let lastError: (any Error)?
    public var description: String {
        "timed out after \(timeout) waiting for \(what)" + (lastError.map { " (last error: \($0))" } ?? "")
    }
}

/// Polls `condition` until it returns true, failing with `WaitTimeout` after `timeout`.
/// Errors thrown by the condition count as "not yet" and are reported if time runs out.
public func waitUntil(
    _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(50),
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    var lastError: (any Error)?
    while true {
        do {
            if try await condition() { return }
            lastError = nil
        } catch {
            lastError = error
        }
        if clock.now >= deadline { throw WaitTimeout(what: what, timeout: timeout, lastError: lastError) }
        try await Task.sleep(for: interval)
    }
}

/// Polls `value` until it returns non-nil and returns that value.
public func waitFor<T>(
    _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(50),
    _ value: () async throws -> T?
) async throws -> T {
    var found: T?
    try await waitUntil(what, timeout: timeout, every: interval) {
        found = try await value()
        return found != nil
    }
    return found!
}

/// A fresh directory under the system's temporary directory.
public func makeTemporaryDirectory(prefix: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(prefix)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
