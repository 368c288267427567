// The fuzz's inputs: fast-check arbitraries for the steps of a call sequence (job drafts, member actions with
// their named faults, releases, time jumps) and the seeded generators for a step's content.
import fc from "fast-check";

// Actors: 0 the deployer (an outsider), 1–2 model owners, 3–17 data owners, 18–19 outsiders.
export const ACTORS = 20;
export const DATA_OWNERS = Array.from({ length: 15 }, (_, k) => 3 + k);

/** A job to create, in small units: its sizes, money, windows (seconds above the contract's floor for the
 * job's size) and rule, and how the creation may be flawed. */
export interface Draft {
  erc20: boolean;
  numDOs: number; // 9–13: at least 3 groups, the fewest the median resists one bad group with
  groupExtra: number; // group size 3 (0–1) or 4 (2–3), at most numDOs / 3
  rounds: number;
  paramCount: number;
  wide: number; // 7 (with WIDE): vectors of two chunks (paramCount more than one chunk's lanes), else one
  reward: number; // gwei per member and round
  stake: number; // gwei
  fee: number; // aggregation fee: fee − 1000 gwei when positive, else none
  joinDuration: number;
  commitExtra: number;
  submitExtra: number;
  revealExtra: number;
  aggregateExtra: number;
  rule: number;
  trimBps: number; // mapped into the range the rule and the group count admit
  outlierFactorBps: number;
  minProjectionBps: number;
  flaw: number; // 0–15 valid, 16–23 an invalid parameter, 24 a wrong payment
  owner: number;
}

/**
 * The ways a call misbehaves, by action. A drawn fault number (0 honest, 1–8) names the entry at its index;
 * a number past the end of an action's list is an honest call. An honest dispute names a group peer whose
 * commitment for the pair differs, with a valid proof of the pair's shared point.
 */
export const FAULTS = {
  publish: ["honest", "skipsAWord", "partialWord", "pastTheLastWord", "noWords"],
  join: ["honest", "keyOffTheCurve", "wrongPayment"],
  commit: ["honest", "wrongRound", "extraCommitment", "garbledCommitment", "otherJobsCommitments", "nextRoundsCommitments"],
  submit: ["honest", "wrongRound", "skipsAChunk", "lastWordMissing", "extraWord", "strayByte", "randomVector", "lastVectorAgain", "throughAContract"],
  dispute: ["honest", "wrongRound", "garbageProof", "selfAsPeer", "otherGroupsPeer", "agreeingPeer"],
  reveal: ["honest", "wrongRound", "wrongSeed", "peerMissing", "extraSeed", "otherRoundsSeeds", "peersNotAscending"],
  aggregate: ["honest", "wrongRound", "skipsAChunk", "lastWordMissing", "flippedByte", "slicesSwapped"],
  finalize: ["honest", "wrongRound", "noCertificate"],
  cancel: ["honest"],
} as const;
export type Act = keyof typeof FAULTS;
export type FaultOf<A extends Act> = (typeof FAULTS)[A][number];
/** Fault numbers 1 … FAULT_NUMBERS name a fault (or an honest call past the end of a list). */
export const FAULT_NUMBERS = 8;

/** The fault that drawn number `n` (0–8) names for action `kind`. */
export function faultOf<A extends Act>(kind: A, n: number): FaultOf<A> {
  const faults: readonly FaultOf<A>[] = FAULTS[kind];
  return faults[n] ?? "honest";
}

/** One step of a sequence. */
export type Step =
  | { kind: "progress"; job: number; seed: number }
  | { kind: "create"; draft: Draft }
  | { [A in Act]: { kind: A; job: number; who: number; fault: FaultOf<A>; seed: number } }[Act]
  | { kind: "release"; who: number; caller: number; erc20: boolean }
  | { kind: "time"; job: number; mode: number; delta: number };

/**
 * Whether drafts may ask for vectors of two chunks (one in eight), so that the aggregation deadline can pass
 * mid-aggregation: FUZZ_LONG=1 or FUZZ_WIDE=1. Off in the default run, where a full chunk (the contract
 * sizes one to about 10M gas) takes the in-process node several seconds to aggregate.
 */
