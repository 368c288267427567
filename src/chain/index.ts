// The chain layer: contract access, round state, transactions and the actions built on them.
export * from "./market";
export * from "./roundState";
export * from "./txs";
export * from "./wrap";
export * from "./deployment";
export * from "./actions";
