// Aggregation rules: float rules behind one Aggregator interface (the on-chain integer rules are in src/protocol/onChainRules.ts).
export * from "./types";
export * from "./validate";
export * from "./vectorMath";
export * from "./mean";
export * from "./weightedMean";
export * from "./median";
export * from "./trimmedMean";
export * from "./geometricMedian";
export * from "./krum";
export * from "./multiKrum";
export * from "./normClipping";
export * from "./centeredClipping";
export * from "./registry";
