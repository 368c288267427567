// Benchmark: the clip norm against the bounded attacker. The contract's norm bound is the group size times the
// job's clip norm C, so an attacker that knows it (src/attacks `bounded`) can send −λ · (honest direction) with
// the group's whole budget; the shorter honest updates are next to C, the more of the budget is left to it. For
// C ∈ {8 (the demo's), 2, 1.5, 1} (honest updates here have norms up to about 1.7) this runs a clean job and a job with 20% bounded attackers per rule (MNIST,
// Dirichlet(0.5), 20 DOs in groups of 4, 5 rounds, as bench/robustness.ts), and reports the final accuracy,
// the honest update norms, and the pay after settlement: what a tighter clip costs the clean run and buys
// against the attack.
// Run: npx ts-node --transpile-only bench/clip.ts [--quick]
// Writes bench/results/clip.json (quick: bench/results/quick/clip.json); progress on stderr.
import { DEFAULT_MODEL_CONFIG, initBackend } from "../src/ml";
import { DEMO_RECIPE } from "../src/owner/recipe";
import { DEMO_TERMS, SimMarket, type AttackName, type JobResult } from "./lib/sim";
import type { RuleName } from "./lib/simAggregate";
import { loadSplits, marketData } from "./lib/simData";
import { payShares } from "./lib/simRobustness";
import { benchMode, commandLine, cpuSeconds, machineInfo, progress, wallSeconds, writeResult } from "./lib/simReport";

const mode = benchMode();
const SEED = DEMO_RECIPE.seed;
const DATA_OWNERS = 20;
const GROUP_SIZE = 4;
const FRACTION = 0.2;
const GRID = {
  full: { clipNorms: [8, 2, 1.5, 1], rules: ["median", "geomedian"] as RuleName[], rounds: 5, poolSize: 6000, minPerDataOwner: 50 },
  quick: { clipNorms: [1.5], rules: ["median"] as RuleName[], rounds: 1, poolSize: 2000, minPerDataOwner: 30 },
}[mode];

/** One job as kept in the result file. */
function keep(clipNorm: number, job: JobResult) {
  const c = { accuracy: job.accuracy, malicious: job.spec.malicious, attackersPaid: job.attackersPaid, honestUnpaid: job.honestUnpaid, settled: job.settled };
  const norms = job.rounds.map((r) => r.honestNorms);
  return {
    clipNorm,
    rule: job.spec.rule,
    attack: job.spec.attack,
    malicious: job.spec.malicious,
    finalAccuracy: job.finalAccuracy,
    accuracy: job.accuracy,
    honestNorms: { min: Math.min(...norms.map((x) => x.min)), max: Math.max(...norms.map((x) => x.max)), clipped: norms.reduce((a, x) => a + x.clipped, 0) },
    inliers: job.rounds.map((r) => r.inliers),
    pay: payShares(c, DATA_OWNERS),
    seconds: job.seconds,
  };
}

/** Runs the grid: per clip norm a market, per rule a clean and an attacked job. */
async function main(): Promise<void> {
  const backend = await initBackend();
  const { train, test } = loadSplits("mnist");
  const data = marketData(train, {
    dataOwners: DATA_OWNERS,
    poolSize: GRID.poolSize,
    split: { kind: "dirichlet", alpha: 0.5 },
    ownerSamples: DEMO_RECIPE.ownerSamples,
    minPerDataOwner: GRID.minPerDataOwner,
    seed: SEED,
  });
  const malicious = Math.round(FRACTION * DATA_OWNERS);
  const runs: ReturnType<typeof keep>[] = [];
  for (const clipNorm of GRID.clipNorms) {
    const market = await SimMarket.create({ config: DEFAULT_MODEL_CONFIG, own: data.own, shards: data.shards, test, terms: { ...DEMO_TERMS, clipNorm } });
    await market.cacheFirstRound(0, (line) => progress(`C=${clipNorm}: ${line}`));
    for (const rule of GRID.rules) {
      for (const [attack, k] of [
        ["none", 0],
        ["bounded", malicious],
      ] as [AttackName, number][]) {
        const job = await market.runJob({ rule, groupSize: GROUP_SIZE, rounds: GRID.rounds, attack, malicious: k, seed: SEED });
        const kept = keep(clipNorm, job);
        runs.push(kept);
        progress(
          `C=${clipNorm} ${rule} ${attack} k=${k}: ${job.accuracy.map((a) => (a * 100).toFixed(2)).join(" → ")}, honest norms ` +
            `${kept.honestNorms.min}–${kept.honestNorms.max} (${kept.honestNorms.clipped} clipped) (${job.seconds} s)`,
        );
      }
    }
    market.dispose();
  }
  const file = writeResult("clip", mode, {
    benchmark: "clip",
    mode,
    command: commandLine(),
    seeds: { data: SEED, model: DEMO_RECIPE.seed, groups: SEED, rounding: SEED },
    config: {
      ...GRID,
      dataset: "mnist",
      split: "dirichlet-0.5",
      dataOwners: DATA_OWNERS,
      groupSize: GROUP_SIZE,
      fraction: FRACTION,
      attack: "bounded (margin 0.02)",
    },
    machine: machineInfo(backend.name),
    date: new Date().toISOString(),
    wallSeconds: wallSeconds(),
    cpuSeconds: cpuSeconds(),
    runs,
  });
  progress(`wrote ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
