// Summaries of the robustness grid (bench/robustness.ts): per attack and malicious fraction, the best rule's
// accuracy against the clean run and the mean's degradation; the strongest attack; and how many groups each
// malicious count contaminates, measured in the runs, in expectation and by Monte Carlo over the protocol's
// group assignment. Accuracy differences are in percentage points.
import type { AttackName } from "./sim";
import type { RuleName } from "./simAggregate";
import { approxContaminated, contaminationMonteCarlo, expectedContaminated, probabilityWithin, toleratedGroups } from "./simGroups";
import { round } from "./simReport";

/** One configuration of the grid as kept in the result file. */
export interface ConfigResult {
  rule: RuleName;
  attack: AttackName;
  fraction: number;
  malicious: number;
  finalAccuracy: number;
  accuracy: number[];
  attackersPaid: number;
  honestUnpaid: number;
  contaminatedGroups: number[];
  rounds: object[];
  seconds: number;
}

const points = (a: number, b: number): number => round((a - b) * 100, 2);

/** Per fraction and attack: every rule's outcome, the best rule against its clean run, and the mean's drop. */
export function robustnessSummary(configs: readonly ConfigResult[], rules: readonly RuleName[], attacks: readonly AttackName[], fractions: readonly number[]) {
  const find = (rule: RuleName, attack: AttackName, fraction: number): ConfigResult | undefined =>
    configs.find((c) => c.rule === rule && c.attack === attack && c.fraction === fraction);
  const clean = Object.fromEntries(rules.map((r) => [r, find(r, "none", 0)?.finalAccuracy ?? NaN]));
  const bestClean = Math.max(...Object.values(clean));
  const matrix = Object.fromEntries(
    fractions.map((fraction) => [
      `${Math.round(fraction * 100)}%`,
      Object.fromEntries(
        attacks.map((attack) => {
          const byRule = Object.fromEntries(
            rules.map((r) => {
              const c = find(r, attack, fraction);
              return [r, c ? { accuracy: c.finalAccuracy, attackersPaid: c.attackersPaid, honestUnpaid: c.honestUnpaid } : null];
            }),
          );
          const best = rules.reduce((b, r) => ((byRule[r]?.accuracy ?? -1) > (byRule[b]?.accuracy ?? -1) ? r : b), rules[0]);
          const bestAccuracy = byRule[best]?.accuracy ?? NaN;
          const meanAccuracy = byRule.mean?.accuracy;
          return [
            attack,
            {
              byRule,
              best: {
                rule: best,
                accuracy: bestAccuracy,
                pointsVsItsClean: points(bestAccuracy, clean[best]),
                pointsVsBestClean: points(bestAccuracy, bestClean),
              },
              withinTwoPointsOfClean: bestAccuracy >= clean[best] - 0.02,
              mean: meanAccuracy === undefined ? null : { accuracy: meanAccuracy, pointsVsClean: points(meanAccuracy, clean.mean) },
            },
          ];
        }),
      ),
    ]),
  );
  // The strongest attack at a fraction: the one that leaves the median (the product's default rule) lowest.
  const strongestForMedian = Object.fromEntries(
    fractions.map((fraction) => {
      const scored = attacks.map((a) => ({ attack: a, accuracy: find("median", a, fraction)?.finalAccuracy ?? Infinity }));
      const worst = scored.reduce((w, s) => (s.accuracy < w.accuracy ? s : w), scored[0]);
      return [`${Math.round(fraction * 100)}%`, worst];
    }),
  );
  // The product's target at 10%: the best rule per attack within 2 points of its clean run while the mean visibly degrades.
  const at10 = matrix["10%"] as Record<string, { withinTwoPointsOfClean: boolean; mean: { pointsVsClean: number } | null }> | undefined;
  const targetAt10Percent = at10 && {
    bestRuleWithinTwoPoints: attacks.filter((a) => at10[a].withinTwoPointsOfClean),
    bestRuleBelowTwoPoints: attacks.filter((a) => !at10[a].withinTwoPointsOfClean),
    meanDropsMoreThanTwoPoints: attacks.filter((a) => (at10[a].mean?.pointsVsClean ?? 0) < -2),
  };
  return { clean, bestClean, matrix, strongestAttackForMedian: strongestForMedian, targetAt10Percent: targetAt10Percent ?? null };
}

/** Contaminated groups per malicious count: measured per round in the runs, expected, and their Monte Carlo distribution. */
export function contaminationSummary(configs: readonly ConfigResult[], n: number, g: number, counts: readonly number[], trials: number, seed: number) {
  const m = Math.floor(n / g);
  const mc = contaminationMonteCarlo(n, g, trials, seed);
  const medianTolerance = toleratedGroups("median", m, 0) ?? 0;
  return {
    groups: m,
    monteCarloTrials: trials,
    note:
      "the assignment of a round depends only on the seed and the round, so every config with k malicious DOs sees the same " +
      "contaminated groups; expectedExact = Σ_groups 1 − C(n−k, s)/C(n, s); approx = m·(1 − (1 − k/n)^g)",
    byMalicious: counts.map((k) => {
      const run = configs.find((c) => c.malicious === k);
      const total = mc[k].reduce((a, b) => a + b, 0);
      return {
        malicious: k,
        fraction: k / n,
        measuredPerRound: run?.contaminatedGroups ?? null,
        expectedExact: round(expectedContaminated(n, g, k), 3),
        approx: round(approxContaminated(n, g, k), 3),
        monteCarloMean: round(mc[k].reduce((a, c, i) => a + c * i, 0) / total, 3),
        monteCarloDistribution: mc[k].map((c) => round(c / total, 4)),
        probabilityCleanMajority: round(probabilityWithin(mc, medianTolerance)[k], 4),
      };
    }),
  };
}
