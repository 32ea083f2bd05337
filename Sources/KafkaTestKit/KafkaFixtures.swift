import Foundation

/// Where tests find the files Apache Kafka 2.3 and its clients wrote (`kafka-2.3.0` in the shared
/// fixtures, see its README), in this order:
/// 1. `$KAFKA_FIXTURES_DIR/<relative>`;
/// 2. `shared/fixtures/kafka-2.3.0/<relative>` beside the repository, where the project keeps them;
/// 3. the test target's own copy (`localCopy`, relative to the repository), so the tests also run
///    without the shared folder.
public enum KafkaFixtures {
    /// The first candidate folder that holds `marker` (a path relative to the folder), or nil.
    /// `testFile` is the caller's `#filePath`: the repository is the folder above its `Tests`.
    public static func directory(_ relative: String, localCopy: String, holding marker: String,
                                 testFile: String = #filePath) -> URL? {
        candidates(relative, localCopy: localCopy, testFile: testFile).first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent(marker).path)
        }
    }

    /// The folders `directory` looks in, in order (for a test's failure message).
    public static func candidates(_ relative: String, localCopy: String, testFile: String = #filePath) -> [URL] {
        var repository = URL(fileURLWithPath: testFile).deletingLastPathComponent()
        while repository.path != "/" && repository.lastPathComponent != "Tests" {
            repository = repository.deletingLastPathComponent()
        }
        repository = repository.deletingLastPathComponent()
        return [
            ProcessInfo.processInfo.environment["KAFKA_FIXTURES_DIR"].map { URL(fileURLWithPath: $0).appendingPathComponent(relative) },
            repository.deletingLastPathComponent().appendingPathComponent("shared/fixtures/kafka-2.3.0").appendingPathComponent(relative),
            repository.appendingPathComponent(localCopy),
        ].compactMap { $0 }
    }
}
