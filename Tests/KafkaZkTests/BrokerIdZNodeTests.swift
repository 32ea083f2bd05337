import KafkaCommon
import KafkaZk
import Testing

/// The path of the corrupt znode `body` reports, or a description of what happened instead.
func corruptZNodePath(_ body: () throws -> some Any) -> String {
    do {
        let value = try body()
        return "no error, decoded \(value)"
    } catch KafkaZkError.corruptZNode(let path, _) {
        return path
    } catch {
        return "unexpected \(type(of: error)): \(error)"
    }
}

@Suite("BrokerIdZNode: /brokers/ids/<id>")
struct BrokerIdZNodeTests {
    /// Read off `/brokers/ids/1` of a real Apache Kafka 2.3.0 broker (docs/ZK-LAYOUT.md).
    static let kafka23Bytes =
        #"{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://127.0.0.1:39191"],"jmx_port":-1,"host":"127.0.0.1","timestamp":"1795293281540","port":39191,"version":4}"#

    static let kafka23Broker = BrokerInfo(
        id: 1, endpoints: [EndPoint(listenerName: "PLAINTEXT", securityProtocol: .plaintext, host: "127.0.0.1", port: 39191)],
        jmxPort: -1, timestamp: 1_795_293_281_540)

    private let internalAndExternal: [EndPoint] = [
        EndPoint(listenerName: "INTERNAL", securityProtocol: .plaintext, host: "10.0.0.1", port: 9092),
        EndPoint(listenerName: "EXTERNAL", securityProtocol: .ssl, host: "broker1.example.com", port: 9093),
    ]

    @Test func pathOfABroker() {
        #expect(BrokerIdsZNode.path == "/brokers/ids")
        #expect(BrokerIdZNode.path(1) == "/brokers/ids/1")
        #expect(BrokerIdZNode.path(1001) == "/brokers/ids/1001")
    }

    @Test func encodeIsByteForByteKafka23() {
        let bytes = BrokerIdZNode.encode(Self.kafka23Broker)
        #expect(String(decoding: bytes, as: UTF8.self) == Self.kafka23Bytes)
        #expect(bytes == Array(Self.kafka23Bytes.utf8))
    }

    @Test func decodeOfKafka23() throws {
        let info = try BrokerIdZNode.decode(id: 1, Array(Self.kafka23Bytes.utf8))
        #expect(info == Self.kafka23Broker)
        #expect(info.version == 4)
        #expect(info.rack == nil)
        #expect(info.endpoint(listenerName: "PLAINTEXT")?.port == 39191)
        #expect(info.endpoint(listenerName: "SSL") == nil)
    }

    @Test func rackGoesWhereKafkasHashMapPutsIt() throws {
        // Kafka builds this JSON from a Scala mutable.HashMap; with "rack" added, its iteration
        // order (computed from Scala 2.12's HashTable, which reproduces the order above) puts
        // "rack" right after "endpoints".
        var info = Self.kafka23Broker
        info.rack = "rack-1"
        let bytes = BrokerIdZNode.encode(info)
        #expect(String(decoding: bytes, as: UTF8.self) ==
            #"{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://127.0.0.1:39191"],"rack":"rack-1","jmx_port":-1,"host":"127.0.0.1","timestamp":"1795293281540","port":39191,"version":4}"#)
        #expect(try BrokerIdZNode.decode(id: 1, bytes) == info)
    }

    @Test func multipleListenersWithACustomProtocolMap() throws {
        let info = BrokerInfo(id: 3, endpoints: internalAndExternal, jmxPort: 9999, timestamp: 1_600_000_000_000)
        let bytes = BrokerIdZNode.encode(info)
        #expect(String(decoding: bytes, as: UTF8.self) ==
            #"{"listener_security_protocol_map":{"INTERNAL":"PLAINTEXT","EXTERNAL":"SSL"},"endpoints":["INTERNAL://10.0.0.1:9092","EXTERNAL://broker1.example.com:9093"],"jmx_port":9999,"host":"10.0.0.1","timestamp":"1600000000000","port":9092,"version":4}"#)
        let decoded = try BrokerIdZNode.decode(id: 3, bytes)
        #expect(decoded == info)
        #expect(decoded.endpoint(listenerName: "EXTERNAL")?.securityProtocol == .ssl)
    }

