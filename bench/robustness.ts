// Benchmark: robustness of the grouped secure aggregation. The rules the contract verifies {median, trimmed
// mean, geometric median, Multi-Krum} × attacks {sign-flip, scaling ×10, gaussian, ALIE, IPM, label-flip, free-rider, and
// the adaptive ones: stale free-rider, bounded (just under the group's norm bound), intermittent (scaling, but
// honest in round 1)} × malicious fraction {10, 20, 30%}, plus one clean run per rule; MNIST, Dirichlet(0.5),
// 20 DOs in groups of 4, 5 rounds, the contract's norm bound on every group sum, the members' records and the
// settlement of held pay.
// The rules only ever see the 5 group means. Reports final and per-round accuracy, attackers paid, honest DOs
// unpaid, and how many groups the attackers contaminate (measured, expected and by Monte Carlo).
// Run: npx ts-node --transpile-only bench/robustness.ts [--quick]
// Writes bench/results/robustness.json (quick: bench/results/quick/robustness.json); progress on stderr.
import { DEFAULT_MODEL_CONFIG, initBackend } from "../src/ml";
import { DEMO_RECIPE } from "../src/owner/recipe";
import { DEFAULT_RECIPE } from "../src/worker/recipe";
import { ATTACK_NAMES, DEMO_TERMS, SimMarket, type AttackName, type JobResult } from "./lib/sim";
import { multiKrumF, type RuleName } from "./lib/simAggregate";
import { describeShards, loadSplits, marketData } from "./lib/simData";
import { contaminationSummary, robustnessSummary, type ConfigResult } from "./lib/simRobustness";
import { benchMode, commandLine, cpuSeconds, machineInfo, progress, wallSeconds, writeResult } from "./lib/simReport";

const mode = benchMode();
const SEED = DEMO_RECIPE.seed;
const DATA_OWNERS = 20;
const GROUP_SIZE = 4;
const ALL_ATTACKS: AttackName[] = ATTACK_NAMES.filter((a) => a !== "none");
const GRID = {
  full: {
    rules: ["median", "trimmed-mean", "geomedian", "multi-krum"] as RuleName[],
    attacks: ALL_ATTACKS,
    fractions: [0.1, 0.2, 0.3],
    rounds: 5,
    poolSize: 6000,
    minPerDataOwner: 50,
    monteCarloTrials: 4000,
  },
  quick: {
    rules: ["median", "geomedian"] as RuleName[],
    attacks: ["gaussian"] as AttackName[],
    fractions: [0.2],
    rounds: 2,
    poolSize: 2000,
    minPerDataOwner: 30,
    monteCarloTrials: 500,
  },
}[mode];

/** The per-config record kept in the result file (per-DO timings dropped). */
function keep(job: JobResult, fraction: number): ConfigResult {
  return {
    rule: job.spec.rule,
    attack: job.spec.attack,
    fraction,
    malicious: job.spec.malicious,
    finalAccuracy: job.finalAccuracy,
    accuracy: job.accuracy,
    attackersPaid: job.attackersPaid,
    honestUnpaid: job.honestUnpaid,
    settled: job.settled,
    contaminatedGroups: job.rounds.map((r) => r.contaminatedGroups),
    rounds: job.rounds.map((r) => ({
      round: r.round,
      accuracy: r.accuracy,
      groups: r.groups,
      maliciousPerGroup: r.maliciousPerGroup,
      excluded: r.excluded,
      judged: r.judged,
      inliers: r.inliers,
      attackersPaid: r.attackersPaid,
      honestUnpaid: r.honestUnpaid,
      convicted: r.convicted,
      projections: r.projections,
      distanceRatios: r.distanceRatios,
      nonFiniteUpdates: r.nonFiniteUpdates,
      trainSeconds: r.trainSeconds,
    })),
    seconds: job.seconds,
  };
}

