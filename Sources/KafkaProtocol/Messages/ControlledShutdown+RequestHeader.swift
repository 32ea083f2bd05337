/// ControlledShutdown v0 predates client ids: Kafka sends and reads it with request header v0
/// (api key, api version, correlation id), the only request that uses that header. v1 and v2
/// use header v1 (hand-written: the wire layout is generated from
/// `Schemas/ControlledShutdown.schema`).
extension ControlledShutdown {
    public static func requestHeaderVersion(for version: Int16) -> Int16 {
        if version == 0 { return 0 }
        return isFlexible(version) ? 2 : 1
    }
}
