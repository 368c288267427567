// What every benchmark result shares: quick or full mode, where the JSON goes, the machine it ran on.
// Full results go to bench/results/<name>.json (committed); quick ones to bench/results/quick/ (ignored).
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defaultChainClient, parseChainClient, type ChainClient } from "../../src/devnet/localNode";

/** Where full results live. */
export const RESULTS_DIR = path.join(__dirname, "..", "results");

/** True when the reduced grid is asked for: `--quick` on the command line or BENCH_QUICK=1. */
export function isQuick(argv: readonly string[] = process.argv): boolean {
  return argv.includes("--quick") || process.env.BENCH_QUICK === "1";
}

/** The machine a figure was measured on. */
export function machineInfo(): { node: string; cpus: number; cpuModel: string; memGiB: number; platform: string } {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** The result file of benchmark `name` in the given mode. */
export function resultPath(name: string, quick: boolean): string {
  return path.join(RESULTS_DIR, ...(quick ? ["quick"] : []), `${name}.json`);
}

/** Writes `data` under the shared header (benchmark, mode, command, machine, date); returns the path. */
export function writeResult(name: string, quick: boolean, data: Record<string, unknown>): string {
  const file = resultPath(name, quick);
  mkdirSync(path.dirname(file), { recursive: true });
  const header = {
    benchmark: name,
    mode: quick ? "quick" : "full",
    command: process.env.BENCH_COMMAND ?? `${path.basename(process.argv[1] ?? "")} ${process.argv.slice(2).join(" ")}`.trim(),
    machine: machineInfo(),
    date: new Date().toISOString(),
  };
  writeFileSync(file, JSON.stringify({ ...header, ...data }, null, 2) + "\n");
  return file;
}

/**
 * The local chain client a node benchmark runs on: `--chain NAME` on its command line, else BENCH_CHAIN,
 * else the product's default (src/devnet/localNode.ts).
 */
export function benchClient(argv: readonly string[] = process.argv): ChainClient {
  const at = argv.indexOf("--chain");
  if (at >= 0) return parseChainClient(argv[at + 1] ?? "", "--chain");
  return process.env.BENCH_CHAIN ? parseChainClient(process.env.BENCH_CHAIN, "BENCH_CHAIN") : defaultChainClient();
}

/** The result name of node benchmark `name` on `client`: the Hardhat node's keeps the plain name, other clients add theirs. */
export function clientResultName(name: string, client: ChainClient): string {
  return client === "hardhat" ? name : `${name}-${client}`;
}
