import KafkaProtocol
import NIOCore

/// ApiVersions: the API keys and version ranges this broker implements in full.
///
/// A request at a version newer than supported (a client that starts with the newest version,
/// e.g. librdkafka asking v3) is answered as Kafka does: an ApiVersions **v0** response with
/// UNSUPPORTED_VERSION and the supported ranges, so the client retries with a version it finds
/// there. The request body of such a newer version is not parsed.
struct ApiVersionsHandler: KafkaRequestHandler {
    let apiKey = ApiKey.apiVersions
    let advertised: [ApiVersions.ApiVersion]

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        let version = request.header.apiVersion
        guard ApiVersions.versions.contains(version) else {
            var response = ApiVersions.Response.unsupportedVersion()
            response.apiKeys = advertised
            var buffer = ByteBuffer()
            ApiVersions.writeResponseFrame(response, correlationId: request.header.correlationId, version: 0, into: &buffer)
            return .send(buffer)
        }
        var body = request.body
        _ = try ApiVersions.decodeRequest(from: &body, version: version)
        return ApiVersions.responseFrame(ApiVersions.Response(errorCode: .none, apiKeys: advertised), to: request)
    }
}
