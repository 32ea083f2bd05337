import KafkaStorage

/// `kafka dump-log` on a producer state snapshot (`<offset>.snapshot`): a line per producer, as
/// Kafka 2.3's DumpLogSegments prints it (`ProducerStateSnapshot.Entry.dumpLine`), in the file's
/// order. A corrupt snapshot prints the reason to standard error and the dump goes on to the
/// next file, as Kafka's does.
extension DumpLogCommand {
    static func dumpProducerSnapshot(path: String) throws -> String {
        let snapshot: ProducerStateSnapshot
        do {
            snapshot = try ProducerStateSnapshot.read(path: path)
        } catch {
            guard case .corrupt(_, let message) = error else { throw error }
            printError(message)
            return ""
        }
        return snapshot.entries.map { $0.dumpLine + "\n" }.joined()
    }
}
