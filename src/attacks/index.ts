// Attacks used to test the robust rules and the inlier check.
export * from "./types";
export * from "./signFlip";
export * from "./scaling";
export * from "./gaussianNoise";
export * from "./alie";
export * from "./ipm";
export * from "./freeRider";
export * from "./labelFlip";
export * from "./colluding";
export * from "./adaptive";
export * from "./registry";
