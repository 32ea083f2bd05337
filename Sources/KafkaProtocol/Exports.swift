// The wire protocol builds on the record layer: its varints, its decoding error, its batches.
@_exported import KafkaRecords
