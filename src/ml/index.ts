// The ML layer: backend selection, data, the split CNN, training, evaluation and model files (its errors
// are in src/errors/ml.ts).
export * from "./backend";
export * from "./wasmKernels";
export * from "./rng";
export * from "./data";
export * from "./model";
export * from "./publicWeights";
export * from "./batches";
export * from "./features";
export * from "./train";
export * from "./evaluate";
export * from "./modelIo";
