import KafkaCommon
import NIOCore

/// Reading and writing the protocol's strong types: error codes (int16) and the ids and epochs
/// of `KafkaCommon` (int32), so that message codecs never handle them as bare integers.
extension ByteBuffer {
    public mutating func readErrorCode(_ field: String = "error_code") throws(KafkaProtocolError) -> ErrorCode {
        ErrorCode(rawValue: try readInt16(field))
    }

    public mutating func writeErrorCode(_ code: ErrorCode) { writeInt16(code.rawValue) }

    public mutating func readBrokerId(_ field: String = "broker id") throws(KafkaProtocolError) -> BrokerId {
        BrokerId(try readInt32(field))
    }

    public mutating func writeBrokerId(_ id: BrokerId) { writeInt32(id.rawValue) }

    /// `[]int32` of broker ids (replicas, ISR, offline replicas).
    public mutating func readBrokerIdArray(_ field: String = "broker ids") throws(KafkaProtocolError) -> [BrokerId] {
        try readArray(field) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in try BrokerId(buffer.readInt32(field)) }
    }

    public mutating func writeBrokerIdArray(_ values: [BrokerId]) {
        writeArray(values) { buffer, value in buffer.writeInt32(value.rawValue) }
    }

    public mutating func readLeaderEpoch(_ field: String = "leader_epoch") throws(KafkaProtocolError) -> LeaderEpoch {
        LeaderEpoch(try readInt32(field))
    }

    public mutating func writeLeaderEpoch(_ epoch: LeaderEpoch) { writeInt32(epoch.rawValue) }

    public mutating func readControllerEpoch(_ field: String = "controller_epoch") throws(KafkaProtocolError) -> ControllerEpoch {
        ControllerEpoch(try readInt32(field))
    }

    public mutating func writeControllerEpoch(_ epoch: ControllerEpoch) { writeInt32(epoch.rawValue) }
}
