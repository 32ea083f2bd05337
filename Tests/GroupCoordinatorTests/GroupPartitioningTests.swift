import KafkaCommon
import GroupCoordinator
import Testing

@Suite struct GroupPartitioningTests {
    /// The four groups whose `__consumer_offsets` partitions Apache Kafka 2.3 wrote in
    /// `shared/fixtures/kafka-2.3.0/disk/consumer-offsets/` (50 partitions).
    @Test(arguments: [("fx-group", 0), ("fx-kpy-group", 37), ("fx-deleted", 8), ("fx-eos-group", 20)] as [(String, Int32)])
    func groupsLandWhereKafkaPutThem(_ group: String, _ partition: Int32) {
        #expect(GroupPartitioning.partitionFor(groupId: group, partitionCount: 50) == partition)
    }

    @Test func hashIsJavasStringHashCode() {
        #expect(JavaHash.stringHashCode("") == 0)
        #expect(JavaHash.stringHashCode("fx-group") == -2_108_771_900)
        // Beyond the BMP Java hashes the two UTF-16 surrogates, not the scalar.
        #expect(JavaHash.stringHashCode("😀") == 31 * 0xD83D + 0xDE00)
    }

    @Test func int32MinHashesToPartitionZero() {
        // "polygenelubricants" is the classic string whose Java hashCode is Int32.min.
        #expect(JavaHash.stringHashCode("polygenelubricants") == .min)
        #expect(GroupPartitioning.partitionFor(groupId: "polygenelubricants", partitionCount: 50) == 0)
    }
}
