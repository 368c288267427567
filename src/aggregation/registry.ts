// Every float aggregation rule, by the name used in configuration and on the command line.
import { UnknownRuleError } from "../errors";
import { centeredClippingAggregator } from "./centeredClipping";
import { geometricMedianAggregator } from "./geometricMedian";
import { krumAggregator } from "./krum";
import { meanAggregator } from "./mean";
import { medianAggregator } from "./median";
import { multiKrumAggregator } from "./multiKrum";
import { normClippingAggregator } from "./normClipping";
import { trimmedMeanAggregator } from "./trimmedMean";
import type { Aggregator } from "./types";
import { weightedMeanAggregator } from "./weightedMean";

/** The registered rules, keyed by name. */
export const aggregators: Readonly<Record<string, Aggregator>> = Object.freeze(
  Object.fromEntries(
    [
      meanAggregator,
      weightedMeanAggregator,
      medianAggregator,
      trimmedMeanAggregator,
      geometricMedianAggregator,
      krumAggregator,
      multiKrumAggregator,
      normClippingAggregator,
      centeredClippingAggregator,
    ].map((a) => [a.name, a]),
  ),
);

/** The rule registered under `name`, or UnknownRuleError listing the known names. */
export function getAggregator(name: string): Aggregator {
  const aggregator = Object.prototype.hasOwnProperty.call(aggregators, name) ? aggregators[name] : undefined;
  if (aggregator === undefined) throw new UnknownRuleError("rule", name, Object.keys(aggregators));
  return aggregator;
}
