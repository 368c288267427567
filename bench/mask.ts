// Benchmark: masking a 1,000,000-element vector against 3 peers (the worker's per-round cost of hiding
// its update). Run: `npx ts-node --transpile-only bench/mask.ts [--quick]`; writes bench/results/mask.json
// (quick: 100,000 elements, bench/results/quick/mask.json).
import { maskVector } from "../src/protocol";
import { isQuick, writeResult } from "./lib/results";

const PEERS = 3;
const WARMUP = 2;
const RUNS = 7;

async function main(): Promise<void> {
  const quick = isQuick();
  const d = quick ? 100_000 : 1_000_000;
  const started = performance.now();
  const q = new Uint32Array(d);
  for (let i = 0; i < d; i++) q[i] = (i * 2654435761) >>> 0;
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
  const medianMs = [...runsMs].sort((a, b) => a - b)[(RUNS - 1) / 2];
  const file = writeResult("mask", quick, {
    config: { d, words: Math.ceil(d / 8), peers: PEERS, warmup: WARMUP, runs: RUNS },
    method: "maskVector from src/protocol: hash-wasm keccak256 counter stream, single thread, median of the timed runs",
    target: { medianMs: 300, d: 1_000_000 },
    medianMs,
    runsMs,
    wallSeconds: Math.round(performance.now() - started) / 1000,
  });
  console.log(`maskVector d=${d} peers=${PEERS}: median ${medianMs} ms (runs ${runsMs.join(", ")}) → ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
