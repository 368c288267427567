// Shared plumbing of the ML benchmarks (bench/accuracy.ts, bench/robustness.ts, bench/tradeoff.ts): the
// --quick switch, progress lines on stderr, the machine description and the result file. Full results go
// to bench/results/<name>.json, quick ones to bench/results/quick/<name>.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import path from "path";
import { InvalidInputError } from "../../src/errors";
import { machineInfo as machineOf, resultPath as resultFile } from "./results";

/** How much of the grid a benchmark runs. */
export type BenchMode = "full" | "quick";

/** The machine a result was measured on. */
export interface MachineInfo {
  node: string;
  cpus: number;
  cpuModel: string;
  memGiB: number;
  backend: string;
}

const STARTED = performance.now();

/** The run mode: --quick on the command line or BENCH_QUICK=1 in the environment; refuses other arguments. */
export function benchMode(argv: readonly string[] = process.argv.slice(2)): BenchMode {
  for (const arg of argv) {
    if (arg !== "--quick") throw new InvalidInputError("arguments", `unknown argument ${arg}; the only option is --quick`);
  }
  return argv.includes("--quick") || process.env.BENCH_QUICK === "1" ? "quick" : "full";
}

/** The command line that started this process (BENCH_COMMAND when a runner sets it), as typed from the repository root. */
export function commandLine(): string {
  if (process.env.BENCH_COMMAND) return process.env.BENCH_COMMAND;
  const script = path.relative(path.join(__dirname, "..", ".."), process.argv[1] ?? "");
  const env = process.env.BENCH_QUICK === "1" ? "BENCH_QUICK=1 " : "";
  return `${env}npx ts-node --transpile-only ${[script, ...process.argv.slice(2)].join(" ")}`;
}

/** Writes one progress line to stderr, prefixed with the seconds since the process started. */
export function progress(line: string): void {
  process.stderr.write(`[${((performance.now() - STARTED) / 1000).toFixed(1).padStart(7)} s] ${line}\n`);
}

/** Seconds elapsed since `start` (a performance.now() reading), rounded to 0.01 s. */
export function secondsSince(start: number): number {
  return Math.round((performance.now() - start) / 10) / 100;
}

/** Seconds since the process started, rounded to 0.1 s. */
export function wallSeconds(): number {
  return Math.round((performance.now() - STARTED) / 100) / 10;
}

/** CPU seconds (user + system) this process has used, rounded to 0.1 s (wall time grows when the machine is shared). */
export function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return Math.round((user + system) / 1e5) / 10;
}

/** Node version, CPU count and model, memory, and the tfjs backend in use. */
export function machineInfo(backend: string): MachineInfo {
  return { ...machineOf(), backend };
}

/** Where a benchmark's result lives for a mode. */
export function resultPath(name: string, mode: BenchMode): string {
  return resultFile(name, mode === "quick");
}

/** Writes a result object as pretty JSON to the mode's result file and returns its path. */
export function writeResult(name: string, mode: BenchMode, result: object): string {
  const file = resultPath(name, mode);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** Reads another benchmark's full result, or undefined when it has not been run. */
export function readFullResult(name: string): unknown {
  const file = resultPath(name, "full");
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

/** Rounds to `digits` decimals (for compact JSON). */
export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
