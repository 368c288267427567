// The worker's stages, one file each, in protocol order (names.ts lists them as the worker logs them).
export * from "./names";
export * from "./choose";
export * from "./join";
export * from "./commit";
export * from "./dispute";
export * from "./train";
export * from "./submit";
export * from "./reveal";
export * from "./aggregate";
export * from "./release";
