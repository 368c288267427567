// Chain actions shared by the data-owner worker, the model-owner CLI, the benchmarks and the tests.
export * from "./createJob";
export * from "./publishModel";
export * from "./joinJob";
export * from "./member";
export * from "./commitSeeds";
export * from "./disputeCommitment";
export * from "./submitMasked";
export * from "./revealSeeds";
export * from "./fetchSubmissions";
export * from "./aggregateRound";
export * from "./finalizeRound";
export * from "./fetchModel";
export * from "./release";
export * from "./cancel";
export * from "./nudgeClock";
