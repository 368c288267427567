// Summaries of the robustness grid (bench/robustness.ts): per attack and malicious fraction, the best rule's
// accuracy against the clean run and the mean's degradation; the strongest attack; and how many groups each
// malicious count contaminates, measured in the runs, in expectation and by Monte Carlo over the protocol's
// group assignment. Accuracy differences are in percentage points.
import type { AttackName, SettledPay } from "./sim";
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
  /** After settlement (absent in results written before held pay). */
  settled?: SettledPay;
  contaminatedGroups: number[];
  rounds: object[];
  seconds: number;
}

const points = (a: number, b: number): number => round((a - b) * 100, 2);

/** Pay of one config after settlement (held pay released): an attacker's mean pay as a share of an honest DO's
 * (null without attackers or honest pay), the share of the honest DOs' full pay they lost, and convictions. */
export function payShares(c: Pick<ConfigResult, "accuracy" | "malicious" | "attackersPaid" | "honestUnpaid" | "settled">, dataOwners: number) {
  const rounds = c.accuracy.length - 1;
  const honest = dataOwners - c.malicious;
  const pay = c.settled ?? { attackersPaid: c.attackersPaid, honestUnpaid: c.honestUnpaid, convictedAttackers: 0, convictedHonest: 0 };
  const honestPaid = honest * rounds - pay.honestUnpaid;
  const attacker = c.malicious === 0 || honestPaid === 0 ? null : pay.attackersPaid / c.malicious / (honestPaid / honest);
  return { attacker, honestLost: pay.honestUnpaid / (honest * rounds), convictedAttackers: pay.convictedAttackers, convictedHonest: pay.convictedHonest };
}

/** Per fraction and attack: every rule's outcome, the best rule against its clean run, and the mean's drop. */
export function robustnessSummary(
  configs: readonly ConfigResult[],
  rules: readonly RuleName[],
  attacks: readonly AttackName[],
  fractions: readonly number[],
  dataOwners: number,
) {
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
              return [r, c ? { accuracy: c.finalAccuracy, attackersPaid: c.attackersPaid, honestUnpaid: c.honestUnpaid, pay: payShares(c, dataOwners) } : null];
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
  // The accountability targets at 20%: per attack, the most accurate rule within 2 points of its clean run, an
  // attacker's pay ≤ 25% of an honest DO's and honest pay lost ≤ 5% (after settlement); no honest DO convicted anywhere.
  const at20 = matrix["20%"] as
    | Record<
        string,
        { byRule: Record<string, { accuracy: number; pay: ReturnType<typeof payShares> } | null>; best: { rule: string }; withinTwoPointsOfClean: boolean }
      >
    | undefined;
  const targetsAt20Percent =
    at20 &&
    Object.fromEntries(
      attacks.map((a) => {
        const best = at20[a].byRule[at20[a].best.rule]!;
        return [
          a,
          {
            rule: at20[a].best.rule,
            withinTwoPoints: at20[a].withinTwoPointsOfClean,
            attackerPayShare: best.pay.attacker,
            attackerPayAtMostQuarter: best.pay.attacker !== null && best.pay.attacker <= 0.25,
            honestPayLost: best.pay.honestLost,
            honestLostAtMostFivePercent: best.pay.honestLost <= 0.05,
          },
        ];
      }),
    );
  const convictions = configs.reduce(
    (t, c) => ({ attackers: t.attackers + (c.settled?.convictedAttackers ?? 0), honest: t.honest + (c.settled?.convictedHonest ?? 0) }),
    { attackers: 0, honest: 0 },
  );
  return {
    clean,
    bestClean,
    matrix,
    strongestAttackForMedian: strongestForMedian,
    targetAt10Percent: targetAt10Percent ?? null,
    targetsAt20Percent: targetsAt20Percent ?? null,
    convictions,
  };
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
