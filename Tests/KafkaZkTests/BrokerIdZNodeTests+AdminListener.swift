import KafkaZk
import Testing

/// `admin_listener`, this project's addition to the broker registration for the live view.
extension BrokerIdZNodeTests {
    @Test func adminListenerRoundTripsAndIsLeftOutWhenOff() throws {
        let endpoint = EndPoint(listenerName: "PLAINTEXT", securityProtocol: .plaintext, host: "127.0.0.1", port: 9092)
        let on = BrokerInfo(id: 1, endpoints: [endpoint], timestamp: 1, adminListener: "http://127.0.0.1:9404")
        let bytes = BrokerIdZNode.encode(on)
        #expect(try Json.parse(bytes)["admin_listener"] == .string("http://127.0.0.1:9404"))
        #expect(try BrokerIdZNode.decode(id: 1, bytes) == on)
        let off = BrokerInfo(id: 1, endpoints: [endpoint], timestamp: 1)
        #expect(!String(decoding: BrokerIdZNode.encode(off), as: UTF8.self).contains("admin_listener"))
        #expect(try BrokerIdZNode.decode(id: 1, BrokerIdZNode.encode(off)).adminListener == nil)
    }
}
