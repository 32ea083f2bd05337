import KafkaCommon
import KafkaZk
import Testing

@Suite struct ReassignPartitionsZNodeTests {
    @Test func jsonIsKafkas() throws {
        let reassignment: [TopicPartition: [BrokerId]] = [TopicPartition("b", 1): [4, 2], TopicPartition("a", 0): [2, 3, 4]]
        let bytes = ReassignPartitionsZNode.encode(reassignment)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[2,3,4]},{"topic":"b","partition":1,"replicas":[4,2]}]}"#)
        #expect(try ReassignPartitionsZNode.decode(bytes) == reassignment)
        #expect(ReassignPartitionsZNode.path == "/admin/reassign_partitions")
    }

    @Test func readsTheToolsFileWithLogDirs() throws {
        let file = #"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3],"log_dirs":["any","any"]}]}"#
        #expect(try ReassignPartitionsZNode.decode(Array(file.utf8)) == [TopicPartition("t", 0): [2, 3]])
        #expect(ReassignPartitionsZNode.json([TopicPartition("t", 0): [2, 3]], logDirs: true).serialized == file)
    }

    @Test func keepsDuplicateEntriesForTheToolToRefuse() throws {
        let file = #"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1]},{"topic":"t","partition":0,"replicas":[2]}]}"#
        let entries = try ReassignPartitionsZNode.decodeEntries(Array(file.utf8))
        #expect(entries.map(\.0) == [TopicPartition("t", 0), TopicPartition("t", 0)])
        #expect(try ReassignPartitionsZNode.decode(Array(file.utf8)) == [TopicPartition("t", 0): [2]])
    }

    @Test func refusesWhatIsNotAReassignment() {
        for bad in [#"{"version":1}"#, #"{"partitions":[{"topic":"t","replicas":[1]}]}"#,
                    #"{"partitions":[{"topic":"t","partition":0,"replicas":["x"]}]}"#, "not json"] {
            #expect(throws: KafkaZkError.self) { try ReassignPartitionsZNode.decode(Array(bad.utf8)) }
        }
    }
}
