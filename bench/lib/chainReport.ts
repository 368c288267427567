// The result envelope the chain benchmarks share: where a result goes (bench/results/<name>.json, or
// bench/results/quick/<name>.json in quick mode), the machine it ran on, atomic writes, progress lines.
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "fs";
import path from "path";
import type { ChainClient } from "../../src/devnet/localNode";
import { isQuick, machineInfo, resultPath as resultFile } from "./results";

/** Whether the benchmark runs in quick mode (env BENCH_QUICK=1 or --quick). */
export const quickMode = (): boolean => isQuick();

/** The result file of benchmark `name` for the mode. */
export function resultPath(name: string, quick = quickMode()): string {
  return resultFile(name, quick);
}

/** The fields every result starts with. */
export function envelope(name: string, command: string, seed: number | string, config: unknown, method: unknown): Record<string, unknown> {
  return { benchmark: name, mode: quickMode() ? "quick" : "full", command, seed, config, method, machine: machineInfo(), date: new Date().toISOString() };
}

/** How a benchmark's node is described in its method note. */
export function nodeDescription(client: ChainClient): string {
  return client === "anvil"
    ? "Foundry's `anvil` 1.7.1 (--hardfork osaka --enable-tx-gas-limit, automine)"
    : "A `hardhat node` (Hardhat 2.29, EDR; default settings: osaka, automine)";
}

/** Writes `value` as JSON to `file` atomically (temporary file, then rename). */
export function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const json = JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n";
  writeFileSync(`${file}.tmp`, json);
  renameSync(`${file}.tmp`, file);
}

/** The JSON in `file`, or undefined when there is none. */
export function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : undefined;
}

/** A progress line on stderr, prefixed with the benchmark name and the time. */
export function progress(name: string): (line: string) => void {
  return (line) => process.stderr.write(`[${name} ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}
