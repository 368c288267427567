// The analytic half of the privacy/robustness trade-off (bench/tradeoff.ts): for n DOs in groups of g,
// how many malicious DOs each rule tolerates — in the worst case (every attacker in a different group) and
// under the protocol's random assignment (Monte Carlo) — and the contamination expected at a given fraction.
import { RULE_NAMES, type RuleName } from "./simAggregate";
import { contaminationMonteCarlo, expectedContaminated, groupSizes, largestWithProbability, probabilityWithin, toleratedGroups } from "./simGroups";
import { round } from "./simReport";

/** One (n, g) row of the analytic table. */
export interface ToleranceRow {
  n: number;
  g: number;
  groups: number;
  groupSizes: { min: number; max: number };
  /** Malicious DOs tolerated when each contaminates a distinct group (= contaminated groups tolerated); null: rule cannot run. */
  worstCase: Record<RuleName, number | null>;
  /** Largest k with P(contaminated groups ≤ tolerated) ≥ level over random assignments, first k roster indices malicious. */
  randomAssignment: Record<RuleName, number | null>;
  atFraction: { fraction: number; malicious: number; expectedContaminated: number; probabilityCleanMajority: number; probabilityWithinTrim: number };
}

/** The definitions behind the table's columns, for the result file. */
export const TOLERANCE_DEFINITIONS = {
  worstCase:
    "every attacker in a different group, so k attackers contaminate k groups: mean 0 (one group moves it arbitrarily), median and " +
    "geomedian ⌊(m−1)/2⌋ (fewer than half the group means), trimmed mean b = ⌊m·trimBps/10000⌋, Multi-Krum its f = ⌊(m−3)/2⌋ " +
    "(needs m > 2f + 2; null for m ≤ 2, where it cannot run)",
  randomAssignment:
    "the largest k such that, over Monte Carlo trials of src/protocol assignGroups with per-trial randomness and DOs 0 … k−1 " +
    "malicious, the contaminated groups stay within the rule's worst-case tolerance with probability ≥ level",
  probabilityCleanMajority: "P(contaminated groups ≤ ⌊(m−1)/2⌋), i.e. the median's honest majority of group means, at the fraction",
  probabilityWithinTrim: "P(contaminated groups ≤ b), the trimmed mean's tolerance, at the fraction",
};

/** The analytic table for every n × g, with `trials` Monte Carlo assignments per cell. */
export function toleranceTable(
  ns: readonly number[],
  gs: readonly number[],
  opts: { trimBps: number; fraction: number; level: number; trials: number; seed: number },
): ToleranceRow[] {
  const rows: ToleranceRow[] = [];
  for (const n of ns) {
    for (const g of gs) {
      const m = Math.floor(n / g);
      const sizes = groupSizes(n, g);
      const mc = contaminationMonteCarlo(n, g, opts.trials, opts.seed);
      const worstCase = {} as Record<RuleName, number | null>;
      const randomAssignment = {} as Record<RuleName, number | null>;
      for (const rule of RULE_NAMES) {
        const t = toleratedGroups(rule, m, opts.trimBps);
        worstCase[rule] = t;
        randomAssignment[rule] = t === null ? null : largestWithProbability(probabilityWithin(mc, t), opts.level);
      }
      const k = Math.round(opts.fraction * n);
      rows.push({
        n,
        g,
        groups: m,
        groupSizes: { min: Math.min(...sizes), max: Math.max(...sizes) },
        worstCase,
        randomAssignment,
        atFraction: {
          fraction: opts.fraction,
          malicious: k,
          expectedContaminated: round(expectedContaminated(n, g, k), 3),
          probabilityCleanMajority: round(probabilityWithin(mc, toleratedGroups("median", m, 0) ?? 0)[k], 4),
          probabilityWithinTrim: round(probabilityWithin(mc, toleratedGroups("trimmed-mean", m, opts.trimBps) ?? 0)[k], 4),
        },
      });
    }
  }
  return rows;
}
