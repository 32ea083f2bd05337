import Foundation
import KafkaCommon
import KafkaZk
import Testing

@Suite("ControllerZNode, ControllerEpochZNode, ClusterIdZNode")
struct ControllerZNodeTests {
    /// Read off `/controller` of a real Apache Kafka 2.3.0 cluster (docs/ZK-LAYOUT.md).
    static let kafka23Controller = #"{"version":1,"brokerid":2,"timestamp":"1795293281562"}"#

    @Test func paths() {
        #expect(ControllerZNode.path == "/controller")
        #expect(ControllerEpochZNode.path == "/controller_epoch")
        #expect(ClusterIdZNode.path == "/cluster/id")
    }

    @Test func controllerEncodeIsByteForByteKafka23() {
        let bytes = ControllerZNode.encode(brokerId: 2, timestamp: 1_795_293_281_562)
        #expect(String(decoding: bytes, as: UTF8.self) == Self.kafka23Controller)
    }

    @Test func controllerDecode() throws {
        #expect(try ControllerZNode.decode(Array(Self.kafka23Controller.utf8)) == 2)
        #expect(try ControllerZNode.decode(Array("2".utf8)) == 2, "Kafka 0.8 wrote a bare number")
        #expect(try ControllerZNode.decode(Array(#"{"brokerid":1001}"#.utf8)) == 1001)
        let roundTrip = ControllerZNode.encode(brokerId: BrokerId(Int32.max), timestamp: 0)
        #expect(try ControllerZNode.decode(roundTrip) == BrokerId(Int32.max))
    }

    @Test(arguments: [
        "", "abc", #"{"version":1}"#, #"{"version":1,"brokerid":"2"}"#, #"{"version":1,"brokerid":4294967296}"#,
        #"{"version":1,"brokerid":2"#, #""2""#, "[2]", "4294967296",
    ])
    func controllerCorrupt(_ text: String) {
        #expect(corruptZNodePath { try ControllerZNode.decode(Array(text.utf8)) } == "/controller")
    }

    @Test func controllerEpochIsAPlainNumber() throws {
        #expect(ControllerEpochZNode.encode(12) == Array("12".utf8))
        #expect(ControllerEpochZNode.encode(.initial) == Array("0".utf8))
        #expect(try ControllerEpochZNode.decode(Array("12".utf8)) == 12)
        #expect(try ControllerEpochZNode.decode(Array("0".utf8)) == .initial)
        #expect(try ControllerEpochZNode.decode(ControllerEpochZNode.encode(ControllerEpoch(Int32.max))) == ControllerEpoch(Int32.max))
    }

    @Test(arguments: ["", "abc", "1.5", "12a", #"{"epoch":12}"#, "4294967296", "0x10"])
    func controllerEpochGarbage(_ text: String) {
        #expect(corruptZNodePath { try ControllerEpochZNode.decode(Array(text.utf8)) } == "/controller_epoch")
    }

    @Test func clusterIdRoundTrip() throws {
        #expect(String(decoding: ClusterIdZNode.encode("yB1nwkVpRA2tc-9fFd-nQQ"), as: UTF8.self) ==
            #"{"version":"1","id":"yB1nwkVpRA2tc-9fFd-nQQ"}"#)
        let id = KafkaZkClient.generateClusterId()
        #expect(try ClusterIdZNode.decode(ClusterIdZNode.encode(id)) == id)
        #expect(try ClusterIdZNode.decode(Array(#"{"id":"abc","version":"1"}"#.utf8)) == "abc")
    }

    @Test(arguments: ["", "abc", #"{"version":"1"}"#, #"{"version":"1","id":7}"#, #"{"version":"1","id":"x""#])
    func clusterIdCorrupt(_ text: String) {
        #expect(corruptZNodePath { try ClusterIdZNode.decode(Array(text.utf8)) } == "/cluster/id")
    }

    @Test func generatedClusterIdsAreUrlSafeBase64Uuids() throws {
        let urlSafe = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var seen = Set<String>()
        for _ in 0..<200 {
            let id = KafkaZkClient.generateClusterId()
            #expect(id.count == 22)
            #expect(id.allSatisfy(urlSafe.contains), "\(id)")
            let standard = id.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "=="
            #expect(Data(base64Encoded: standard)?.count == 16, "\(id) is 16 bytes")
            seen.insert(id)
        }
        #expect(seen.count == 200, "every call makes a new id")
    }
}
