import KafkaProtocol

/// The coordinator's lookups answer `Result<…, ErrorCode>` (a partition's COORDINATOR_LOAD_IN_PROGRESS
/// or NOT_COORDINATOR, a request's refusal), as Kafka 2.3's `Either[Errors, …]`; `Result` needs
/// its failure to be an `Error`. (Should KafkaProtocol make `ErrorCode` an `Error` itself, this
/// file goes.)
extension ErrorCode: Error {}
