// The delayed-operation engine: timing wheel and purgatory (being written).
