/// How ApiVersions is answered before the client knows the broker's versions (hand-written: the
/// wire layout is generated from `Schemas/ApiVersions.schema`).
///
/// To answer a request above ``ApiVersions/versions`` the broker needs only its header (header v2
/// from v3 on, whatever the version); a body beyond ``ApiVersions/codecVersions`` need not, and
/// cannot, be decoded. Kafka 2.3 answers a request at a version it does not support with a v0
/// response carrying UNSUPPORTED_VERSION and an empty list (``ApiVersions/Response/unsupportedVersion()``);
/// the client then retries with v0. Brokers from 2.4 on (KIP-511) list at least their
/// ApiVersions range in that answer.
extension ApiVersions {
    /// The response always goes out with response header v0, whatever the version: a client that
    /// does not know the broker's versions yet must be able to read it.
    public static func responseHeaderVersion(for version: Int16) -> Int16 { 0 }

    /// The version to answer a request of `requestVersion` with: the same if supported, else v0
    /// (with ``Response/unsupportedVersion()``).
    public static func responseVersion(forRequestVersion requestVersion: Int16) -> Int16 {
        versions.contains(requestVersion) ? requestVersion : 0
    }
}

extension ApiVersions.Response {
    /// Kafka 2.3's answer to a request at a version it does not support: to be written as v0.
    public static func unsupportedVersion() -> ApiVersions.Response {
        ApiVersions.Response(errorCode: .unsupportedVersion, apiKeys: [])
    }
}
