// Benchmark: the privacy/robustness trade-off of grouping. Larger groups hide each DO's update among more
// others but leave fewer group means for the robust rule, so fewer attackers are tolerated. For n ∈ {20, 50,
// 100} and g ∈ {3 … 8}: the number of groups, the malicious DOs each rule tolerates (worst case and under
// the protocol's random assignment, by Monte Carlo), and the accuracy measured with 20% malicious DOs under
// the strongest attack of bench/results/robustness.json, for the median and the trimmed mean, next to a
// clean median run. The DO data pool is fixed across n (more DOs, smaller shards), so cost does not grow with n.
// Run: npx ts-node --transpile-only bench/tradeoff.ts [--quick]
// Writes bench/results/tradeoff.json (quick: bench/results/quick/tradeoff.json); progress on stderr.
import { DEFAULT_MODEL_CONFIG, initBackend } from "../src/ml";
import { DEMO_RECIPE } from "../src/owner/recipe";
import { DEFAULT_RECIPE } from "../src/worker/recipe";
import { ATTACK_NAMES, DEMO_TERMS, SimMarket, type AttackName, type JobResult } from "./lib/sim";
import type { RuleName } from "./lib/simAggregate";
import { loadSplits, marketData } from "./lib/simData";
import { benchMode, commandLine, cpuSeconds, machineInfo, progress, readFullResult, wallSeconds, writeResult } from "./lib/simReport";
import { TOLERANCE_DEFINITIONS, toleranceTable } from "./lib/simTradeoff";

const mode = benchMode();
const SEED = DEMO_RECIPE.seed;
const FRACTION = 0.2;
const FALLBACK_ATTACK: AttackName = "gaussian";
const GRID = {
  full: {
    ns: [20, 50, 100],
    gs: [3, 4, 5, 6, 7, 8],
    rules: ["median", "trimmed-mean"] as RuleName[],
    rounds: 3,
    poolSize: 6000,
    minPerDataOwner: 10,
    trials: 2000,
  },
  quick: { ns: [20], gs: [3, 5], rules: ["median"] as RuleName[], rounds: 2, poolSize: 2000, minPerDataOwner: 20, trials: 100 },
}[mode];
const TABLE = { ns: [20, 50, 100], gs: [3, 4, 5, 6, 7, 8], level: 0.95 };

/** The strongest attack at 20% from the robustness result (lowest median accuracy), or the fixed fallback. */
function strongestAttack(): { attack: AttackName; source: string } {
  const robustness = readFullResult("robustness") as { summary?: { strongestAttackForMedian?: Record<string, { attack?: string }> } } | undefined;
  const found = robustness?.summary?.strongestAttackForMedian?.[`${Math.round(FRACTION * 100)}%`]?.attack;
  if (found && (ATTACK_NAMES as readonly string[]).includes(found) && found !== "none") {
    return {
      attack: found as AttackName,
      source: 'bench/results/robustness.json summary.strongestAttackForMedian["20%"] (lowest final median accuracy at 20%)',
    };
  }
  return { attack: FALLBACK_ATTACK, source: `bench/results/robustness.json absent or without a 20% entry: fixed choice ${FALLBACK_ATTACK}` };
}

/** The per-run record kept in the result file. */
function keep(n: number, job: JobResult) {
  return {
    n,
    g: job.spec.groupSize,
    groups: job.rounds[0]?.groups.length ?? 0,
    rule: job.spec.rule,
    attack: job.spec.attack,
    malicious: job.spec.malicious,
    finalAccuracy: job.finalAccuracy,
    accuracy: job.accuracy,
    contaminatedGroups: job.rounds.map((r) => r.contaminatedGroups),
    inliers: job.rounds.map((r) => r.inliers),
    attackersPaid: job.attackersPaid,
    honestUnpaid: job.honestUnpaid,
    trainSeconds: job.rounds.map((r) => r.trainSeconds),
    seconds: job.seconds,
  };
}

