// Shared helpers of the ML tests: backend start-up and temporary folders.
import { mkdtempSync, rmSync } from "fs";
import os from "os";
import path from "path";
import { initBackend } from "../../src/ml";

/** Starts the wasm backend once for the whole suite, without the log line. */
export async function useWasm(): Promise<void> {
  await initBackend({ prefer: "wasm", log: () => undefined });
}

/** Creates a temporary folder; the returned function deletes it. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "omni-ml-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
