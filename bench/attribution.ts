// Benchmark: pay that follows contribution, measured on the robustness matrix before it is built on-chain.
// For every job of bench/results/robustness.json (MNIST, Dirichlet(0.5), 20 DOs in groups of 4, 5 rounds) it
// attributes each round's group projections to the members by ridge least squares (bench/lib/attribution.ts)
// and scales each member's settled pay by clamp(x / (τ · median x), 0, 1), next to the pay the contract settles
// today; then, on synthetic jobs calibrated on the matrix's clean runs, how many rounds the attribution needs
// before a free-rider's share falls under a quarter of an honest DO's pay.
// Run: npx ts-node --transpile-only bench/attribution.ts [--quick]   (needs the full robustness result)
// Writes bench/results/attribution.json (quick: bench/results/quick/attribution.json); progress on stderr.
import { InvalidInputError } from "../src/errors";
import { emptyRecord, recordRound, settleHeld } from "../src/protocol";
import { median, payFactors, ridgeAttribution, syntheticPay, type GroupRow } from "./lib/attribution";
import { benchMode, commandLine, cpuSeconds, progress, readFullResult, round, wallSeconds, writeResult } from "./lib/simReport";

const mode = benchMode();
const LAMBDA = 1;
const TAU = 0.5;
const GRID = {
  full: { rounds: [5, 10, 20, 40], attackers: [0, 0.5, -0.5], trials: 300 },
  quick: { rounds: [5], attackers: [0], trials: 20 },
}[mode];

interface MatrixRound {
  groups: number[][];
  maliciousPerGroup: number[];
  excluded: boolean[];
  judged: boolean;
  inliers: boolean[];
  projections: number[];
}
interface MatrixConfig {
  rule: string;
  attack: string;
  fraction: number;
  malicious: number;
  settled: { attackersPaid: number; honestUnpaid: number };
  rounds: MatrixRound[];
}

/** Member-rounds paid per member at settlement, as the contract settles them (src/protocol/blame: clean rounds, held pay released by a clearing round). */
function settledRounds(n: number, rounds: readonly MatrixRound[]): number[] {
  const records = Array.from({ length: n }, () => emptyRecord());
  const slashed = new Set<number>();
  for (const r of rounds) {
    const members = r.groups.flat();
    recordRound(
      records,
      {
        groups: r.groups,
        submitted: new Set(members),
        eligible: r.groups.map(() => true),
        excluded: r.excluded,
        inliers: r.inliers,
        judged: r.judged,
        active: members.length,
      },
      n,
      slashed,
    );
  }
  const released = settleHeld(records, 1n, slashed).released;
  return records.map((r, i) => r.clean + Number(released[i]));
}

/** The rows of a job: every counted group of every round with an aggregate, y = projection · size. */
function rowsOf(rounds: readonly MatrixRound[]): GroupRow[] {
  return rounds.flatMap((r) => (r.judged ? r.groups.flatMap((members, g) => (r.excluded[g] ? [] : [{ members, y: r.projections[g] * members.length }])) : []));
}

/** An attacker's mean pay as a share of an honest DO's, and the share of the honest DOs' full pay they lost. */
function shares(pay: readonly number[], k: number, rounds: number) {
  const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);
  const honest = pay.slice(k);
  const honestMean = sum(honest) / honest.length;
  return {
    attacker: k === 0 || honestMean === 0 ? null : round(sum(pay.slice(0, k)) / k / honestMean),
    honestLost: round(1 - honestMean / rounds),
  };
}