/** Builds the analytic table, runs the measured grid and writes the result. */
async function main(): Promise<void> {
  const backend = await initBackend();
  const { attack, source } = strongestAttack();
  progress(`attack: ${attack} (${source})`);
  const table = toleranceTable(TABLE.ns, TABLE.gs, { trimBps: DEMO_TERMS.trimBps, fraction: FRACTION, level: TABLE.level, trials: GRID.trials, seed: SEED });
  progress(`tolerance table: ${table.length} cells, ${GRID.trials} assignments each`);
  const { train, test } = loadSplits("mnist");
  const runs: ReturnType<typeof keep>[] = [];
  for (const n of GRID.ns) {
    const malicious = Math.round(FRACTION * n);
    const data = marketData(train, {
      dataOwners: n,
      poolSize: GRID.poolSize,
      split: { kind: "dirichlet", alpha: 0.5 },
      ownerSamples: DEMO_RECIPE.ownerSamples,
      minPerDataOwner: GRID.minPerDataOwner,
      seed: SEED,
    });
    const market = await SimMarket.create({ config: DEFAULT_MODEL_CONFIG, own: data.own, shards: data.shards, test, terms: DEMO_TERMS });
    await market.cacheFirstRound(attack === "label-flip" ? malicious : 0, (line) => progress(`n=${n}: ${line}`));
    for (const g of GRID.gs) {
      const specs = [{ rule: "median" as RuleName, attack: "none" as AttackName, malicious: 0 }, ...GRID.rules.map((rule) => ({ rule, attack, malicious }))];
      for (const s of specs) {
        const job = await market.runJob({ ...s, groupSize: g, rounds: GRID.rounds, seed: SEED });
        runs.push(keep(n, job));
        progress(`n=${n} g=${g} ${s.rule} ${s.attack} k=${s.malicious}: ${job.accuracy.map((a) => (a * 100).toFixed(2)).join(" → ")} (${job.seconds} s)`);
      }
    }
    market.dispose();
  }
  const measured = (n: number, g: number, rule: RuleName, attacked: boolean): number | null =>
    runs.find((r) => r.n === n && r.g === g && r.rule === rule && (r.attack !== "none") === attacked)?.finalAccuracy ?? null;
  const file = writeResult("tradeoff", mode, {
    benchmark: "tradeoff",
    mode,
    command: commandLine(),
    seeds: { data: SEED, model: DEMO_RECIPE.seed, groups: SEED, rounding: SEED, monteCarlo: SEED },
    config: {
      ...GRID,
      table: TABLE,
      fraction: FRACTION,
      attack,
      attackSource: source,
      dataset: "mnist",
      split: "dirichlet-0.5",
      poolNote: "the DO pool is the same size for every n, so shards shrink as n grows (6,000 / n samples on average in the full run)",
      trimBps: DEMO_TERMS.trimBps,
      maliciousDataOwners: "DOs 0 … k−1, k = 0.2 · n",
      ownerSamples: DEMO_RECIPE.ownerSamples,
      pretrain: DEMO_RECIPE.pretrain,
      finetune: DEMO_RECIPE.finetune,
      doRecipe: DEFAULT_RECIPE,
      terms: { ...DEMO_TERMS, outlierFactorBps: Number(DEMO_TERMS.outlierFactorBps), minProjectionBps: Number(DEMO_TERMS.minProjectionBps) },
      testSet: "all 10,000 MNIST test images",
      definitions: TOLERANCE_DEFINITIONS,
    },
    method:
      "in-process: the protocol's integer aggregation, which test/vectors shows equals the contract's; masks cancel exactly so they are " +
      "not applied. No chain. Tolerances: derived per rule (see config.definitions) and Monte Carlo over src/protocol assignGroups. " +
      "Accuracy: the same simulated market as bench/robustness.ts (worker training recipe, src/protocol quantize, the contract's median " +
      "and trimmed mean with its inlier test via src/protocol/roundAggregate.ts), each DO's first round trained once per n and reused.",
    machine: machineInfo(backend.name),
    date: new Date().toISOString(),
    wallSeconds: wallSeconds(),
    cpuSeconds: cpuSeconds(),
    table: table.map((row) => ({
      ...row,
      measured: {
        cleanMedian: measured(row.n, row.g, "median", false),
        ...Object.fromEntries(GRID.rules.map((rule) => [`${rule}Under${attack}`, measured(row.n, row.g, rule, true)])),
      },
    })),
    runs,
  });
  progress(`wrote ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
