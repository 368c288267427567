// Krum: pick the update whose n − f − 2 nearest neighbours are closest (sum of squared distances).
// Paper: Blanchard, El Mhamdi, Guerraoui, Stainer, "Machine Learning with Adversaries: Byzantine
// Tolerant Gradient Descent", NeurIPS 2017. Requires n > 2f + 2.
import type { AggregateOptions, Aggregator, Updates } from "./types";
import { intOption, requireCount, toRows } from "./validate";
import { squaredDistance } from "./vectorMath";

/** Krum scores: for each update, the sum of squared distances to its n − f − 2 nearest others. */
export function krumScores(rows: readonly Float64Array[], f: number): Float64Array {
  const n = rows.length;
  const dist = rows.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) dist[i][j] = dist[j][i] = squaredDistance(rows[i], rows[j]);
  }
  const neighbours = n - f - 2;
  return Float64Array.from(rows, (_, i) => {
    const others = dist[i].filter((_, j) => j !== i).sort();
    let score = 0;
    for (let k = 0; k < neighbours; k++) score += others[k];
    return score;
  });
}

/** Validates f for Krum-type rules (n > 2f + 2) and returns the rows and f. */
export function krumInput(rule: string, updates: Updates, opts: AggregateOptions): { rows: Float64Array[]; f: number } {
  const rows = toRows(updates);
  const f = intOption("f", opts.f, 0, 0);
  requireCount(rule, rows.length, rows.length > 2 * f + 2, `n > 2f + 2 = ${2 * f + 2}`);
  return { rows, f };
}

/** Indices of updates ordered by ascending Krum score (ties by index). */
export function krumRanking(rows: readonly Float64Array[], f: number): number[] {
  const scores = krumScores(rows, f);
  return rows.map((_, i) => i).sort((a, b) => scores[a] - scores[b] || a - b);
}

/** The Krum choice: a copy of the update with the lowest score (`opts.f`, default 0). */
export function krum(updates: Updates, opts: AggregateOptions = {}): Float64Array {
  const { rows, f } = krumInput("krum", updates, opts);
  return Float64Array.from(rows[krumRanking(rows, f)[0]]);
}

/** Krum behind the Aggregator interface. */
export const krumAggregator: Aggregator = { name: "krum", aggregate: krum };