function replay(c: MatrixConfig, n: number) {
  if (!c.rounds.every((r) => Array.isArray(r.groups) && Array.isArray(r.excluded))) {
    throw new InvalidInputError("robustness.json", "has no groups or excluded flags per round: rerun bench/robustness.ts");
  }
  const k = c.malicious;
  const R = c.rounds.length;
  const today = settledRounds(n, c.rounds);
  // The replay must settle exactly as the simulation did.
  const attackersPaid = today.slice(0, k).reduce((a, b) => a + b, 0);
  const honestUnpaid = (n - k) * R - today.slice(k).reduce((a, b) => a + b, 0);
  if (attackersPaid !== c.settled.attackersPaid || honestUnpaid !== c.settled.honestUnpaid) {
    throw new InvalidInputError(
      "robustness.json",
      `${c.rule}/${c.attack}/${c.fraction}: replayed settlement ${attackersPaid}/${honestUnpaid} differs from ${c.settled.attackersPaid}/${c.settled.honestUnpaid}`,
    );
  }
  const rows = rowsOf(c.rounds);
  const x = ridgeAttribution(n, rows, LAMBDA);
  const scored = x.map((_, i) => rows.some((row) => row.members.includes(i)));
  const f = payFactors(x, scored, TAU);
  const honestX = x.slice(k).filter((_, i) => scored[k + i]);
  return {
    rule: c.rule,
    attack: c.attack,
    fraction: c.fraction,
    malicious: k,
    rows: rows.length,
    today: shares(today, k, R),
    byContribution: shares(
      today.map((p, i) => p * f[i]),
      k,
      R,
    ),
    attackerContribution: x.slice(0, k).map((v) => round(v, 3)),
    honestContribution: honestX.length ? { min: round(Math.min(...honestX), 3), median: round(median(honestX), 3) } : null,
  };
}

/** Spread of the clean runs' contributions around their median: between members, and per member-round. */
function calibration(clean: readonly MatrixConfig[], n: number) {
  const between: number[] = [];
  const within: number[] = [];
  for (const c of clean) {
    const rows = rowsOf(c.rounds);
    const x = ridgeAttribution(n, rows, LAMBDA);
    const m = median(x);
    const sd = Math.sqrt(x.reduce((a, v) => a + (v - m) ** 2, 0) / x.length);
    between.push(sd / m);
    const residual = rows.reduce((a, r) => a + (r.y - r.members.reduce((s, i) => s + x[i], 0)) ** 2 / r.members.length, 0) / rows.length;
    within.push(Math.sqrt(residual) / m);
  }
  return { sigmaBetween: round(median(between), 3), sigmaWithin: round(median(within), 3) };
}

function main(): void {
  const matrix = readFullResult("robustness") as { config: { dataOwners: number; groupSize: number }; configs: MatrixConfig[] } | undefined;
  if (!matrix) throw new InvalidInputError("bench/results/robustness.json", "is missing: run bench/robustness.ts first");
  const n = matrix.config.dataOwners;
  const g = matrix.config.groupSize;
  const jobs = matrix.configs.map((c) => replay(c, n));
  progress(`replayed ${jobs.length} jobs of the robustness matrix`);
  const sigma = calibration(
    matrix.configs.filter((c) => c.attack === "none"),
    n,
  );
  progress(`calibration from the clean runs: σ between members ${sigma.sigmaBetween}, per member-round ${sigma.sigmaWithin}`);
  const synthetic = GRID.rounds.flatMap((rounds) =>
    GRID.attackers.map((attacker) => {
      const r = syntheticPay({
        n,
        groupSize: g,
        malicious: Math.round(0.2 * n),
        rounds,
        attacker,
        ...sigma,
        trials: GRID.trials,
        seed: 7 + rounds,
        lambda: LAMBDA,
        tau: TAU,
      });
      progress(
        `synthetic: ${rounds} rounds, attackers contributing ${attacker}: attacker share ${r.attackerShare.toFixed(3)}, honest loss ${r.honestLoss.toFixed(4)}`,
      );
      return { rounds, attacker, attackerShare: round(r.attackerShare), honestLoss: round(r.honestLoss), worstHonestLoss: round(r.worstHonestLoss) };
    }),
  );
  const file = writeResult("attribution", mode, {
    benchmark: "attribution",
    mode,
    command: commandLine(),
    date: new Date().toISOString(),
    config: { dataOwners: n, groupSize: g, lambda: LAMBDA, tau: TAU, grid: GRID },
    method:
      "Rows: every group within the norm bound of every round with an aggregate, y = projection (dot / aggNorm) × group size. " +
      "x = (AᵀA + λI)⁻¹ Aᵀy; pay factor clamp(x / (τ · median x), 0, 1) applied to the pay settled today (clean rounds plus held pay " +
      "released). Synthetic: honest members contribute μ_i + N(0, σ_within) per round, μ_i ~ N(1, σ_between), calibrated on the clean runs; " +
      "attackers contribute exactly `attacker` (0: a free-rider); 20% attackers, groups drawn uniformly every round.",
    calibration: sigma,
    jobs,
    synthetic,
    wallSeconds: wallSeconds(),
    cpuSeconds: cpuSeconds(),
  });
  progress(`wrote ${file}`);
}

main();