/** Runs the clean runs, then every fraction × attack × rule, and writes the result. */
async function main(): Promise<void> {
  const backend = await initBackend();
  const { train, test } = loadSplits("mnist");
  const split = { kind: "dirichlet" as const, alpha: 0.5 };
  const data = marketData(train, {
    dataOwners: DATA_OWNERS,
    poolSize: GRID.poolSize,
    split,
    ownerSamples: DEMO_RECIPE.ownerSamples,
    minPerDataOwner: GRID.minPerDataOwner,
    seed: SEED,
  });
  const market = await SimMarket.create({ config: DEFAULT_MODEL_CONFIG, own: data.own, shards: data.shards, test, terms: DEMO_TERMS });
  progress(`MO pretrained: test accuracy ${(market.owner.initialAccuracy * 100).toFixed(2)}%`);
  const counts = GRID.fractions.map((p) => Math.round(p * DATA_OWNERS));
  const flippers = GRID.attacks.includes("label-flip") ? Math.max(...counts) : 0;
  const cacheSeconds = await market.cacheFirstRound(flippers, progress);
  const configs: ConfigResult[] = [];
  const total = GRID.rules.length * (1 + GRID.attacks.length * GRID.fractions.length);
  const run = async (rule: RuleName, attack: AttackName, fraction: number): Promise<void> => {
    const malicious = Math.round(fraction * DATA_OWNERS);
    const job = await market.runJob({ rule, groupSize: GROUP_SIZE, rounds: GRID.rounds, attack, malicious, seed: SEED });
    configs.push(keep(job, fraction));
    progress(
      `[${configs.length}/${total}] ${rule} / ${attack} / ${malicious} malicious: ${job.accuracy.map((a) => (a * 100).toFixed(2)).join(" → ")}, ` +
        `attackers paid ${job.attackersPaid}, honest unpaid ${job.honestUnpaid}; after settlement ${job.settled.attackersPaid} and ` +
        `${job.settled.honestUnpaid}, convicted ${job.settled.convictedAttackers} attackers and ${job.settled.convictedHonest} honest (${job.seconds} s)`,
    );
  };
  for (const rule of GRID.rules) await run(rule, "none", 0);
  for (const fraction of GRID.fractions) {
    for (const attack of GRID.attacks) for (const rule of GRID.rules) await run(rule, attack, fraction);
  }
  market.dispose();
  const file = writeResult("robustness", mode, {
    benchmark: "robustness",
    mode,
    command: commandLine(),
    seeds: { data: SEED, model: DEMO_RECIPE.seed, groups: SEED, rounding: SEED, attackNoise: SEED },
    config: {
      ...GRID,
      dataset: "mnist",
      split: "dirichlet-0.5",
      dataOwners: DATA_OWNERS,
      groupSize: GROUP_SIZE,
      groups: Math.floor(DATA_OWNERS / GROUP_SIZE),
      maliciousDataOwners: "DOs 0 … k−1 (k = fraction · 20), as in the demo; the group assignment decides where they land",
      ruleParameters: {
        mean: "on-chain trimmed mean with trimBps 0",
        median: "on-chain median",
        "trimmed-mean": `on-chain trimmed mean with trimBps ${DEMO_TERMS.trimBps} (b = ⌊5 · 0.2⌋ = 1 group mean dropped at each end)`,
        geomedian: "on-chain geometric median: Weiszfeld weights over the group means' Gram matrix, certified as the contract checks (τ = 1/10)",
        "multi-krum": `on-chain Multi-Krum over the group means' Gram matrix: f = ${multiKrumF(Math.floor(DATA_OWNERS / GROUP_SIZE))} (⌊(e − 3) / 2⌋), the e − f means of lowest score averaged`,
      },
      attackParameters: {
        "sign-flip": "λ = 1 (sends −own update)",
        scaling: "λ = 10",
        gaussian: "σ = 200",
        alie: "z = Φ⁻¹((n − s)/n), s = ⌊n/2 + 1⌋ − f, with n = 20 DOs and f = k",
        ipm: "ε = 0.1",
        "label-flip": "trains on y → 9 − y; runs the honest software otherwise (its update is clipped)",
        "free-rider": "zero update",
        "stale-free-rider": "the previous round's aggregate plus N(0, (0.05 · rms)²) noise (zero in round 1)",
        bounded: "−λ · (honest mean direction), λ the largest norm keeping its group's sum within 0.98 of groupSize · C (shared by the group's attackers)",
        intermittent: "its own trained update in round 1 (sent unclipped, like every update attacker's), scaling λ = 10 in rounds 2–5",
      },
      attackerClipping: DEMO_TERMS.attackersClip
        ? "update attackers clip like honest DOs"
        : "update attackers do not clip (the contract cannot check it); honest and label-flip DOs clip to L2 norm 8",
      omniscience: "update attacks see every honest DO's float update of the round (ALIE/IPM statistics over all 20 − k honest DOs)",
      ownerSamples: DEMO_RECIPE.ownerSamples,
      pretrain: DEMO_RECIPE.pretrain,
      finetune: DEMO_RECIPE.finetune,
      doRecipe: DEFAULT_RECIPE,
      terms: { ...DEMO_TERMS, outlierFactorBps: Number(DEMO_TERMS.outlierFactorBps), minProjectionBps: Number(DEMO_TERMS.minProjectionBps) },
      testSet: "all 10,000 MNIST test images, every round",
      roundZeroReuse: `every config starts from the same pretrained model, so each DO's round-1 training (honest, and label-flipped for DOs 0 … ${flippers - 1}) is computed once (${cacheSeconds} s) and reused; it is bit-identical to training it again`,
      shards: describeShards(data.shards),
    },
    method:
      "in-process: the protocol's integer aggregation, which test/vectors shows equals the contract's; masks cancel exactly so they are " +
      "not applied. No chain. Each round: groups from src/protocol assignGroups (randomness from the seed), DO training as the worker " +
      "(src/worker/trainer.ts, DEFAULT_RECIPE), attacks from src/attacks, src/protocol quantize (2^16, seeded stochastic rounding), group " +
      "sums mod 2^32, then mean/median/trimmed mean and the inlier test (outlierFactorBps 40000, minProjectionBps 5000) by " +
      "src/protocol/roundAggregate.ts aggregateGroupSums, the geometric median with the weights the contract's certificate accepts, " +
      "Multi-Krum with the contract's choice from the Gram matrix. A group " +
      "is paid when it is an inlier. The MO fine-tunes (DEMO_RECIPE.finetune) and is evaluated after every round.",
    machine: machineInfo(backend.name),
    date: new Date().toISOString(),
    wallSeconds: wallSeconds(),
    cpuSeconds: cpuSeconds(),
    initialAccuracy: market.owner.initialAccuracy,
    summary: robustnessSummary(configs, GRID.rules, GRID.attacks, GRID.fractions, DATA_OWNERS),
    contamination: contaminationSummary(configs, DATA_OWNERS, GROUP_SIZE, counts, GRID.monteCarloTrials, SEED),
    configs,
  });
  progress(`wrote ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
