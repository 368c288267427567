// Multi-Krum: average the m updates with the lowest Krum scores (m = 1 is Krum, m = n is the mean).
// Paper: Blanchard, El Mhamdi, Guerraoui, Stainer, "Machine Learning with Adversaries: Byzantine
// Tolerant Gradient Descent", NeurIPS 2017. Requires n > 2f + 2; default m = n − f.
import { krumInput, krumRanking } from "./krum";
import type { AggregateOptions, Aggregator, Updates } from "./types";
import { intOption } from "./validate";
import { average } from "./vectorMath";

/** The mean of the `opts.m` best-scored updates (`opts.f` default 0, `opts.m` default n − f). */
export function multiKrum(updates: Updates, opts: AggregateOptions = {}): Float64Array {
  const { rows, f } = krumInput("multi-krum", updates, opts);
  const m = intOption("m", opts.m, rows.length - f, 1, rows.length);
  return average(
    krumRanking(rows, f)
      .slice(0, m)
      .map((i) => rows[i]),
  );
}

/** Multi-Krum behind the Aggregator interface. */
export const multiKrumAggregator: Aggregator = { name: "multi-krum", aggregate: multiKrum };
