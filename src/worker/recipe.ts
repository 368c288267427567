// Default local-training hyperparameters of a data owner, measured with bench/accuracy.ts (docs/MODEL.md, docs/RESULTS.md):
// three epochs of the local head alone on frozen public features, then one joint epoch.

/** How a data owner trains each round by default. */
export const DEFAULT_RECIPE = { epochs: 1, batchSize: 32, lr: 0.003, headEpochs: 3, headLr: 0.01 } as const;
