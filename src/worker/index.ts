// The data-owner worker: identity, crash-safe state, training and the protocol loop.
export * from "./log";
export * from "./retry";
export * from "./files";
export * from "./identity";
export * from "./trainer";
export * from "./roundUpdate";
export * from "./findJob";
export * from "./runWorker";
export * from "./recipe";
export * from "./progress";
export * from "./stages";
export * from "./aggregationWatch";
