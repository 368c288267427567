// The job's shape and the shortest phase windows the contract admits for it, exactly as
// contracts/libraries/ChunkSizing.sol and Windows.sol compute them (docs/PROTOCOL.md "Phase windows"), and
// the fewest eligible groups a rule needs (RoundState.minEligibleGroups). Tools use these to refuse a job
// before sending it and to choose windows; test/protocol/sharedValues.test.ts checks the constants.
import { BPS, MIN_KRUM_GROUPS, MIN_MEDIAN_GROUPS } from "./constants";

/** ChunkSizing.sol: the gas model of one aggregation transaction. */
export const CHUNK_SIZING = {
  BUDGET: 15_000_000,
  FLOOR_PER_WORD_COPY: 1280,
  CALLDATA_PER_WORD_COPY: 512,
  SUM_PER_WORD_COPY: 200,
  MASK_PER_PAIR_WORD: 400,
  GROUP_PER_WORD: 1800,
  RULE_PER_VALUE: 1000,
  RULE_PER_LANE: 1000,
  WORD_FIXED: 3000,
  CHUNK_FIXED: 250_000,
  PER_MEMBER: 10_000,
  PER_PAIR: 3_000,
  PER_GROUP: 75_000,
  GRAM_PER_PAIR_WORD: 1000,
  GRAM_SLOT: 25_000,
} as const;

/** Windows.sol: the block interval, gas bounds and limits behind the window floors. */
export const WINDOWS = {
  BLOCK_SECONDS: 12,
  MIN_WINDOW_BLOCKS: 3,
  TX_GAS_CAP: 16_777_216,
  MAX_CHUNKS: 8192,
  PUBLISH_PER_WORD: 1_300,
  JOIN_PER_MEMBER: 500_000,
  COMMIT_PER_MEMBER: 100_000,
  COMMIT_PER_PEER: 50_000,
  SUBMIT_PER_MEMBER: 100_000,
  SUBMIT_PER_WORD: 1_300,
  SUBMIT_PER_CHUNK: 25_000,
  DISPUTE_PER_PEER: 1_500_000,
  REVEAL_PER_MEMBER: 100_000,
  REVEAL_PER_PEER: 50_000,
} as const;

/** The largest group a round can have: min(n, 2g − 1). */
export function maxGroupSize(n: number, g: number): number {
  return Math.min(n, 2 * g - 1);
}

/** A job's rule by name, as the chunk size and the group count need it. */
export type RuleName = "median" | "trimmed-mean" | "geomedian" | "multi-krum";

/** Whether the rule works on whole vectors from the chunks' Gram matrix (geometric median, Multi-Krum), not per lane (ChunkSizing.usesGram). */
export function usesGram(rule: RuleName): boolean {
  return rule === "geomedian" || rule === "multi-krum";
}

/** Words per chunk for n DOs in groups of g under `rule` (0: no chunk fits a transaction, the job is refused). */
export function chunkWordsFor(n: number, g: number, rule: RuleName = "median"): number {
  const c = CHUNK_SIZING;
  const groups = Math.floor(n / g);
  const pairs = Math.floor((n * maxGroupSize(n, g)) / 4);
  // The Gram rules rule no lane: each word adds the Gram products of every pair of group means.
  const gramPairs = usesGram(rule) ? (groups * (groups + 1)) / 2 : 0;
  const ruling = usesGram(rule) ? gramPairs * c.GRAM_PER_PAIR_WORD : 8 * (groups * c.RULE_PER_VALUE + c.RULE_PER_LANE);
  const exec = n * c.SUM_PER_WORD_COPY + pairs * c.MASK_PER_PAIR_WORD + groups * c.GROUP_PER_WORD + ruling + c.WORD_FIXED;
  const perWord = Math.max(n * c.CALLDATA_PER_WORD_COPY + exec, n * c.FLOOR_PER_WORD_COPY);
  const fixedGas = c.CHUNK_FIXED + n * c.PER_MEMBER + pairs * c.PER_PAIR + groups * c.PER_GROUP + gramPairs * c.GRAM_SLOT;
  return Math.max(0, Math.floor((c.BUDGET - fixedGas) / perWord));
}

/** What the contract derives from a job's size. */
export interface JobShape {
  words: number;
  chunkWords: number;
  chunks: number;
  maxGroup: number;
}

/** Words, chunk size, chunks per round and the largest group for n DOs, groups of g and d parameters. */
export function jobShape(n: number, g: number, paramCount: number, rule: RuleName = "median"): JobShape {
  const words = Math.ceil(paramCount / 8);
  const chunkWords = chunkWordsFor(n, g, rule);
  return { words, chunkWords, chunks: chunkWords === 0 ? Infinity : Math.ceil(words / chunkWords), maxGroup: maxGroupSize(n, g) };
}

/** Seconds for MIN_WINDOW_BLOCKS blocks plus one block per TX_GAS_CAP of `gas`. */
function floorFor(gas: number): number {
  return WINDOWS.BLOCK_SECONDS * (WINDOWS.MIN_WINDOW_BLOCKS + Math.ceil(gas / WINDOWS.TX_GAS_CAP));
}

/** The shortest window of each phase, in seconds, that the contract accepts for this job. */
export interface WindowFloors {
  join: number;
  commit: number;
  submit: number;
  reveal: number;
  aggregate: number;
}

/** Window floors for n DOs, groups of g, d parameters and the rule (docs/PROTOCOL.md "Phase windows"). */
export function windowFloors(n: number, g: number, paramCount: number, rule: RuleName = "median"): WindowFloors {
  const w = WINDOWS;
  const { words, chunks, maxGroup } = jobShape(n, g, paramCount, rule);
  const peers = maxGroup - 1;
  return {
    join: floorFor(words * w.PUBLISH_PER_WORD + n * w.JOIN_PER_MEMBER),
    commit: floorFor(n * (w.COMMIT_PER_MEMBER + peers * w.COMMIT_PER_PEER)),
    submit: floorFor(n * (w.SUBMIT_PER_MEMBER + words * w.SUBMIT_PER_WORD + chunks * w.SUBMIT_PER_CHUNK + peers * w.DISPUTE_PER_PEER)),
    reveal: floorFor(n * (w.REVEAL_PER_MEMBER + peers * w.REVEAL_PER_PEER)),
    aggregate: w.BLOCK_SECONDS * (w.MIN_WINDOW_BLOCKS + chunks + 1),
  };
}

/** Fewest eligible groups with which a rule resists one bad group: 3 for the median and the geometric median; for a trimmed mean, enough that one mean is trimmed from each end. */
export function minEligibleGroups(rule: RuleName, trimBps: number): number {
  if (rule === "multi-krum") return MIN_KRUM_GROUPS;
  if (rule !== "trimmed-mean" || trimBps === 0) return MIN_MEDIAN_GROUPS;
  return Math.max(MIN_MEDIAN_GROUPS, Math.ceil(BPS / trimBps));
}
