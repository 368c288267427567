// Data layer of the ML code: dataset type, file formats, MNIST loaders, partitioning, shards.
export * from "./dataset";
export * from "./idx";
export * from "./csv";
export * from "./mnist";
export * from "./partition";
export * from "./shardStore";
