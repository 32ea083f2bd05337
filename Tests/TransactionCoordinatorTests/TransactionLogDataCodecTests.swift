import KafkaProtocol
import NIOCore
import Testing
import TransactionCoordinator

/// The generated `__transaction_state` structs: the schema's example (every field set) encodes
/// and decodes back to itself, and its encoding cut short at any byte fails.
@Suite struct TransactionLogDataCodecTests {
    static func roundTrip<Data: KafkaCodable & Equatable>(_ value: Data) throws {
        var encoded = ByteBuffer()
        value.write(into: &encoded, version: 0)
        var input = encoded
        #expect(try Data(from: &input, version: 0) == value)
        #expect(input.readableBytes == 0)
        for length in 0..<encoded.readableBytes {
            var cut = encoded.getSlice(at: encoded.readerIndex, length: length)!
            #expect(throws: KafkaProtocolError.self) { _ = try Data(from: &cut, version: 0) }
        }
        var wrongVersion = encoded
        #expect(throws: KafkaProtocolError.self) { _ = try Data(from: &wrongVersion, version: 1) }
    }

    @Test func keyRoundTrips() throws { try Self.roundTrip(TransactionLogKey.example(version: 0)) }
    @Test func valueRoundTrips() throws { try Self.roundTrip(TransactionLogValue.example(version: 0)) }
    @Test func aNullPartitionArrayRoundTrips() throws {
        var value = TransactionLogValue.example(version: 0)
        value.transactionPartitions = nil
        try Self.roundTrip(value)
    }
}
