import Testing

@testable import kafka

@Suite("murmur2 and the default partitioner")
struct Murmur2Tests {
    /// Kafka's own reference values (UtilsTest.testMurmur2), taken as facts.
    @Test(arguments: [
        ("21", Int32(-973_932_308)),
        ("foobar", -790_332_482),
        ("a-little-bit-long-string", -985_981_536),
        ("a-little-bit-longer-string", -1_486_304_829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
        ("abc", 479_470_107),
    ])
    func kafkaReferenceValues(key: String, expected: Int32) {
        #expect(Murmur2.hash(Array(key.utf8)) == expected)
    }

    @Test func positiveClearsTheSignBitOnly() {
        #expect(Murmur2.positive(-1) == Int32.max)
        #expect(Murmur2.positive(Int32.min) == 0)
        #expect(Murmur2.positive(42) == 42)
    }

    @Test func keyedRecordsGoToPositiveMurmur2ModPartitions() {
        var partitioner = DefaultPartitioner()
        // positive(-973932308) = 1173551340; 1173551340 % 4 = 0, % 7 = 2.
        #expect(partitioner.partition(forKey: Array("21".utf8), partitionCount: 4) == 1_173_551_340 % 4)
        #expect(partitioner.partition(forKey: Array("21".utf8), partitionCount: 7) == 1_173_551_340 % 7)
        #expect(partitioner.partition(forKey: Array("foobar".utf8), partitionCount: 3) == Murmur2.positive(-790_332_482) % 3)
    }

    @Test func nullKeysGoRoundRobin() {
        var partitioner = DefaultPartitioner(start: 5)
        let chosen = (0..<6).map { _ in partitioner.partition(forKey: nil, partitionCount: 3) }
        #expect(chosen == [2, 0, 1, 2, 0, 1])
    }
}
