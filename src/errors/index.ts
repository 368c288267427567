// The error hierarchy, re-exported from one place.
export * from "./base";
export * from "./input";
export * from "./quantization";
export * from "./aggregation";
export * from "./protocol";
export * from "./chain";
export * from "./account";
export * from "./worker";
export * from "./ml";
export * from "./devnet";
export * from "./cli";