    @Test func hostAndPortComeFromTheFirstPlaintextEndpoint() throws {
        let endpoints = [
            EndPoint(listenerName: "EXTERNAL", securityProtocol: .ssl, host: "public.example.com", port: 9093),
            EndPoint(listenerName: "REPLICATION", securityProtocol: .plaintext, host: "10.0.0.2", port: 9094),
            EndPoint(listenerName: "INTERNAL", securityProtocol: .plaintext, host: "10.0.0.1", port: 9092),
        ]
        let json = try Json.parse(BrokerIdZNode.encode(BrokerInfo(id: 4, endpoints: endpoints, timestamp: 1)))
        #expect(json["host"] == .string("10.0.0.2"))
        #expect(json["port"] == .int(9094))
        #expect(json["listener_security_protocol_map"] == .object([
            ("EXTERNAL", .string("SSL")), ("REPLICATION", .string("PLAINTEXT")), ("INTERNAL", .string("PLAINTEXT")),
        ]))
    }

    @Test func hostIsNullAndPortMinusOneWithoutAPlaintextEndpoint() throws {
        let info = BrokerInfo(
            id: 5, endpoints: [EndPoint(listenerName: "EXTERNAL", securityProtocol: .ssl, host: "h", port: 9093)],
            timestamp: 7)
        let bytes = BrokerIdZNode.encode(info)
        #expect(String(decoding: bytes, as: UTF8.self) ==
            #"{"listener_security_protocol_map":{"EXTERNAL":"SSL"},"endpoints":["EXTERNAL://h:9093"],"jmx_port":-1,"host":null,"timestamp":"7","port":-1,"version":4}"#)
        #expect(try BrokerIdZNode.decode(id: 5, bytes) == info)
    }

    @Test func ipv6EndpointRoundTrip() throws {
        let info = BrokerInfo(
            id: 6, endpoints: [EndPoint(listenerName: "PLAINTEXT", securityProtocol: .plaintext, host: "::1", port: 9092)],
            timestamp: 1_795_293_281_540)
        let bytes = BrokerIdZNode.encode(info)
        let json = try Json.parse(bytes)
        #expect(json["endpoints"] == .array([.string("PLAINTEXT://[::1]:9092")]))
        #expect(json["host"] == .string("::1"), "host is written bare, as Kafka does")
        #expect(try BrokerIdZNode.decode(id: 6, bytes) == info)
    }

    @Test func decodeOfVersion1HasHostAndPortOnly() throws {
        let bytes = #"{"version":1,"host":"localhost","port":9092,"jmx_port":9999,"timestamp":"2233345666"}"#
        let info = try BrokerIdZNode.decode(id: 1, Array(bytes.utf8))
        #expect(info == BrokerInfo(
            id: 1, endpoints: [EndPoint(listenerName: "PLAINTEXT", securityProtocol: .plaintext, host: "localhost", port: 9092)],
            rack: nil, jmxPort: 9999, timestamp: 2_233_345_666, version: 1))
    }

    @Test func decodeOfVersion2ReadsEndpointsWithTheDefaultMap() throws {
        let bytes = #"{"version":2,"host":"localhost","port":9092,"jmx_port":9999,"timestamp":"2233345666","endpoints":["PLAINTEXT://host1:9092","SSL://host1:9093"]}"#
        let info = try BrokerIdZNode.decode(id: 1, Array(bytes.utf8))
        #expect(info.version == 2)
        #expect(info.endpoints == [
            EndPoint(listenerName: "PLAINTEXT", securityProtocol: .plaintext, host: "host1", port: 9092),
            EndPoint(listenerName: "SSL", securityProtocol: .ssl, host: "host1", port: 9093),
        ], "endpoints win over host/port")
        #expect(info.jmxPort == 9999)
        #expect(info.timestamp == 2_233_345_666)
    }

    @Test func decodeOfVersion3WithRack() throws {
        let bytes = #"{"version":3,"host":"localhost","port":9092,"jmx_port":9999,"timestamp":"2233345666","endpoints":["PLAINTEXT://host1:9092","SSL://host1:9093"],"rack":"dc1"}"#
        let info = try BrokerIdZNode.decode(id: 1, Array(bytes.utf8))
        #expect(info.version == 3)
        #expect(info.rack == "dc1")
        #expect(info.endpoints.map(\.connectionString) == ["PLAINTEXT://host1:9092", "SSL://host1:9093"])
    }

    @Test func decodeOfVersion4WithoutPlaintext() throws {
        let bytes = #"{"version":4,"host":null,"port":-1,"jmx_port":-1,"timestamp":"2233345666","endpoints":["CLIENT://host1:9092","REPLICATION://host1:9093"],"listener_security_protocol_map":{"CLIENT":"SSL","REPLICATION":"PLAINTEXT"}}"#
        let info = try BrokerIdZNode.decode(id: 2, Array(bytes.utf8))
        #expect(info.endpoints == [
            EndPoint(listenerName: "CLIENT", securityProtocol: .ssl, host: "host1", port: 9092),
            EndPoint(listenerName: "REPLICATION", securityProtocol: .plaintext, host: "host1", port: 9093),
        ])
    }

    @Test func decodeOfVersion5IgnoresFeatures() throws {
        let bytes = #"{"features":{"feature1":{"min_version":1,"max_version":2}},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://host1:9092"],"rack":"dc1","jmx_port":-1,"host":"host1","timestamp":"2233345666","port":9092,"version":5}"#
        let info = try BrokerIdZNode.decode(id: 9, Array(bytes.utf8))
        #expect(info == BrokerInfo(
            id: 9, endpoints: [EndPoint(listenerName: "PLAINTEXT", securityProtocol: .plaintext, host: "host1", port: 9092)],
            rack: "dc1", jmxPort: -1, timestamp: 2_233_345_666, version: 5))
    }

    @Test func numericTimestampIsRead() throws {
        let bytes = #"{"version":4,"endpoints":["PLAINTEXT://h:1"],"timestamp":1795293281540}"#
        #expect(try BrokerIdZNode.decode(id: 1, Array(bytes.utf8)).timestamp == 1_795_293_281_540)
    }

    @Test(arguments: [
        "",
        "garbage",
        String(kafka23Bytes.dropLast()),
        #"[1,2]"#,
        #"{"host":"h","port":1}"#,
        #"{"version":"four","endpoints":[]}"#,
        #"{"version":4,"endpoints":[42]}"#,
        #"{"version":4,"endpoints":["PLAINTEXT//h:1"]}"#,
        #"{"version":4,"endpoints":["PLAINTEXT://h:port"]}"#,
        #"{"version":4,"endpoints":["INTERNAL://h:1"]}"#,
        #"{"version":4,"endpoints":["INTERNAL://h:1"],"listener_security_protocol_map":{"INTERNAL":"TLS"}}"#,
        #"{"version":4,"endpoints":["INTERNAL://h:1"],"listener_security_protocol_map":{"INTERNAL":1}}"#,
        #"{"version":4,"endpoints":["PLAINTEXT://h:1"],"jmx_port":4294967296}"#,
        #"{"version":1,"host":"h","port":4294967296}"#,
    ])
    func corruptDataThrowsCorruptZNode(_ text: String) {
        #expect(corruptZNodePath { try BrokerIdZNode.decode(id: 7, Array(text.utf8)) } == "/brokers/ids/7")
    }
}
