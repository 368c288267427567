// The in-process market the ML benchmarks run: a model owner (MO) and n data owners (DOs) for R rounds,
// with the product's code at every step and no chain. Each round: the protocol's group assignment
// (simGroups.ts), local training with the worker's recipe (simParties.ts), attacks from src/attacks
// (omniscient: an attacker sees every honest update of the round), quantization with src/protocol
// `quantize`, the contract's aggregation and inlier test (simAggregate.ts), the chain's model update
// (lane-wise addition mod 2^32), and the MO's fine-tuning and evaluation.
// DOs 0 … k−1 are the malicious ones, as in the demo; the assignment decides which groups they land in.
// A round-0 cache lets many jobs that start from the same model reuse the DOs' first round of training.
import { getAttack, type AttackEntry } from "../../src/attacks";
import { InvalidInputError } from "../../src/errors";
import { l2Norm } from "../../src/aggregation";
import { quantize, type QuantizationParameters } from "../../src/protocol/quantize";
import { seededRng } from "../../src/protocol/rng";
import { emptyRecord, recordRound, settleHeld, type MemberRecord } from "../../src/protocol/blame";
import { DEFAULT_MIN_PROJECTION_BPS, DEFAULT_OUTLIER_FACTOR_BPS, MIN_GROUP_SUBMITTERS, chunkWordsFor, minEligibleGroups, normSlack } from "../../src/protocol";
import { DEMO_RECIPE } from "../../src/owner/recipe";
import type { Dataset, ModelConfig } from "../../src/ml";
import { aggregateRound, groupSums, type RuleName } from "./simAggregate";
import { roundGroups } from "./simGroups";
import { SimDataOwner, SimModelOwner, type WeightSnapshot } from "./simParties";
import { secondsSince } from "./simReport";

/** The attacks the benchmarks run ("none": every DO honest). */
export const ATTACK_NAMES = [
  "none",
  "sign-flip",
  "scaling",
  "gaussian",
  "alie",
  "ipm",
  "label-flip",
  "free-rider",
  "stale-free-rider",
  "bounded",
  "intermittent",
] as const;
/** An attack the benchmarks run. */
export type AttackName = (typeof ATTACK_NAMES)[number];

// Attacks whose update is computed from the attacker's own trained update; the others never train.
const TRAINING_ATTACKS = new Set<AttackName>(["sign-flip", "scaling", "label-flip", "intermittent"]);

/** The job's terms that the simulation uses. */
export interface MarketTerms {
  scaleBits: number;
  /** L2 clip bound C of an honest update (float). */
  clipNorm: number;
  trimBps: number;
  outlierFactorBps: bigint;
  minProjectionBps: bigint;
  /** Whether update attackers clip to C like honest DOs (the contract cannot check it; default: they do not). */
  attackersClip: boolean;
}

/**
 * The demo's job terms (scaleBits and clipNorm of DEMO_RECIPE.terms, the default inlier bounds of postJob and
 * roundAggregate), with trimBps 2000 for benchmarks that run the trimmed mean, and attackers that do not clip.
 */
export const DEMO_TERMS: MarketTerms = {
  scaleBits: DEMO_RECIPE.terms.scaleBits,
  clipNorm: DEMO_RECIPE.terms.clipNorm,
  trimBps: 2000,
  outlierFactorBps: DEFAULT_OUTLIER_FACTOR_BPS,
  minProjectionBps: DEFAULT_MIN_PROJECTION_BPS,
  attackersClip: false,
};

/** One simulated job. */
export interface JobSpec {
  rule: RuleName;
  groupSize: number;
  rounds: number;
  attack: AttackName;
  /** Number of malicious DOs (DOs 0 … malicious − 1). */
  malicious: number;
  /** Seeds the group assignment, the stochastic rounding and the attackers' noise. */
  seed: number;
}

/** What happened in one round (round k = after the k-th aggregation, chain round k − 1). */
export interface RoundRecord {
  round: number;
  accuracy: number;
  groups: number[][];
  maliciousPerGroup: number[];
  contaminatedGroups: number;
  /** Groups over the norm bound (left out of the rule, their pay held). */
  excluded: boolean[];
  /** Whether the round has an aggregate (a void round has none). */
  judged: boolean;
  inliers: boolean[];
  /** Attackers in inlier groups (member-rounds paid to attackers). */
  attackersPaid: number;
  /** Honest DOs in groups that were not inliers. */
  honestUnpaid: number;
  /** DOs convicted at this round's finalization (ejected from later rounds). */
  convicted: number[];
  projections: number[];
  distanceRatios: number[];
  honestNorms: { min: number; max: number; clipped: number };
  /** Updates that came out of training non-finite (sent as zeros). */
  nonFiniteUpdates: number;
  /** DOs whose first-round training was reused from the round-0 cache. */
  reusedTraining: number;
  /** Per DO: seconds of local training this round (0 when reused or not trained). */
  doSeconds: number[];
  trainSeconds: number;
  aggregateSeconds: number;
  finetuneSeconds: number;
  evalSeconds: number;
}

