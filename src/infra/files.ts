// Crash-safe files: every write goes to a temporary file that is flushed and renamed over the
// target, so a kill at any moment leaves either the old content or the new, never a mix.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "fs";
import path from "path";

const TMP_SUFFIX = /\.\d+\.tmp$/;

/** Writes `data` to `file` atomically (write, fsync, rename). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Deletes the `<file>.<pid>.tmp` files a killed writeFileAtomic left in `dir` and below (their targets are intact); returns their paths. */
export function removeTemporaries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) removed.push(...removeTemporaries(full));
    else if (TMP_SUFFIX.test(entry.name)) {
      rmSync(full, { force: true });
      removed.push(full);
    }
  }
  return removed;
}
