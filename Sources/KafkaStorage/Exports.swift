// The log stores record batches (KafkaRecords) and hands out their bytes as NIO buffers: users of
// the storage layer need both, so they come with it.
@_exported import KafkaRecords
@_exported import NIOCore
