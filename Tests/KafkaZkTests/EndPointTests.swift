import Testing
import KafkaZk

@Suite("EndPoint: advertised listeners")
struct EndPointTests {
    private let custom: [String: SecurityProtocol] = ["INTERNAL": .plaintext, "EXTERNAL": .ssl]

    @Test func parsesWithTheDefaultMap() throws {
        let endPoint = try EndPoint.parse("PLAINTEXT://127.0.0.1:9092", protocolMap: SecurityProtocol.defaultMap)
        #expect(endPoint == EndPoint(listenerName: "PLAINTEXT", securityProtocol: .plaintext, host: "127.0.0.1", port: 9092))
        #expect(endPoint.connectionString == "PLAINTEXT://127.0.0.1:9092")
        #expect(endPoint.description == "PLAINTEXT://127.0.0.1:9092")
        let sasl = try EndPoint.parse("SASL_SSL://broker-1.example.com:9094", protocolMap: SecurityProtocol.defaultMap)
        #expect(sasl.securityProtocol == .saslSsl)
        #expect(sasl.host == "broker-1.example.com")
    }

    @Test func listenerNamesAreNormalisedToUpperCase() throws {
        let endPoint = try EndPoint.parse("internal://10.0.0.1:9092", protocolMap: custom)
        #expect(endPoint == EndPoint(listenerName: "INTERNAL", securityProtocol: .plaintext, host: "10.0.0.1", port: 9092))
        #expect(try EndPoint.parse("EXTERNAL://h:1", protocolMap: custom).securityProtocol == .ssl)
    }

    @Test func emptyHostMeansAllInterfaces() throws {
        let endPoint = try EndPoint.parse("PLAINTEXT://:9092", protocolMap: SecurityProtocol.defaultMap)
        #expect(endPoint.host == "")
        #expect(endPoint.port == 9092)
        #expect(endPoint.connectionString == "PLAINTEXT://:9092")
    }

    @Test func ipv6HostsAreBracketed() throws {
        let endPoint = try EndPoint.parse("PLAINTEXT://[::1]:9092", protocolMap: SecurityProtocol.defaultMap)
        #expect(endPoint.host == "::1")
        #expect(endPoint.port == 9092)
        #expect(endPoint.connectionString == "PLAINTEXT://[::1]:9092")
        let full = try EndPoint.parse("SSL://[fe80::1:2:3]:0", protocolMap: SecurityProtocol.defaultMap)
        #expect(full.host == "fe80::1:2:3")
        #expect(full.port == 0)
        #expect(try EndPoint.parse(full.connectionString, protocolMap: SecurityProtocol.defaultMap) == full)
    }

    @Test func malformedListeners() {
        let map = SecurityProtocol.defaultMap
        for text in ["127.0.0.1:9092", "PLAINTEXT:/127.0.0.1:9092", "PLAINTEXT://127.0.0.1", "PLAINTEXT://host:",
                     "PLAINTEXT://host:abc", "PLAINTEXT://host:65536", "PLAINTEXT://host:-1",
                     "PLAINTEXT://host:99999999999", "://host:9092", ""] {
            #expect(throws: EndPointError.malformed(text), "'\(text)'") { try EndPoint.parse(text, protocolMap: map) }
        }
    }

    @Test func unknownListenerName() {
        #expect(throws: EndPointError.unknownListener("INTERNAL")) {
            try EndPoint.parse("INTERNAL://host:9092", protocolMap: SecurityProtocol.defaultMap)
        }
        #expect(throws: EndPointError.unknownListener("PLAINTEXT"), "a custom map replaces the default one") {
            try EndPoint.parse("plaintext://host:9092", protocolMap: custom)
        }
        #expect(EndPointError.unknownListener("X").description == "listener name X is not in listener.security.protocol.map")
    }

    @Test func defaultMapNamesEveryProtocolAfterItself() {
        #expect(SecurityProtocol.defaultMap == [
            "PLAINTEXT": .plaintext, "SSL": .ssl, "SASL_PLAINTEXT": .saslPlaintext, "SASL_SSL": .saslSsl,
        ])
    }
}
