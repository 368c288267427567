// Shared infrastructure of the worker, the owner side and the CLI, which knows nothing of the protocol:
// crash-safe files, JSON read through a schema, the line logger and the account's wallet.
export * from "./files";
export * from "./json";
export * from "./log";
export * from "./wallet";
