// Benchmark: mask a 1,000,000-element vector against 3 peers (the target is ≤ 300 ms).
// Run with `npx ts-node bench/mask.ts`; writes bench/results/mask.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { maskVector } from "../src/protocol";

const D = 1_000_000;
const PEERS = 3;
const WARMUP = 2;
const RUNS = 7;

async function main(): Promise<void> {
  const q = new Uint32Array(D);
  for (let i = 0; i < D; i++) q[i] = (i * 2654435761) >>> 0;
  const peers = Array.from({ length: PEERS }, (_, k) => ({
    index: k === 0 ? 0 : k + 1,
    seed: "0x" + (k + 1).toString(16).padStart(2, "0").repeat(32),
  }));
  const selfIndex = 1;
  for (let i = 0; i < WARMUP; i++) await maskVector(q, selfIndex, peers);
  const runsMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await maskVector(q, selfIndex, peers);
    runsMs.push(Math.round((performance.now() - start) * 10) / 10);
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  const result = {
    params: { d: D, words: Math.ceil(D / 8), warmup: WARMUP, runs: RUNS },
    peers: PEERS,
    medianMs: sorted[(RUNS - 1) / 2],
    runsMs,
    backend: "hash-wasm createKeccak(256), single thread",
    node: process.version,
    date: new Date().toISOString(),
  };
  const dir = join(__dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "mask.json"), JSON.stringify(result, null, 2) + "\n");
  console.log(`maskVector d=${D} peers=${PEERS}: median ${result.medianMs} ms (runs ${runsMs.join(", ")})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
