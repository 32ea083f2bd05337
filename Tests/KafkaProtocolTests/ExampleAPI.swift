import KafkaProtocol

/// An API whose schema generated populated example values (see `Generated/*+Examples.swift`).
protocol ExampleAPI: KafkaAPI {
    static func exampleRequest(version: Int16) -> Request
    static func exampleResponse(version: Int16) -> Response
}
