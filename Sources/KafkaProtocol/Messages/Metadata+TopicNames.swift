extension Metadata.Request {
    /// A request for the topics named, or for all topics when `topicNames` is nil (written as
    /// `[]` in v0, which has no null).
    public init(
        topicNames: [String]?, allowAutoTopicCreation: Bool = true,
        includeClusterAuthorizedOperations: Bool = false, includeTopicAuthorizedOperations: Bool = false
    ) {
        self.init(
            topics: topicNames?.map { Metadata.RequestTopic(name: $0) }, allowAutoTopicCreation: allowAutoTopicCreation,
            includeClusterAuthorizedOperations: includeClusterAuthorizedOperations,
            includeTopicAuthorizedOperations: includeTopicAuthorizedOperations)
    }

    /// The names of the topics asked about, nil for all topics: a null list, or in v0 (which has
    /// no null) an empty one.
    public func topicNames(version: Int16) -> [String]? {
        guard let topics, !(version == 0 && topics.isEmpty) else { return nil }
        return topics.map(\.name)
    }
}