/** One job's outcome. */
export interface JobResult {
  spec: JobSpec;
  /** accuracy[0] is the MO's start, accuracy[k] the accuracy after round k. */
  accuracy: number[];
  finalAccuracy: number;
  attackersPaid: number;
  honestUnpaid: number;
  /** After settlement (held pay released to the members the record clears): member-rounds paid and convictions. */
  settled: SettledPay;
  rounds: RoundRecord[];
  seconds: number;
}

/** Pay after settlement, in member-rounds (a round's reward is the same for everyone). */
export interface SettledPay {
  /** Member-rounds paid to attackers: clean rounds plus released held rounds. */
  attackersPaid: number;
  /** Honest member-rounds of the job (honest DOs × rounds) not paid, held pay released counting as paid. */
  honestUnpaid: number;
  /** Attackers and honest DOs convicted. */
  convictedAttackers: number;
  convictedHonest: number;
}

/** How the DOs of a market are built. */
export interface MarketSetup {
  config: ModelConfig;
  own: Dataset;
  shards: Dataset[];
  test: Dataset;
  terms: MarketTerms;
}

function mix(seed: number, round: number, index: number): number {
  return (Math.imul(seed, 0x9e3779b1) ^ Math.imul(round + 1, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
}

function finiteOrZero(x: Float64Array): { update: Float64Array; finite: boolean } {
  return x.every(Number.isFinite) ? { update: x, finite: true } : { update: new Float64Array(x.length), finite: false };
}

// Pay after settlement from the records: DOs 0 … malicious − 1 are the attackers.
function settledPay(records: readonly MemberRecord[], slashed: ReadonlySet<number>, malicious: number, rounds: number): SettledPay {
  const held = settleHeld(records, 1n, slashed).released;
  const paid = records.map((r, i) => r.clean + Number(held[i]));
  const honest = records.length - malicious;
  const total = (from: number, to: number) => paid.slice(from, to).reduce((a, b) => a + b, 0);
  const convicted = [...slashed];
  return {
    attackersPaid: total(0, malicious),
    honestUnpaid: honest * rounds - total(malicious, records.length),
    convictedAttackers: convicted.filter((i) => i < malicious).length,
    convictedHonest: convicted.filter((i) => i >= malicious).length,
  };
}

/** An MO and its DOs, reusable for many jobs that start from the MO's pretrained model. */
export class SimMarket {
  private readonly cache = new Map<string, { update: Float64Array; head: WeightSnapshot }>();

  private constructor(
    readonly owner: SimModelOwner,
    readonly dataOwners: SimDataOwner[],
    readonly terms: MarketTerms,
  ) {}

  /** Pretrains the MO and builds one DO per shard with worker seed index + 1 (as the demo starts them). */
  static async create(setup: MarketSetup): Promise<SimMarket> {
    const owner = await SimModelOwner.pretrain(setup.config, setup.own, setup.test, setup.terms.scaleBits);
    const dataOwners = setup.shards.map((shard, i) => new SimDataOwner(i, shard, i + 1, setup.config));
    return new SimMarket(owner, dataOwners, setup.terms);
  }

  /** Trains round 0 once for every DO (and with flipped labels for DOs 0 … flippers − 1) and keeps the result. */
  async cacheFirstRound(flippers: number, say: (line: string) => void = () => {}): Promise<number> {
    const start = performance.now();
    for (const d of this.dataOwners) {
      for (const flip of d.index < flippers ? [false, true] : [false]) {
        d.restoreHead();
        const update = await d.train(this.owner.initialModel, this.terms.scaleBits, 0, flip);
        this.cache.set(`${d.index}:${flip}`, { update, head: d.headState() });
      }
    }
    const seconds = secondsSince(start);
    say(`round 0 trained once for ${this.cache.size} DO variants in ${seconds} s`);
    return seconds;
  }

  /** Runs one job from the pretrained model and returns its per-round record. */
  async runJob(spec: JobSpec, say: (line: string) => void = () => {}): Promise<JobResult> {
    const started = performance.now();
    const n = this.dataOwners.length;
    const k = spec.malicious;
    if (!Number.isInteger(k) || k < 0 || k >= n) throw new InvalidInputError("malicious", `must be an integer in [0, ${n}), got ${k}`);
    if ((k === 0) !== (spec.attack === "none")) throw new InvalidInputError("attack", `"none" goes with 0 malicious DOs, got ${spec.attack} with ${k}`);
    if (spec.groupSize < MIN_GROUP_SUBMITTERS) throw new InvalidInputError("groupSize", `must be at least ${MIN_GROUP_SUBMITTERS}, got ${spec.groupSize}`);
    const attack: AttackEntry | undefined = spec.attack === "none" ? undefined : getAttack(spec.attack);
    this.owner.reset();
    this.dataOwners.forEach((d) => d.restoreHead());
    const model = this.owner.initialModel.slice();
    const accuracy = [this.owner.initialAccuracy];
    const rounds: RoundRecord[] = [];
    const records = this.dataOwners.map(() => emptyRecord());
    const slashed = new Set<number>();
    const last = { aggregate: undefined as Float64Array | undefined };
    for (let r = 0; r < spec.rounds; r++) {
      const record = await this.round(spec, attack, r, model, { records, slashed, last });
      rounds.push(record);
      accuracy.push(record.accuracy);
      say(
        `${spec.rule} ${spec.attack} k=${k} round ${r + 1}: accuracy ${(record.accuracy * 100).toFixed(2)}%, ` +
          `contaminated ${record.contaminatedGroups}/${record.groups.length}, inliers ${record.inliers.map(Number).join("")}, ` +
          `train ${record.trainSeconds} s, MO ${(record.finetuneSeconds + record.evalSeconds).toFixed(2)} s`,
      );
    }
    const sum = (f: (x: RoundRecord) => number): number => rounds.reduce((a, x) => a + f(x), 0);
    return {
      spec,
      accuracy,
      finalAccuracy: accuracy[accuracy.length - 1],
      attackersPaid: sum((x) => x.attackersPaid),
      honestUnpaid: sum((x) => x.honestUnpaid),
      settled: settledPay(records, slashed, k, spec.rounds),
      rounds,
      seconds: secondsSince(started),
    };
  }

  // One round: train, attack, quantize, aggregate, update the chain's model in place, MO fine-tune and evaluate.
  private async round(
    spec: JobSpec,
    attack: AttackEntry | undefined,
    r: number,
    model: Uint32Array,
    job: { records: MemberRecord[]; slashed: Set<number>; last: { aggregate: Float64Array | undefined } },
  ): Promise<RoundRecord> {
    const { records, slashed } = job;
    const n = this.dataOwners.length;
    const t = this.terms;
    const isMalicious = (i: number): boolean => i < spec.malicious;
    const active = Array.from({ length: n }, (_, i) => i).filter((i) => !slashed.has(i));
    const groups = roundGroups(spec.seed, r, active, spec.groupSize);
    const own: (Float64Array | undefined)[] = new Array(n);
    const doSeconds = new Array<number>(n).fill(0);
    let reusedTraining = 0;
    let nonFiniteUpdates = 0;
    for (const d of this.dataOwners) {
      if (slashed.has(d.index) || (isMalicious(d.index) && !TRAINING_ATTACKS.has(spec.attack))) continue;
      const flip = isMalicious(d.index) && spec.attack === "label-flip";
      const cached = r === 0 ? this.cache.get(`${d.index}:${flip}`) : undefined;
      if (cached) {
        d.restoreHead(cached.head);
        own[d.index] = cached.update;
        reusedTraining++;
        continue;
      }
      const start = performance.now();
      const trained = finiteOrZero(await d.train(model, t.scaleBits, r, flip));
      doSeconds[d.index] = secondsSince(start);
      own[d.index] = trained.update;
      if (!trained.finite) nonFiniteUpdates++;
    }
    const honestIdx = active.filter((i) => !isMalicious(i));
    const honest = honestIdx.map((i) => own[i]!);
    const honestParams: QuantizationParameters = { scaleBits: t.scaleBits, clipNormQ: Math.round(t.clipNorm * 2 ** t.scaleBits) };
    // The widest bound quantize accepts: C = (2^31 − 2) / 2^s, i.e. no clipping of anything an attack sends.
    const attackerParams: QuantizationParameters = t.attackersClip ? honestParams : { scaleBits: t.scaleBits, clipNormQ: 2 ** 31 - 2 };
    const d0 = model.length;
    // What an omniscient attacker knows of its group: its honest members' clipped updates and its co-attackers.
    const clipped = (u: Float64Array) => {
      const norm = l2Norm(u);
      return norm > t.clipNorm ? Float64Array.from(u, (x) => (x * t.clipNorm) / norm) : u;
    };
    const groupOf = (i: number) => groups.find((g) => g.includes(i))!;
    const q = this.dataOwners.map((d) => {
      if (slashed.has(d.index)) return new Uint32Array(d0); // ejected: never in a group
      const rng = seededRng(mix(spec.seed, r, d.index));
      if (!isMalicious(d.index) || attack?.kind !== "update") return quantize(own[d.index]!, honestParams, rng);
      const members = groupOf(d.index);
      const sent = attack.apply(
        {
          own: own[d.index] ?? new Float64Array(d0),
          honest,
          n,
          f: spec.malicious,
          rng,
          round: r,
          group: members.filter((i) => !isMalicious(i)).map((i) => clipped(own[i]!)),
          groupAttackers: members.filter(isMalicious).length,
          groupBound: members.length * t.clipNorm,
          groupSize: members.length,
          lastAggregate: job.last.aggregate,
        },
        {},
      );
      return quantize(sent, attackerParams, rng);
    });
    const start = performance.now();
    const outcome = aggregateRound(spec.rule, groupSums(groups, q), {
      scaleBits: t.scaleBits,
      trimBps: t.trimBps,
      outlierFactorBps: t.outlierFactorBps,
      minProjectionBps: t.minProjectionBps,
      bound: {
        normSlack: normSlack(honestParams.clipNormQ, d0),
        chunkLanes: 8 * chunkWordsFor(n, spec.groupSize, spec.rule === "geomedian" || spec.rule === "multi-krum" ? spec.rule : "median"),
        minGroups: spec.rule === "mean" ? minEligibleGroups("median", 0) : minEligibleGroups(spec.rule, t.trimBps),
      },
    });
    for (let e = 0; e < model.length; e++) model[e] = (model[e] + outcome.aggregate[e]) >>> 0;
    job.last.aggregate = Float64Array.from(
      new Int32Array(outcome.aggregate.buffer, outcome.aggregate.byteOffset, outcome.aggregate.length),
      (x) => x / 2 ** t.scaleBits,
    );
    const { convicted } = recordRound(
      records,
      {
        groups,
        submitted: new Set(active),
        eligible: groups.map(() => true),
        excluded: outcome.excluded,
        inliers: outcome.inliers,
        judged: outcome.judged,
        active: active.length,
      },
      n,
      slashed,
    );
    const aggregateSeconds = secondsSince(start);
    const mo = await this.owner.applyRound(model, t.scaleBits);
    const maliciousPerGroup = groups.map((g) => g.filter(isMalicious).length);
    const norms = honest.map((u) => l2Norm(u));
    return {
      round: r + 1,
      accuracy: mo.accuracy,
      groups,
      maliciousPerGroup,
      contaminatedGroups: maliciousPerGroup.filter((c) => c > 0).length,
      excluded: outcome.excluded,
      judged: outcome.judged,
      inliers: outcome.inliers,
      attackersPaid: maliciousPerGroup.reduce((a, c, g) => a + (outcome.inliers[g] ? c : 0), 0),
      honestUnpaid: groups.reduce((a, g, k) => a + (outcome.inliers[k] ? 0 : g.length - maliciousPerGroup[k]), 0),
      convicted,
      projections: outcome.projections,
      distanceRatios: outcome.distanceRatios,
      honestNorms: {
        min: Math.round(Math.min(...norms) * 1000) / 1000,
        max: Math.round(Math.max(...norms) * 1000) / 1000,
        clipped: norms.filter((x) => x > t.clipNorm).length,
      },
      nonFiniteUpdates,
      reusedTraining,
      doSeconds,
      trainSeconds: Math.round(doSeconds.reduce((a, b) => a + b, 0) * 100) / 100,
      aggregateSeconds,
      finetuneSeconds: mo.finetuneSeconds,
      evalSeconds: mo.evalSeconds,
    };
  }

  /** Frees the backend memory of every model. */
  dispose(): void {
    this.owner.dispose();
    this.dataOwners.forEach((d) => d.dispose());
  }
}