export const WIDE = process.env.FUZZ_LONG === "1" || process.env.FUZZ_WIDE === "1";

/** The range of each integer field of a draft, in the order both draft generators draw them: sizes, money,
 * windows, rule. */
// prettier-ignore
const RANGES = {
  numDOs: [9, 13], groupExtra: [0, 3], rounds: [1, 4], paramCount: [8, 64], wide: [0, 7],
  reward: [1, 1000], stake: [1, 1000], fee: [0, 2000],
  joinDuration: [300, 3000], commitExtra: [0, 900], submitExtra: [0, 900], revealExtra: [0, 900], aggregateExtra: [0, 900],
  rule: [0, 2], trimBps: [0, 4999],
} as const;
const OUTLIER_FACTORS = [10000, 40000, 1_000_000];

/** `draw` applied to every range, field by field in the table's order. */
function eachRange<T>(draw: (min: number, max: number) => T): { [K in keyof typeof RANGES]: T } {
  return Object.fromEntries(Object.entries(RANGES).map(([name, [min, max]]) => [name, draw(min, max)])) as { [K in keyof typeof RANGES]: T };
}

const draftArb: fc.Arbitrary<Draft> = fc.record({
  erc20: fc.boolean(),
  ...eachRange((min, max) => fc.integer({ min, max })),
  outlierFactorBps: fc.constantFrom(...OUTLIER_FACTORS),
  minProjectionBps: fc.constantFrom(0, 0, 5000),
  flaw: fc.integer({ min: 0, max: 24 }),
  owner: fc.integer({ min: 0, max: 19 }),
});

/** A random call of `kind`: its job, sender and content picks, and its fault (honest 60 times in 100). */
function act<A extends Act>(kind: A): fc.Arbitrary<Step> {
  return fc
    .record({ kind: fc.constant(kind), job: fc.nat(63), who: fc.nat(99), variant: fc.nat(99), seed: fc.nat() })
    .map(({ variant, ...call }) => ({ ...call, fault: faultOf(kind, variant < 60 ? 0 : 1 + ((variant - 60) % FAULT_NUMBERS)) }) as Step);
}

/** Any step, mostly the next honest action of a live job. */
export const stepArb = fc.oneof(
  { weight: 60, arbitrary: fc.record({ kind: fc.constant("progress" as const), job: fc.nat(63), seed: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("create" as const), draft: draftArb }) },
  { weight: 3, arbitrary: act("publish") },
  { weight: 4, arbitrary: act("join") },
  { weight: 7, arbitrary: act("commit") },
  { weight: 7, arbitrary: act("submit") },
  { weight: 2, arbitrary: act("dispute") },
  { weight: 5, arbitrary: act("reveal") },
  { weight: 4, arbitrary: act("aggregate") },
  { weight: 4, arbitrary: act("finalize") },
  { weight: 2, arbitrary: act("cancel") },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("release" as const), who: fc.nat(99), caller: fc.nat(ACTORS - 1), erc20: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("time" as const), job: fc.nat(63), mode: fc.nat(2), delta: fc.integer({ min: 1, max: 30 }) }) },
) as fc.Arbitrary<Step>;

/** A small deterministic generator for the content of one step (updates, garbage, choices). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A valid draft for a progress step that needs a new job, drawn from `seed`. */
export function draftFrom(seed: number): Draft {
  const r = rng(seed);
  const pick = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  return {
    erc20: r() < 0.5,
    ...eachRange(pick),
    outlierFactorBps: OUTLIER_FACTORS[pick(0, 2)],
    minProjectionBps: [0, 5000][pick(0, 1)],
    flaw: 0,
    owner: pick(0, 11),
  };
}

/** An update near a common direction (so honest groups agree), as uint32 lanes. */
export function honestUpdate(d: number, round: number, seed: number): Uint32Array {
  const r = rng(seed);
  const v = new Uint32Array(d);
  for (let e = 0; e < d; e++) v[e] = ((((e * 37 + round * 11) % 17) - 8) * 50 + Math.floor(r() * 201) - 100) >>> 0;
  return v;
}

/** `length` random bytes drawn from `seed`. */
export function randomBytes(length: number, seed: number): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length }, () => Math.floor(r() * 256));
}
