import Testing

/// Every suite that starts ZooKeeper ensembles and `kafka-server` processes is nested here, so
/// they run one after another: their timing assertions (a new controller within the session
/// timeout + 2 s) must not compete with each other for the machine's cores.
@Suite(.serialized) enum RealClusterTests {}
