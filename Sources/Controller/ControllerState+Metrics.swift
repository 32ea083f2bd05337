/// What Kafka 2.3's metrics say of a `ControllerState`: the number the
/// `kafka.controller:type=KafkaController,name=ControllerState` gauge shows, and the name of the
/// state's timer in `kafka.controller:type=ControllerStats`.
extension ControllerState {
    /// Kafka 2.3's `ControllerState.value` (10 and 11, LeaderAndIsrResponseReceived and
    /// LogDirChange, are states this controller never enters).
    public var value: Int {
        switch self {
        case .idle: 0
        case .controllerChange: 1
        case .brokerChange: 2
        case .topicChange: 3
        case .topicDeletion: 4
        case .partitionReassignment: 5
        case .autoLeaderBalance: 6
        case .manualLeaderBalance: 7
        case .controlledShutdown: 8
        case .isrChange: 9
        case .controllerShutdown: 12
        case .uncleanLeaderElectionEnable: 13
        case .topicUncleanLeaderElectionEnable: 14
        }
    }

    /// `<State>RateAndTimeMs`, except a broker change's, which keeps its older name
    /// `LeaderElectionRateAndTimeMs` (as in Kafka); nil for `.idle`, which is not timed.
    public var rateAndTimeMetricName: String? {
        switch self {
        case .idle: nil
        case .brokerChange: "LeaderElectionRateAndTimeMs"
        default: "\(rawValue)RateAndTimeMs"
        }
    }

    /// Every state, in Kafka's order of values.
    public static let allStates: [ControllerState] = [
        .idle, .controllerChange, .brokerChange, .topicChange, .topicDeletion, .partitionReassignment, .autoLeaderBalance,
        .manualLeaderBalance, .controlledShutdown, .isrChange, .controllerShutdown, .uncleanLeaderElectionEnable,
        .topicUncleanLeaderElectionEnable,
    ]
}
