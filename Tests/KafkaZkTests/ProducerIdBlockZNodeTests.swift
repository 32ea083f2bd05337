import KafkaCommon
import KafkaZk
import Testing

@Suite("ProducerIdBlockZNode")
struct ProducerIdBlockZNodeTests {
    /// What Kafka 2.3's ProducerIdManager writes for broker 2's block 3000...3999: version and
    /// broker as numbers, the block ends as decimal strings, keys in this order.
    static let kafka23Block = #"{"version":1,"broker":2,"block_start":"3000","block_end":"3999"}"#

    @Test func path() {
        #expect(ProducerIdBlockZNode.path == "/latest_producer_id_block")
        #expect(ProducerIdBlockZNode.blockSize == 1000)
    }

    @Test func encodeIsKafka23Json() {
        let bytes = ProducerIdBlockZNode.encode(ProducerIdBlock(brokerId: 2, blockStartId: 3000, blockEndId: 3999))
        #expect(String(decoding: bytes, as: UTF8.self) == Self.kafka23Block)
    }

    @Test func decodeKafka23Json() throws {
        let block = try ProducerIdBlockZNode.decode(Array(Self.kafka23Block.utf8))
        #expect(block == ProducerIdBlock(brokerId: 2, blockStartId: 3000, blockEndId: 3999))
        let large = ProducerIdBlock(brokerId: BrokerId(Int32.max), blockStartId: Int64.max - 999, blockEndId: Int64.max)
        #expect(try ProducerIdBlockZNode.decode(ProducerIdBlockZNode.encode(large)) == large)
    }

    @Test func emptyDataIsNoBlockYet() throws {
        #expect(try ProducerIdBlockZNode.decode([]) == nil)
    }

    @Test(arguments: [
        #"{"version":1,"broker":2,"block_start":3000,"block_end":"3999"}"#,
        #"{"version":1,"broker":2,"block_start":"3000"}"#,
        #"{"version":1,"block_start":"0","block_end":"999"}"#,
        #"{"version":1,"broker":2,"block_start":"x","block_end":"999"}"#,
        "not json",
    ])
    func corruptData(text: String) {
        #expect(throws: KafkaZkError.self) { try ProducerIdBlockZNode.decode(Array(text.utf8)) }
    }

    @Test func descriptionIsKafkas() {
        let block = ProducerIdBlock(brokerId: 1, blockStartId: 0, blockEndId: 999)
        #expect(block.description == "(brokerId:1,blockStartProducerId:0,blockEndProducerId:999)")
    }
}
