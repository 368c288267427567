// The chain layer: contract access, the node connection, round state, the clock, transactions and the actions built on them.
export * from "./market";
export * from "./roundState";
export * from "./clock";
export * from "./txs";
export * from "./wrap";
export * from "./connection";
export * from "./deployment";
export * from "./actions";
