// The protocol core: packing, quantization, keys, seeds and their proofs, masks, groups and round aggregation.
export * from "./bytes";
export * from "./constants";
export * from "./packing";
export * from "./rng";
export * from "./quantize";
export * from "./keys";
export * from "./seeds";
export * from "./dleq";
export * from "./prg";
export * from "./mask";
export * from "./groups";
export * from "./hashChain";
export * from "./onChainRules";
export * from "./exact";
export * from "./geoMedian";
export * from "./roundAggregate";
export * from "./windows";
