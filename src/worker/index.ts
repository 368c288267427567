// The data-owner worker: its job key and state file, training, the stages and the protocol loop.
export * from "./retry";
export * from "./jobKey";
export * from "./stateFile";
export * from "./trainer";
export * from "./roundUpdate";
export * from "./findJob";
export * from "./context";
export * from "./stages";
export * from "./runWorker";
export * from "./recipe";
export * from "./progress";
export * from "./aggregationWatch";
