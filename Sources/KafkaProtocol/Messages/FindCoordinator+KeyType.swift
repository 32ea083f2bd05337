extension FindCoordinator {
    /// `key_type` values: what the request's `key` names.
    public enum KeyType {
        /// A consumer group id; its coordinator leads the group's partition of `__consumer_offsets`.
        public static let group: Int8 = 0
        /// A transactional id; its coordinator leads the id's partition of `__transaction_state`.
        public static let transaction: Int8 = 1
    }
}
