// Fuzz: fast-check drives the market with random sequences of calls by random actors (model owners, data
// owners, outsiders) across several concurrent ETH and ERC-20 jobs — valid and invalid commitments,
// submissions, reveals and aggregation data, out-of-phase calls, cancels, releases and time jumps — and
// after every step checks the chain against the reference model in marketModel.ts:
//   - money: the market's ETH and token balances equal, to the wei, what flowed in minus what was
//     released, and equal the escrow of the books plus every releasable credit;
//   - credits: every Credited event is the one the model predicts, no account is credited twice for a
//     round (nor a stake or a settlement twice), and releasable() equals the model's credits;
//   - phases: phase(jobId) equals the model's phase at the block time and only moves along legal
//     transitions; every call's outcome — success, or the exact custom error with its arguments — is the
//     one the model predicts, so every out-of-phase call reverts with MarketUnexpectedPhase;
//   - views: round bitmaps, deadlines, groups, active pairs, chunk counts and commitments match the model,
//     and every aggregate chunk and round result matches the TypeScript computation in src/protocol.
// The default run is deterministic (a fixed seed; FUZZ_SEED overrides it); FUZZ_LONG=1 or FUZZ_STEPS=N run
// more steps, FUZZ_SHRINK=1 shrinks a failing sequence, FUZZ_PATH replays one failing run (with its seed),
// FUZZ_VERBOSE=1 counts the reverts by error.
import { AssertionError, expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { MaxUint256, ZeroHash, concat, getBytes, id, type ContractTransaction, type TransactionReceipt, type Overrides } from "ethers";
import { deployMarket } from "../../src/chain/deployMarket";
import type { OmniMarket } from "../../typechain-types";
import {
  assignGroups,
  chunkBytes,
  ecdhSharedX,
  extendHashChain,
  hashChainOfChunks,
  maskVector,
  packWords,
  pairSeed,
  roundAggregate,
  seedCommitment,
  unpackWords,
  type RoundContext,
} from "../../src/protocol";
import { ETH, Phase, jobParams, keyPair, modelOf, type Params } from "./helpers";
import {
  OK,
  aggregationSlices,
  deadlines,
  eligibleGroups,
  escrowOf,
  expectRoundCall,
  expectSubmitBody,
  expectedSlashes,
  fails,
  groupOf,
  legalTransition,
  newRound,
  phaseAt,
  requiredReveals,
  sealed,
  targets,
  type Expectation,
  type JobModel,
} from "./marketModel";

const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : 20251122;
const TOTAL_STEPS = Number(process.env.FUZZ_STEPS ?? (process.env.FUZZ_LONG === "1" ? 100_000 : 5_000));
const STEPS_PER_RUN = 250;
const RUNS = Math.max(1, Math.ceil(TOTAL_STEPS / STEPS_PER_RUN));
const SHRINK = process.env.FUZZ_SHRINK === "1";
const GAS = 16_000_000;
const MAX_FEE = 100n * 10n ** 9n;
const GWEI = 10n ** 9n;
// Actors: 0 the deployer (an outsider), 1–2 model owners, 3–12 data owners, 13–14 outsiders.
const ACTORS = 15;
const DATA_OWNERS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const MAX_JOBS = 10;

// ------------------------------------------------------------------------------------------ steps

type Draft = {
  erc20: boolean;
  numDOs: number;
  groupExtra: number;
  rounds: number;
  paramCount: number;
  reward: number;
  stake: number;
  joinDuration: number;
  commitDuration: number;
  submitDuration: number;
  revealDuration: number;
  rule: number;
  trimBps: number;
  outlierFactorBps: number;
  minProjectionBps: number;
  flaw: number; // 0–13 valid, 14–18 an invalid parameter, 19 a wrong payment
  owner: number;
};
type Act = "publish" | "join" | "commit" | "submit" | "reveal" | "aggregate" | "finalize" | "cancel";
type Step =
  | { kind: "progress"; job: number; seed: number }
  | { kind: "create"; draft: Draft }
  | { kind: Act; job: number; who: number; variant: number; seed: number }
  | { kind: "release"; who: number; caller: number; erc20: boolean }
  | { kind: "time"; job: number; mode: number; delta: number };

const draftArb: fc.Arbitrary<Draft> = fc.record({
  erc20: fc.boolean(),
  numDOs: fc.integer({ min: 3, max: 6 }),
  groupExtra: fc.integer({ min: 0, max: 1 }),
  rounds: fc.integer({ min: 1, max: 3 }),
  paramCount: fc.integer({ min: 8, max: 64 }),
  reward: fc.integer({ min: 1, max: 1000 }),
  stake: fc.integer({ min: 1, max: 1000 }),
  joinDuration: fc.integer({ min: 300, max: 3000 }),
  commitDuration: fc.integer({ min: 60, max: 600 }),
  submitDuration: fc.integer({ min: 60, max: 600 }),
  revealDuration: fc.integer({ min: 60, max: 600 }),
  rule: fc.integer({ min: 0, max: 1 }),
  trimBps: fc.integer({ min: 0, max: 4999 }),
  outlierFactorBps: fc.constantFrom(10000, 40000, 1_000_000),
  minProjectionBps: fc.constantFrom(0, 0, 5000),
  flaw: fc.integer({ min: 0, max: 19 }),
  owner: fc.integer({ min: 0, max: 19 }),
});

function act(kind: Act): fc.Arbitrary<Step> {
  return fc.record({ kind: fc.constant(kind), job: fc.nat(63), who: fc.nat(99), variant: fc.nat(99), seed: fc.nat() });
}

const stepArb = fc.oneof(
  { weight: 60, arbitrary: fc.record({ kind: fc.constant("progress" as const), job: fc.nat(63), seed: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("create" as const), draft: draftArb }) },
  { weight: 3, arbitrary: act("publish") },
  { weight: 4, arbitrary: act("join") },
  { weight: 7, arbitrary: act("commit") },
  { weight: 7, arbitrary: act("submit") },
  { weight: 5, arbitrary: act("reveal") },
  { weight: 4, arbitrary: act("aggregate") },
  { weight: 4, arbitrary: act("finalize") },
  { weight: 2, arbitrary: act("cancel") },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("release" as const), who: fc.nat(99), caller: fc.nat(ACTORS - 1), erc20: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("time" as const), job: fc.nat(63), mode: fc.nat(2), delta: fc.integer({ min: 1, max: 30 }) }) },
) as fc.Arbitrary<Step>;

/** Fails unless `actual` and `expected` print the same (chai's matchers cost milliseconds per call here,
 * where the fuzz makes tens of thousands of comparisons). */
function same(actual: unknown, expected: unknown, what: string): void {
  const show = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}` : x instanceof Uint8Array ? ethers.hexlify(x) : x));
  const [a, e] = [show(actual), show(expected)];
  if (a !== e) throw new AssertionError(`${what}: expected ${e}, got ${a}`);
}

/** A small deterministic generator for the content of one step (updates, garbage, choices). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A draft for a progress step that needs a new job. */
function draftFrom(seed: number): Draft {
  const r = rng(seed);
  const pick = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  return {
    erc20: r() < 0.5,
    numDOs: pick(3, 6),
    groupExtra: pick(0, 1),
    rounds: pick(1, 3),
    paramCount: pick(8, 64),
    reward: pick(1, 1000),
    stake: pick(1, 1000),
    joinDuration: pick(300, 3000),
    commitDuration: pick(60, 600),
    submitDuration: pick(60, 600),
    revealDuration: pick(60, 600),
    rule: pick(0, 1),
    trimBps: pick(0, 4999),
    outlierFactorBps: [10000, 40000, 1_000_000][pick(0, 2)],
    minProjectionBps: [0, 5000][pick(0, 1)],
    flaw: 0,
    owner: pick(0, 11),
  };
}

/** An update near a common direction (so honest groups agree), as uint32 lanes. */
function honestUpdate(d: number, round: number, seed: number): Uint32Array {
  const r = rng(seed);
  const v = new Uint32Array(d);
  for (let e = 0; e < d; e++) v[e] = ((((e * 37 + round * 11) % 17) - 8) * 50 + Math.floor(r() * 201) - 100) >>> 0;
  return v;
}

function randomBytes(length: number, seed: number): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length }, () => Math.floor(r() * 256));
}

function bitsOf(indices: Iterable<number>): bigint {
  let bits = 0n;
  for (const i of indices) bits |= 1n << BigInt(i);
  return bits;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, k) => x === b[k]);
}

// ------------------------------------------------------------------------------------------ fixture

async function fuzzFixture() {
  const signers = (await ethers.getSigners()).slice(0, ACTORS);
  const { market, address } = await deployMarket(signers[0]);
  const token = await ethers.deployContract("MockERC20");
  const probe = await ethers.deployContract("MarketProbe");
  const tokenAddress = await token.getAddress();
  for (const s of signers) {
    await token.mint(s.address, 10n ** 24n);
    await token.connect(s).approve(address, MaxUint256);
  }
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return { market, address, token, tokenAddress, probe, signers, addresses: signers.map((s) => s.address), chainId };
}
type Fixture = Awaited<ReturnType<typeof fuzzFixture>>;

interface Stats {
  steps: number;
  txs: number;
  succeeded: number;
  reverts: Map<string, number>;
  outOfPhase: number;
  roundsFinalized: number;
  completed: number;
  cancelled: number;
  released: number;
  contradictions: number;
  slashes: number;
  maxConcurrentJobs: number;
}

const sharedX = new Map<string, bigint>();

// ------------------------------------------------------------------------------------------ harness

/** Runs one sequence of steps against the market and the model, checking both after every step. */
class Harness {
  now = 0;
  jobs: JobModel[] = [];
  credits = new Map<string, bigint>(); // `${asset}:${account}`
  held = new Map<string, bigint>(); // per asset: paid in minus released
  creditKeys = new Set<string>();
  lastVectors = new Map<string, Uint8Array>(); // `${jobId}:${member}` → last full submission
  seen = new Map<bigint, { round: number; phase: bigint }>();
  nonces: number[] = [];
  changed = false; // a transaction of this step succeeded
  deep: number[] = []; // roster indices whose commitment views the next check compares
  touched = new Set<string>(); // accounts credited or paid by this step
  settled = new Set<bigint>(); // jobs read back settled (immutable from then on)
  trace: string[] = [];

  constructor(
    readonly f: Fixture,
    readonly stats: Stats,
  ) {
    this.held.set(ETH, 0n);
    this.held.set(f.tokenAddress, 0n);
  }

  async start() {
    this.now = (await time.latest()) + 1;
    // Explicit nonces, fees and gas keep every transaction to one request, mined even when it reverts.
    this.nonces = await Promise.all(this.f.addresses.map((a) => ethers.provider.getTransactionCount(a)));
  }

  // ---------------------------------------------------------------- plumbing

  /** A job for a random action: mostly one in the phase the action needs, else any live one, else any, and
   * now and then one that does not exist. */
  private jobRef(n: number, kind: Act): { job?: JobModel; jobId: bigint } {
    const wanted = {
      publish: Phase.Publishing,
      join: Phase.Joining,
      commit: Phase.Commit,
      submit: Phase.Submit,
      reveal: Phase.Reveal,
      aggregate: Phase.Aggregate,
      finalize: Phase.Aggregate,
      cancel: Phase.Cancelled,
    }[kind];
    const live = this.jobs.filter((j) => !j.closed);
    const ready = live.filter((j) => phaseAt(j, this.now) === wanted);
    const pool = n < 40 && ready.length > 0 ? ready : n < 54 && live.length > 0 ? live : this.jobs;
    if (pool.length === 0 || n === 63) return { jobId: BigInt(this.jobs.length + 1) };
    const job = pool[n % pool.length];
    return { job, jobId: job.id };
  }

  /** The sender of a random member action: mostly a member that can act now, else any member or actor. */
  private member(job: JobModel | undefined, who: number, kind: Act): number {
    const rd = job?.round;
    if (job && rd && who < 50) {
      const can =
        kind === "commit"
          ? rd.members.filter((i) => !rd.commitments.has(i))
          : kind === "submit"
            ? [...rd.commitments.keys()].filter((i) => !rd.submitted.has(i))
            : [...rd.submitted].filter((i) => !rd.revealed.has(i) && targets(rd, i).length > 0);
      if (can.length > 0) return job.roster[can[who % can.length]];
    }
    if (job && job.roster.length > 0 && who < 85) return job.roster[who % job.roster.length];
    return who % ACTORS;
  }

  private indexOf(job: JobModel | undefined, actor: number): number | undefined {
    const i = job ? job.roster.indexOf(actor) : -1;
    return i < 0 ? undefined : i;
  }

  private ctx(job: JobModel, round: number, over: Partial<RoundContext> = {}): RoundContext {
    return { chainId: this.f.chainId, market: this.f.address, jobId: job.id, round: BigInt(round), ...over };
  }

  private async seed(job: JobModel, round: number, i: number, j: number, over: Partial<RoundContext> = {}): Promise<string> {
    const [lo, hi] = i < j ? [i, j] : [j, i];
    const [a, b] = [job.roster[lo], job.roster[hi]];
    const key = `${a}:${b}`;
    let x = sharedX.get(key);
    if (x === undefined) {
      x = await ecdhSharedX((await keyPair(100 + a)).secretKey, (await keyPair(100 + b)).publicKey);
      sharedX.set(key, x);
    }
    return pairSeed(x, this.ctx(job, round, over), lo, hi);
  }

  private peersOf(job: JobModel, i: number): number[] {
    return groupOf(job.round!, i)!.filter((j) => j !== i);
  }

  private async send(
    label: string,
    sender: number,
    expected: Expectation,
    build: (market: OmniMarket, o: Overrides) => Promise<ContractTransaction>,
  ): Promise<{ receipt: TransactionReceipt; at: number } | null> {
    const signer = this.f.signers[sender];
    const at = this.now;
    await network.provider.send("evm_setNextBlockTimestamp", [at]);
    this.stats.txs++;
    const wanted = "error" in expected ? `${expected.error}(${expected.args.map(String).join(", ")})` : "success";
    this.trace.push(`t=${at} ${label} → ${wanted}`);
    if ("error" in expected) {
      // A call that must revert runs as an eth_call on the pending block (same timestamp, same state): it
      // would change nothing if mined, and not mining it keeps the fuzz fast.
      let outcome = "success";
      try {
        const tx = await build(this.f.market, {});
        await ethers.provider.call({ ...tx, from: signer.address, gasLimit: GAS, blockTag: "pending" });
      } catch (e) {
        outcome = this.revertOf(e);
      }
      if (outcome !== wanted) throw new AssertionError(`${label}: expected ${wanted}, got ${outcome}`);
      this.stats.reverts.set(expected.error, (this.stats.reverts.get(expected.error) ?? 0) + 1);
      if (expected.error === "MarketUnexpectedPhase") this.stats.outOfPhase++;
      return null;
    }
    let receipt: TransactionReceipt;
    try {
      const overrides: Overrides = { gasLimit: GAS, nonce: this.nonces[sender], maxFeePerGas: MAX_FEE, maxPriorityFeePerGas: 1n };
      receipt = (await (await signer.sendTransaction(await build(this.f.market, overrides))).wait())!;
    } catch (e) {
      throw new AssertionError(`${label}: expected success, got ${this.revertOf(e)}`);
    }
    this.nonces[sender]++;
    this.now++;
    this.stats.succeeded++;
    this.changed = true;
    return { receipt, at };
  }

  /** The custom error of a reverted transaction as "Name(arg, …)", decoded from its revert data directly
   * (the fuzz checks thousands of them; revertedWithCustomError costs several milliseconds each). */
  private revertOf(e: unknown): string {
    const err = e as { data?: unknown; error?: { data?: unknown }; message?: string };
    const data = err.data ?? err.error?.data;
    const hex = typeof data === "string" ? data : (data as { data?: string } | undefined)?.data;
    if (typeof hex !== "string") return `a failure without revert data: ${err.message}`;
    const parsed = this.f.market.interface.parseError(hex);
    return parsed ? `${parsed.name}(${[...parsed.args].map(String).join(", ")})` : `unknown revert data ${hex}`;
  }

  private events(receipt: TransactionReceipt, name: string) {
    return receipt.logs
      .filter((l) => l.address === this.f.address)
      .map((l) => this.f.market.interface.parseLog(l))
      .filter((e) => e?.name === name)
      .map((e) => e!.args);
  }

  private credit(asset: string, account: string, amount: bigint) {
    const key = `${asset}:${account}`;
    this.credits.set(key, (this.credits.get(key) ?? 0n) + amount);
  }

  /** Checks the Credited events of a receipt against the expected list and books them once each. */
  private expectCredits(receipt: TransactionReceipt, job: JobModel, round: number, expected: [string, bigint, bigint][]) {
    const asset = job.p.token;
    const got = this.events(receipt, "Credited").map((a) => [a.jobId, a.token, a.account, a.kind, a.amount]);
    same(got, expected.map(([account, kind, amount]) => [job.id, asset, account, kind, amount]), "Credited events");
    for (const [account, kind, amount] of expected) {
      const key = kind === 0n ? `reward:${job.id}:${round}:${account}` : kind === 1n ? `owner:${job.id}` : `stake:${job.id}:${account}`;
      same(this.creditKeys.has(key), false, `credited twice: ${key}`);
      this.creditKeys.add(key);
      this.credit(asset, account, amount);
      this.touched.add(account);
    }
  }

  // ---------------------------------------------------------------- steps

  async step(s: Step) {
    this.stats.steps++;
    let acted: JobModel | undefined;
    switch (s.kind) {
      case "progress":
        acted = await this.progress(s.job, s.seed);
        break;
      case "create":
        await this.create(s.draft);
        break;
      case "release":
        await this.releaseStep(s.who, s.erc20, s.caller);
        break;
      case "time":
        await this.timeJump(s.job, s.mode, s.delta);
        break;
      default: {
        const { job, jobId } = this.jobRef(s.job, s.kind);
        acted = job;
        const variant = s.variant < 60 ? 0 : 1 + ((s.variant - 60) % 7);
        const caller = s.who % ACTORS;
        if (s.kind === "publish") {
          const sender = job ? [job.owner, job.owner, job.owner === 1 ? 2 : 1, DATA_OWNERS[s.who % 10]][s.who % 4] : caller;
          await this.publish(job, jobId, sender, variant, s.seed);
        } else if (s.kind === "join") {
          await this.join(job, jobId, s.who < 80 ? DATA_OWNERS[s.who % 10] : caller, variant);
        } else if (s.kind === "commit") {
          await this.commit(job, jobId, this.member(job, s.who, "commit"), variant, s.seed);
        } else if (s.kind === "submit") {
          await this.submit(job, jobId, this.member(job, s.who, "submit"), variant, s.seed);
        } else if (s.kind === "reveal") {
          await this.reveal(job, jobId, this.member(job, s.who, "reveal"), variant, s.seed);
        } else if (s.kind === "aggregate") {
          await this.aggregate(job, jobId, caller, variant, s.seed);
        } else if (s.kind === "finalize") {
          await this.finalize(job, jobId, caller, variant);
        } else {
          await this.cancel(job, jobId, caller);
        }
      }
    }
    await this.check(acted);
  }

  /** A release: mostly of an account that has a credit, sometimes of one that has none. */
  private async releaseStep(who: number, erc20: boolean, caller: number) {
    const owed = [...this.credits].filter(([, v]) => v > 0n).map(([k]) => k.split(":"));
    if (who < 60 && owed.length > 0) {
      const [asset, account] = owed[who % owed.length];
      return this.release(account, asset !== ETH, caller);
    }
    return this.release(who < 90 ? this.f.addresses[who % ACTORS] : await this.f.probe.getAddress(), erc20, caller);
  }

  /** The next honest action of a live job, by a member chosen from `seed`; creates a job when few are live. */
  private async progress(n: number, seed: number): Promise<JobModel | undefined> {
    const live = this.jobs.filter((j) => !j.closed);
    if (live.length < 2 && this.jobs.length < MAX_JOBS) {
      await this.create(draftFrom(seed));
      return undefined;
    }
    if (live.length === 0) {
      await this.timeJump(0, 0, 1);
      return undefined;
    }
    const r = rng(seed);
    if (r() < 0.12 && [...this.credits.values()].some((v) => v > 0n)) {
      await this.releaseStep(Math.floor(r() * 60), false, Math.floor(r() * ACTORS));
      return undefined;
    }
    const job = live[n % live.length];
    const rd = job.round;
    const offset = Math.floor(r() * 64);
    // Mostly honest; now and then the member due to act misbehaves in one of the ways a random step can.
    const v = r() < 0.15 ? 1 + Math.floor(r() * 7) : 0;
    const rotate = (xs: number[]) => xs.map((_, k) => xs[(k + offset) % xs.length]);
    const ph = phaseAt(job, this.now);
    // Now and then the members still due let the deadline pass: non-committers, dropouts, silent revealers.
    // A dropout is likeliest once a group of 4 or more has 3 submitters, so its seeds must be revealed.
    const revealDue = rd !== null && rd.groups.some((g) => g.length > 3 && g.filter((i) => rd.submitted.has(i)).length >= 3);
    const skip = { [`${Phase.Commit}`]: 0.02, [`${Phase.Submit}`]: revealDue ? 0.3 : 0.03, [`${Phase.Reveal}`]: 0.1 }[`${ph}`];
    if (skip !== undefined && r() < skip) {
      await this.timeJump(live.indexOf(job), 1, 3);
      return job;
    }
    switch (ph) {
      case Phase.Publishing:
        await this.publish(job, job.id, job.owner, 0, seed, job.W - job.wordsPosted);
        return job;
      case Phase.Joining: {
        const free = rotate(DATA_OWNERS).find((a) => !job.roster.includes(a));
        if (free === undefined) break;
        await this.join(job, job.id, free, 0);
        return job;
      }
      case Phase.Commit: {
        const i = rotate(rd!.members).find((m) => !rd!.commitments.has(m))!;
        await this.commit(job, job.id, job.roster[i], v, seed);
        return job;
      }
      case Phase.Submit: {
        const i = rotate([...rd!.commitments.keys()]).find((m) => !rd!.submitted.has(m) && (rd!.active.get(m)?.size ?? 0) >= 2);
        if (i === undefined) break;
        await this.submit(job, job.id, job.roster[i], v, seed);
        return job;
      }
      case Phase.Reveal: {
        const i = rotate([...rd!.submitted]).find((m) => !rd!.revealed.has(m) && targets(rd!, m).length > 0)!;
        await this.reveal(job, job.id, job.roster[i], v, seed);
        return job;
      }
      case Phase.Aggregate:
        if (eligibleGroups(rd!).length > 0 && rd!.chunksAggregated < job.K) await this.aggregate(job, job.id, offset % ACTORS, v, seed);
        else await this.finalize(job, job.id, offset % ACTORS, 0);
        return job;
      case Phase.Cancelled:
        await this.cancel(job, job.id, offset % ACTORS);
        return job;
    }
    // Nobody left to act in this phase: let its deadline pass.
    await this.timeJump(live.indexOf(job), 1, 3);
    return job;
  }

  private async create(d: Draft) {
    const owner = d.owner < 12 ? 1 + (d.owner % 2) : d.owner % ACTORS;
    const n = d.numDOs;
    let p: Params = jobParams({
      token: d.erc20 ? this.f.tokenAddress : ETH,
      numDOs: n,
      groupSize: Math.min(n, 3 + d.groupExtra),
      rounds: d.rounds,
      paramCount: d.paramCount,
      rewardPerRound: BigInt(d.reward) * GWEI,
      stake: BigInt(d.stake) * GWEI,
      joinDuration: d.joinDuration,
      commitDuration: d.commitDuration,
      submitDuration: d.submitDuration,
      revealDuration: d.revealDuration,
      rule: d.rule,
      trimBps: d.trimBps,
      outlierFactorBps: d.outlierFactorBps,
      minProjectionBps: d.minProjectionBps,
    });
    const budget = BigInt(n * d.rounds) * p.rewardPerRound;
    let value = d.erc20 ? 0n : budget;
    let expected: Expectation = OK;
    if (d.flaw >= 14 && d.flaw < 19) {
      const eoa = this.f.addresses[13];
      const bad: [keyof Params, unknown, bigint][] = [
        ["groupSize", n + 1, BigInt(n + 1)],
        ["rounds", 0, 0n],
        ["stake", 0n, 0n],
        ["trimBps", 5000, 5000n],
        ["commitDuration", 0, 0n],
        ["token", eoa, BigInt(eoa)],
      ];
      const [name, v, reported] = bad[d.flaw - 14 + (n % 2)];
      p = { ...p, [name]: v } as Params;
      expected = fails("MarketInvalidParameter", name, reported);
    } else if (d.flaw === 19) {
      value = d.erc20 ? 1n : budget + 1n;
      expected = fails("MarketWrongValue", d.erc20 ? 0n : budget, value);
    }
    const label = `createJob by ${owner} n=${n} g=${p.groupSize} R=${p.rounds} d=${p.paramCount} ${d.erc20 ? "ERC-20" : "ETH"}`;
    const sent = await this.send(label, owner, expected, (m, o) =>
      m.createJob.populateTransaction(p, { value, ...o }));
    if (!sent) return;
    const id = BigInt(this.jobs.length + 1);
    const [created] = this.events(sent.receipt, "JobCreated");
    same([created.jobId, created.owner, created.token, created.budget], [id, this.f.addresses[owner], p.token, budget], "JobCreated");
    const W = Math.ceil(p.paramCount / 8);
    const C = Number(created.chunkWords);
    this.jobs.push({
      id,
      p,
      owner,
      createdAt: sent.at,
      W,
      C,
      K: Math.ceil(W / C),
      model: packWords(modelOf(p.paramCount)),
      modelHash: ZeroHash,
      wordsPosted: 0,
      roster: [],
      closed: false,
      slashed: new Set(),
      books: { budget, stakes: 0n, paid: 0n, refunded: 0n, slashed: 0n, stakesReturned: 0n },
      round: null,
    });
    this.held.set(p.token, this.held.get(p.token)! + budget);
    this.stats.maxConcurrentJobs = Math.max(this.stats.maxConcurrentJobs, this.jobs.filter((j) => !j.closed).length);
  }

  private async publish(job: JobModel | undefined, jobId: bigint, sender: number, variant: number, seed: number, count?: number) {
    const address = this.f.addresses[sender];
    let first = job?.wordsPosted ?? 0;
    const remaining = job ? job.W - job.wordsPosted : 1;
    let words = count ?? 1 + (seed % Math.max(1, remaining));
    if (variant === 1) first += 1;
    if (variant === 3) words = remaining + 1;
    const source = job ? getBytes(concat([job.model, new Uint8Array(64)])) : new Uint8Array(64);
    let bytes: Uint8Array = source.subarray(first * 32, (first + words) * 32);
    if (variant === 2) bytes = bytes.subarray(0, 31);
    if (variant === 4) bytes = new Uint8Array(0);
    let expected: Expectation;
    const n = Math.floor(bytes.length / 32);
    if (!job) expected = fails("MarketUnknownJob", jobId);
    else if (sender !== job.owner) expected = fails("MarketNotOwner", jobId, address);
    else if (phaseAt(job, this.now) !== Phase.Publishing) expected = fails("MarketUnexpectedPhase", jobId, phaseAt(job, this.now), Phase.Publishing);
    else if (first !== job.wordsPosted) expected = fails("MarketUnexpectedWord", jobId, job.wordsPosted, first);
    else if (n === 0 || bytes.length % 32 !== 0 || first + n > job.W) expected = fails("MarketInvalidWordsLength", jobId, bytes.length);
    else expected = OK;
    const sent = await this.send(`publishModel job ${jobId} by ${sender} words [${first}, +${bytes.length / 32})`, sender, expected, (m, o) =>
      m.publishModel.populateTransaction(jobId, first, bytes, o),
    );
    if (!sent || !job) return;
    job.modelHash = extendHashChain(job.modelHash, bytes);
    job.wordsPosted += n;
    const [published] = this.events(sent.receipt, "ModelPublished");
    same(published.modelHash, job.modelHash, "model hash chain");
  }

  private async join(job: JobModel | undefined, jobId: bigint, actor: number, variant: number) {
    const address = this.f.addresses[actor];
    const key = variant === 1 ? ([1n, 2n] as const) : (await keyPair(100 + actor)).publicKey;
    const eth = !job || job.p.token === ETH;
    const stake = job?.p.stake ?? 0n;
    const value = variant === 2 ? (eth ? stake + 1n : 1n) : eth ? stake : 0n;
    let expected: Expectation;
    if (!job) expected = fails("MarketUnknownJob", jobId);
    else if (phaseAt(job, this.now) !== Phase.Joining) expected = fails("MarketUnexpectedPhase", jobId, phaseAt(job, this.now), Phase.Joining);
    else if (job.roster.includes(actor)) expected = fails("MarketAlreadyJoined", jobId, address);
    else if (variant === 1) expected = fails("MarketInvalidKey", key[0], key[1]);
    else if (variant === 2) expected = fails("MarketWrongValue", eth ? stake : 0n, value);
    else expected = OK;
    const sent = await this.send(`join job ${jobId} by ${actor}`, actor, expected, (m, o) =>
      m.join.populateTransaction(jobId, key[0], key[1], { value, ...o }),
    );
    if (!sent || !job) return;
    const [joined] = this.events(sent.receipt, "Joined");
    same([joined.account, joined.index], [address, BigInt(job.roster.length)], "Joined");
    job.roster.push(actor);
    job.books.stakes += stake;
    this.held.set(job.p.token, this.held.get(job.p.token)! + stake);
    if (sealed(job)) this.openRound(job, 0, sent);
  }

  private openRound(job: JobModel, round: number, sent: { receipt: TransactionReceipt; at: number }) {
    const members = Array.from({ length: job.p.numDOs }, (_, i) => i).filter((i) => !job.slashed.has(i));
    const [opened] = this.events(sent.receipt, "RoundOpened");
    same([opened.jobId, opened.round, opened.members], [job.id, BigInt(round), bitsOf(members)], "RoundOpened");
    job.round = newRound(round, sent.at, opened.randomness, members, assignGroups(opened.randomness, members, job.p.groupSize));
    // A new round must show no commitment yet, whatever the slots held in the last one.
    this.deep = Array.from({ length: job.p.numDOs }, (_, i) => i);
  }

  private async commit(job: JobModel | undefined, jobId: bigint, actor: number, variant: number, seed: number) {
    const rd = job?.round;
    const i = this.indexOf(job, actor);
    const round = (rd?.index ?? 0) + (variant === 1 ? 1 : 0);
    let expected = expectRoundCall(job, jobId, this.now, Phase.Commit, round, this.f.addresses[actor], i);
    let commitments: string[] = [];
    if (!expected) {
      const peers = this.peersOf(job!, i!);
      // Replays: commitments computed for another job (4) or another round (5); they open nothing here.
      const over: Partial<RoundContext> = variant === 4 ? { jobId: jobId + 1n } : variant === 5 ? { round: BigInt(round + 1) } : {};
      for (const j of peers) {
        const [lo, hi] = i! < j ? [i!, j] : [j, i!];
        const ctx = this.ctx(job!, round, over);
        commitments.push(seedCommitment(ctx, lo, hi, await this.seed(job!, round, i!, j, over)));
      }
      if (variant === 2) commitments.push(ZeroHash);
      if (variant === 3) commitments[seed % commitments.length] = id(`garbage ${seed}`);
      if (rd!.commitments.has(i!)) expected = fails("MarketAlreadyCommitted", jobId, round, i);
      else if (commitments.length !== peers.length) expected = fails("MarketWrongCommitmentCount", jobId, peers.length, commitments.length);
      else expected = OK;
    }
    const sent = await this.send(`commitSeeds job ${jobId} r${round} by ${actor} (${i}) v${variant}`, actor, expected, (m, o) =>
      m.commitSeeds.populateTransaction(jobId, round, commitments, o),
    );
    if (!sent) return;
    const peers = this.peersOf(job!, i!);
    rd!.commitments.set(i!, commitments);
    const active = new Set<number>();
    for (const [slot, j] of peers.entries()) {
      const theirs = rd!.commitments.get(j);
      if (theirs && theirs[this.peersOf(job!, j).indexOf(i!)] === commitments[slot]) {
        active.add(j);
        rd!.active.get(j)!.add(i!);
      }
    }
    rd!.active.set(i!, active);
    this.deep = [i!];
    if (rd!.commitments.size === rd!.members.length) rd!.commitEndedAt = sent.at;
    const [ev] = this.events(sent.receipt, "SeedsCommitted");
    same([ev.member, [...ev.commitments]], [BigInt(i!), commitments], "SeedsCommitted");
  }

  private async maskedOf(job: JobModel, i: number, seed: number): Promise<Uint8Array> {
    const rd = job.round!;
    const peers = [];
    for (const j of rd.active.get(i) ?? []) peers.push({ index: j, seed: await this.seed(job, rd.index, i, j) });
    return packWords(await maskVector(honestUpdate(job.p.paramCount, rd.index, seed), i, peers));
  }

  private async submit(job: JobModel | undefined, jobId: bigint, actor: number, variant: number, seed: number) {
    const rd = job?.round;
    const i = this.indexOf(job, actor);
    const round = (rd?.index ?? 0) + (variant === 1 ? 1 : 0);
    const done = i === undefined ? 0 : (rd?.chunks.get(i) ?? 0);
    const firstChunk = done + (variant === 2 ? 1 : 0);
    let bytes: Uint8Array = new Uint8Array(32);
    let expected = expectRoundCall(job, jobId, this.now, Phase.Submit, round, this.f.addresses[actor], i);
    if (!expected) {
      const full =
        variant === 6
          ? randomBytes(job!.W * 32, seed)
          : variant === 7 && this.lastVectors.has(`${jobId}:${i}`)
            ? this.lastVectors.get(`${jobId}:${i}`)!
            : rd!.commitments.has(i!) && (rd!.active.get(i!)?.size ?? 0) >= 2
              ? await this.maskedOf(job!, i!, seed)
              : new Uint8Array(job!.W * 32);
      bytes = full.subarray(Math.min(full.length, firstChunk * job!.C * 32));
      if (variant === 3) bytes = bytes.subarray(0, Math.max(0, bytes.length - 32));
      if (variant === 4) bytes = getBytes(concat([bytes, ZeroHash]));
      if (variant === 5) bytes = getBytes(concat([bytes, "0x01"]));
      expected = expectSubmitBody(job!, i!, round, firstChunk, bytes.length);
    }
    const sent = await this.send(`submitMasked job ${jobId} r${round} by ${actor} (${i}) from ${firstChunk} v${variant}`, actor, expected, (m, o) =>
      m.submitMasked.populateTransaction(jobId, round, firstChunk, bytes, o),
    );
    if (!sent) return;
    const chunks = Math.ceil(bytes.length / 32 / job!.C);
    const vector = rd!.vectors.get(i!) ?? new Uint8Array(job!.W * 32);
    vector.set(bytes, firstChunk * job!.C * 32);
    rd!.vectors.set(i!, vector);
    rd!.chunks.set(i!, firstChunk + chunks);
    if (firstChunk + chunks === job!.K) {
      rd!.submitted.add(i!);
      this.lastVectors.set(`${jobId}:${i}`, vector);
      if (rd!.submitted.size === rd!.commitments.size) rd!.submitEndedAt = sent.at;
    }
    const [ev] = this.events(sent.receipt, "MaskedChunksSubmitted");
    same([ev.member, ev.firstChunk, ev.chunkCount], [BigInt(i!), BigInt(firstChunk), BigInt(chunks)], "MaskedChunksSubmitted");
  }

  private async reveal(job: JobModel | undefined, jobId: bigint, actor: number, variant: number, seed: number) {
    const rd = job?.round;
    const i = this.indexOf(job, actor);
    const round = (rd?.index ?? 0) + (variant === 1 ? 1 : 0);
    let peers: number[] = [];
    let seeds: string[] = [];
    let expected = expectRoundCall(job, jobId, this.now, Phase.Reveal, round, this.f.addresses[actor], i);
    if (!expected) {
      const wanted = targets(rd!, i!);
      peers = [...wanted];
      // Seeds of another round (5) are a replay; they contradict this round's commitments.
      const over: Partial<RoundContext> = variant === 5 ? { round: BigInt(round === 0 ? 1 : round - 1) } : {};
      for (const j of peers) seeds.push(await this.seed(job!, rd!.index, i!, j, over));
      if (variant === 2 && seeds.length > 0) seeds[seed % seeds.length] = id(`lie ${seed}`);
      if (variant === 3) [peers, seeds] = [peers.slice(0, -1), seeds.slice(0, -1)];
      if (variant === 4) seeds.push(ZeroHash);
      if (variant === 6) [peers, seeds] = peers.length > 1 ? [[...peers].reverse(), [...seeds].reverse()] : [[...peers, ...peers], [...seeds, ...seeds]];
      const ascending = peers.every((p, k) => p <= 255 && (k === 0 || p > peers[k - 1]));
      const provided = ascending ? bitsOf(peers) : 0n;
      if (!rd!.submitted.has(i!)) expected = fails("MarketNotSubmitter", jobId, round, i);
      else if (rd!.revealed.has(i!)) expected = fails("MarketAlreadyRevealed", jobId, round, i);
      else if (wanted.length === 0) expected = fails("MarketNothingToReveal", jobId, rd!.index, i);
      else if (provided !== bitsOf(wanted) || seeds.length !== peers.length) expected = fails("MarketRevealMismatch", jobId, i, bitsOf(wanted), provided);
      else expected = OK;
    }
    const sent = await this.send(`revealSeeds job ${jobId} r${round} by ${actor} (${i}) peers [${peers}] v${variant}`, actor, expected, (m, o) =>
      m.revealSeeds.populateTransaction(jobId, round, peers, seeds, o),
    );
    if (!sent) return;
    rd!.revealed.add(i!);
    const contradicted: bigint[] = [];
    const mine = rd!.commitments.get(i!)!;
    const slots = this.peersOf(job!, i!);
    for (const [t, j] of peers.entries()) {
      const [lo, hi] = i! < j ? [i!, j] : [j, i!];
      if (seedCommitment(this.ctx(job!, rd!.index), lo, hi, seeds[t]) === mine[slots.indexOf(j)]) rd!.seeds.set(`${i}:${j}`, seeds[t]);
      else contradicted.push(BigInt(j));
    }
    if (contradicted.length > 0) {
      rd!.contradicted.add(i!);
      this.stats.contradictions++;
    }
    same(this.events(sent.receipt, "SeedContradicted").map((e) => e.peer), contradicted, "SeedContradicted");
  }

  private async aggregate(job: JobModel | undefined, jobId: bigint, caller: number, variant: number, seed: number) {
    const rd = job?.round;
    const round = (rd?.index ?? 0) + (variant === 1 ? 1 : 0);
    const k = (rd?.chunksAggregated ?? 0) + (variant === 2 ? 1 : 0);
    let data: Uint8Array = new Uint8Array(0);
    let expected: Expectation;
    const ph = job ? phaseAt(job, this.now) : 0n;
    if (!job) expected = fails("MarketUnknownJob", jobId);
    else if (ph !== Phase.Aggregate) expected = fails("MarketUnexpectedPhase", jobId, ph, Phase.Aggregate);
    else if (round !== rd!.index) expected = fails("MarketWrongRound", jobId, rd!.index, round);
    else if (eligibleGroups(rd!).length === 0) expected = fails("MarketNoEligibleGroup", jobId, round);
    else if (k !== rd!.chunksAggregated || k >= job.K) expected = fails("MarketUnexpectedChunk", jobId, rd!.chunksAggregated, k);
    else {
      const slices = aggregationSlices(rd!);
      const parts = slices.map((i) => chunkBytes(rd!.vectors.get(i)!, k, job.C));
      if (variant === 5 && parts.length > 1) [parts[0], parts[1]] = [parts[1], parts[0]];
      data = getBytes(concat(parts));
      if (variant === 3) data = data.subarray(0, data.length - 32);
      if (variant === 4) data[seed % data.length] ^= 1 + (seed % 255);
      const L = parts[0].length;
      const mismatch = slices.findIndex((i, s) => !sameBytes(data.subarray(s * L, (s + 1) * L), chunkBytes(rd!.vectors.get(i)!, k, job.C)));
      if (data.length !== slices.length * L) expected = fails("MarketInvalidDataLength", jobId, slices.length * L, data.length);
      else if (mismatch >= 0) expected = fails("MarketChunkHashMismatch", jobId, slices[mismatch], k);
      else expected = OK;
    }
    const sent = await this.send(`aggregateChunk job ${jobId} r${round} chunk ${k} by ${caller} v${variant}`, caller, expected, (m, o) =>
      m.aggregateChunk.populateTransaction(jobId, round, k, data, o),
    );
    if (!sent) return;
    const outcome = await this.outcomeOf(job!);
    const [ev] = this.events(sent.receipt, "AggregateChunkComputed");
    same(ev.words, ethers.hexlify(chunkBytes(packWords(outcome.aggregate), k, job!.C)), "aggregate chunk");
    rd!.chunksAggregated++;
  }

  /** The TypeScript aggregate of the round's eligible groups (computed once per round). */
  private async outcomeOf(job: JobModel) {
    const rd = job.round!;
    if (!rd.outcome) {
      const groups = eligibleGroups(rd).map((k) => {
        const subs = rd.groups[k].filter((i) => rd.submitted.has(i));
        return {
          masked: subs.map((i) => unpackWords(rd.vectors.get(i)!, job.W * 8)),
          reveals: subs.flatMap((i) => targets(rd, i).map((j) => ({ submitter: i, dropped: j, seed: rd.seeds.get(`${i}:${j}`)! }))),
        };
      });
      rd.outcome = await roundAggregate({
        groups,
        rule: job.p.rule === 0 ? { rule: "median" } : { rule: "trimmed-mean", trimBps: job.p.trimBps },
        outlierFactorBps: BigInt(job.p.outlierFactorBps),
        minProjectionBps: BigInt(job.p.minProjectionBps),
      });
    }
    return rd.outcome;
  }

  private async finalize(job: JobModel | undefined, jobId: bigint, caller: number, variant: number) {
    const rd = job?.round;
    const round = (rd?.index ?? 0) + (variant === 1 ? 1 : 0);
    const eligible = rd ? eligibleGroups(rd) : [];
    let expected: Expectation;
    const ph = job ? phaseAt(job, this.now) : 0n;
    if (!job) expected = fails("MarketUnknownJob", jobId);
    else if (ph !== Phase.Aggregate) expected = fails("MarketUnexpectedPhase", jobId, ph, Phase.Aggregate);
    else if (round !== rd!.index) expected = fails("MarketWrongRound", jobId, rd!.index, round);
    else if (eligible.length > 0 && rd!.chunksAggregated < job.K) expected = fails("MarketAggregationIncomplete", jobId, round, rd!.chunksAggregated, job.K);
    else expected = OK;
    const sent = await this.send(`finalizeRound job ${jobId} r${round} by ${caller}`, caller, expected, (m, o) =>
      m.finalizeRound.populateTransaction(jobId, round, o),
    );
    if (!sent) return;
    const j = job!;
    const r = rd!;
    const { p } = j;
    const account = (i: number) => this.f.addresses[j.roster[i]];
    // Round result: eligible groups, inliers, distances, dots and the aggregate hash from the TypeScript side.
    const outcome = eligible.length > 0 ? await this.outcomeOf(j) : null;
    const inliers = eligible.filter((_, q) => outcome!.inliers[q]);
    const [fin] = this.events(sent.receipt, "RoundFinalized");
    same([fin.aggregateHash, fin.eligibleGroups, fin.inlierGroups, [...fin.distances], [...fin.dots], fin.aggNorm], [
      outcome ? hashChainOfChunks(packWords(outcome.aggregate), j.C) : ZeroHash,
      bitsOf(eligible),
      bitsOf(inliers),
      outcome?.dists ?? [],
      outcome?.dots ?? [],
      outcome?.aggNorm ?? 0n,
    ], "RoundFinalized");
    const credits: [string, bigint, bigint][] = [];
    for (const k of inliers) {
      for (const i of r.groups[k].filter((m) => r.submitted.has(m))) {
        credits.push([account(i), 0n, p.rewardPerRound]);
        j.books.paid += p.rewardPerRound;
      }
    }
    const slashes = expectedSlashes(r);
    same(this.events(sent.receipt, "MemberSlashed").map((e) => [e.member, e.reason, e.amount]), slashes.map((s) => [BigInt(s.member), s.reason, p.stake]), "MemberSlashed");
    for (const s of slashes) {
      j.slashed.add(s.member);
      j.books.slashed += p.stake;
    }
    this.stats.slashes += slashes.length;
    this.stats.roundsFinalized++;
    const remaining = p.numDOs - j.slashed.size;
    if (eligible.length > 0 && r.index + 1 < p.rounds && remaining >= p.groupSize) {
      this.expectCredits(sent.receipt, j, r.index, credits);
      this.openRound(j, r.index + 1, sent);
    } else {
      j.books.refunded = j.books.budget - j.books.paid;
      const toOwner = j.books.refunded + j.books.slashed;
      if (toOwner !== 0n) credits.push([this.f.addresses[j.owner], 1n, toOwner]);
      for (let i = 0; i < p.numDOs; i++) if (!j.slashed.has(i)) credits.push([account(i), 2n, p.stake]);
      j.books.stakesReturned = BigInt(remaining) * p.stake;
      j.closed = true;
      this.expectCredits(sent.receipt, j, r.index, credits);
      const [done] = this.events(sent.receipt, "JobCompleted");
      same([done.paid, done.refunded, done.slashed, done.stakesReturned], [
        j.books.paid,
        j.books.refunded,
        j.books.slashed,
        j.books.stakesReturned,
      ], "JobCompleted");
      this.stats.completed++;
    }
  }

  private async cancel(job: JobModel | undefined, jobId: bigint, caller: number) {
    let expected: Expectation;
    const ph = job ? phaseAt(job, this.now) : 0n;
    if (!job) expected = fails("MarketUnknownJob", jobId);
    else if (ph !== Phase.Cancelled) expected = fails("MarketUnexpectedPhase", jobId, ph, Phase.Cancelled);
    else if (job.closed) expected = fails("MarketAlreadySettled", jobId);
    else expected = OK;
    const sent = await this.send(`cancel job ${jobId} by ${caller}`, caller, expected, (m, o) =>
      m.cancel.populateTransaction(jobId, o));
    if (!sent) return;
    const j = job!;
    j.closed = true;
    j.books.refunded = j.books.budget;
    j.books.stakesReturned = BigInt(j.roster.length) * j.p.stake;
    const credits: [string, bigint, bigint][] = [[this.f.addresses[j.owner], 1n, j.books.budget]];
    for (const a of j.roster) credits.push([this.f.addresses[a], 2n, j.p.stake]);
    this.expectCredits(sent.receipt, j, 0, credits);
    const [ev] = this.events(sent.receipt, "JobCancelled");
    same([ev.refunded, ev.stakesReturned], [j.books.refunded, j.books.stakesReturned], "JobCancelled");
    this.stats.cancelled++;
  }

  private async release(account: string, erc20: boolean, caller: number) {
    const asset = erc20 ? this.f.tokenAddress : ETH;
    const amount = this.credits.get(`${asset}:${account}`) ?? 0n;
    const expected = amount === 0n ? fails("MarketNothingToRelease", asset, account) : OK;
    const balance = () => (erc20 ? this.f.token.balanceOf(account) : ethers.provider.getBalance(account));
    const before = await balance();
    const sent = await this.send(`release ${erc20 ? "ERC-20" : "ETH"} to ${account} by ${caller}`, caller, expected, (m, o) =>
      m.release.populateTransaction(asset, account, o),
    );
    if (!sent) return;
    const [ev] = this.events(sent.receipt, "Released");
    same([ev.token, ev.account, ev.amount], [asset, account, amount], "Released");
    const fee = !erc20 && this.f.addresses[caller] === account ? sent.receipt.fee : 0n;
    same(await balance(), before + amount - fee, "released amount arrived");
    this.credits.set(`${asset}:${account}`, 0n);
    this.touched.add(account);
    this.held.set(asset, this.held.get(asset)! - amount);
    this.stats.released++;
  }

  /** Mines an empty block later: by `delta` seconds (mode 0), 40·delta (mode 2), or (mode 1) to a job's
   * next deadline offset by −2 … +1 seconds (delta mod 4), so calls and views land on either side of it. */
  private async timeJump(n: number, mode: number, delta: number) {
    let to = this.now + (mode === 2 ? delta * 40 : delta);
    const live = this.jobs.filter((j) => !j.closed);
    const job = live.length > 0 ? live[n % live.length] : undefined;
    if (mode === 1 && job) {
      const ph = phaseAt(job, this.now);
      const d = job.round ? deadlines(job) : undefined;
      const deadline =
        ph === Phase.Publishing || ph === Phase.Joining
          ? job.createdAt + job.p.joinDuration
          : ph === Phase.Commit
            ? d!.commit
            : ph === Phase.Submit
              ? d!.submit
              : ph === Phase.Reveal
                ? d!.reveal
                : 0;
      if (deadline + (delta % 4) - 2 >= this.now) to = deadline + (delta % 4) - 2;
    }
    this.trace.push(`t=${to} time jump (+${to - this.now})`);
    await network.provider.send("evm_mine", [to]);
    this.now = to + 1;
  }

  // ---------------------------------------------------------------- invariants

  /**
   * The invariants after a step. Balances and phases are read after every step. Books, the credits of the
   * accounts the step credited or paid (and of one more account in turn) and the acted job's round views
   * are read after every step that changed state: a reverted call or a time jump cannot change storage,
   * so for those the last read still holds. A job read back settled is immutable; it, and every account's
   * credits, are read again by the final check of the sequence ("all").
   */
  async check(acted?: JobModel, full: boolean | "all" = this.changed) {
    const at = this.now - 1;
    const jobs = full === "all" ? this.jobs : this.jobs.filter((j) => !this.settled.has(j.id));
    const ids = jobs.map((j) => j.id);
    const accounts = full === "all" ? this.f.addresses : [...new Set([...this.touched, this.f.addresses[this.stats.steps % ACTORS]])];
    const out = full
      ? await this.f.probe.snapshot(this.f.address, this.f.tokenAddress, ids, accounts)
      : await this.f.probe.phases(this.f.address, this.f.tokenAddress, ids);
    const [ethBalance, tokenBalance, jobCount] = out;
    same(Number(jobCount), this.jobs.length, "jobCount");
    const fields = full ? 12 : 1;
    for (const [q, job] of jobs.entries()) {
      const js = out.slice(3 + q * fields, 3 + (q + 1) * fields);
      const phase = phaseAt(job, at);
      same(js[0], phase, `phase of job ${job.id}`);
      const round = job.round?.index ?? 0;
      const before = this.seen.get(job.id);
      const move = `${before ? `round ${before.round} phase ${before.phase}` : "nothing"} to round ${round} phase ${phase}`;
      same(legalTransition(before, { round, phase }, this.changed), true, `job ${job.id} moved from ${move}`);
      this.seen.set(job.id, { round, phase });
      if (!full) continue;
      const b = job.books;
      same(js.slice(1), [
        BigInt(round),
        BigInt(job.wordsPosted),
        BigInt(job.roster.length),
        job.closed ? 1n : 0n,
        bitsOf(job.slashed),
        b.budget,
        b.stakes,
        b.paid,
        b.refunded,
        b.slashed,
        b.stakesReturned,
      ], `job ${job.id}: round, wordsPosted, joined, closed, slashed members, books`);
      if (job.closed) {
        same(b.paid + b.refunded + b.slashed + b.stakesReturned, b.budget + b.stakes, "settled books balance");
        this.settled.add(job.id);
      }
    }
    if (full) {
      const credits = out.slice(3 + jobs.length * fields);
      for (const [a, address] of accounts.entries()) {
        same([credits[2 * a], credits[2 * a + 1]], [
          this.credits.get(`${ETH}:${address}`) ?? 0n,
          this.credits.get(`${this.f.tokenAddress}:${address}`) ?? 0n,
        ], `credits of ${address}`);
      }
    }
    // Conservation, per asset: the balance is exactly what came in minus what went out, and exactly the
    // escrow of the books plus the releasable credits (both as read back above, equal to the model's).
    for (const [asset, balance] of [
      [ETH, ethBalance],
      [this.f.tokenAddress, tokenBalance],
    ] as const) {
      const escrow = this.jobs.filter((j) => j.p.token === asset).reduce((sum, j) => sum + escrowOf(j.books, j.closed), 0n);
      const owed = [...this.credits].filter(([k]) => k.startsWith(`${asset}:`)).reduce((sum, [, v]) => sum + v, 0n);
      same(balance, this.held.get(asset), `${asset === ETH ? "ETH" : "tokens"} held`);
      same(balance, escrow + owed, `${asset === ETH ? "ETH" : "tokens"} owed`);
    }
    if (full && acted?.round && !acted.closed) await this.checkRound(acted, this.deep);
    this.changed = false;
    this.deep = [];
    this.touched.clear();
  }

  /** The round's views against the model, and commitment(i, j) for every i in `rows`. */
  private async checkRound(job: JobModel, rows: number[]) {
    const rd = job.round!;
    const n = job.p.numDOs;
    const out = await this.f.probe.roundState(this.f.address, job.id, n);
    const d = deadlines(job);
    same(out.slice(0, 12), [
      BigInt(rd.index),
      BigInt(requiredReveals(rd)),
      BigInt(rd.openedAt),
      BigInt(d.commit),
      BigInt(d.submit),
      BigInt(d.reveal),
      BigInt(rd.chunksAggregated),
      bitsOf(rd.members),
      bitsOf(rd.commitments.keys()),
      bitsOf(rd.submitted),
      bitsOf(rd.revealed),
      bitsOf(rd.contradicted),
    ], `round of job ${job.id}`);
    const perMember = out.slice(12, 12 + 2 * n);
    const expectedPerMember = Array.from({ length: n }, (_, i) => [
      rd.commitments.has(i) ? bitsOf(rd.active.get(i)!) : 0n,
      BigInt(rd.chunks.get(i) ?? 0),
    ]).flat();
    same(perMember, expectedPerMember, "active peers and chunks per member");
    const groups: number[][] = [];
    let at = 12 + 2 * n + 1;
    for (let k = 0; k < Number(out[12 + 2 * n]); k++) {
      const size = Number(out[at++]);
      groups.push(out.slice(at, at + size).map(Number));
      at += size;
    }
    same(groups, rd.groups, "groups");
    if (rows.length === 0) return;
    const commitments = await this.f.probe.commitments(this.f.address, job.id, rows, n);
    for (const [r, i] of rows.entries()) {
      const mine = rd.commitments.get(i);
      const peers = mine ? this.peersOf(job, i) : [];
      for (let j = 0; j < n; j++) {
        const slot = peers.indexOf(j);
        same(commitments[r * n + j], slot >= 0 ? mine![slot] : ZeroHash, `commitment(${i}, ${j}) in round ${rd.index}`);
      }
    }
  }
}

describe("fuzz: market invariants", function () {
  it(`fuzz: ${TOTAL_STEPS} random steps over concurrent ETH and ERC-20 jobs keep money, credits, phases and views consistent`, async function () {
    const stats: Stats = {
      steps: 0,
      txs: 0,
      succeeded: 0,
      reverts: new Map(),
      outOfPhase: 0,
      roundsFinalized: 0,
      completed: 0,
      cancelled: 0,
      released: 0,
      contradictions: 0,
      slashes: 0,
      maxConcurrentJobs: 0,
    };
    const started = Date.now();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: STEPS_PER_RUN, maxLength: STEPS_PER_RUN }), async (steps) => {
          const h = new Harness(await loadFixture(fuzzFixture), stats);
          await h.start();
          for (const step of [...steps, null]) {
            try {
              if (step) await h.step(step);
              else await h.check(undefined, "all");
            } catch (e) {
              const err = e as Error;
              err.message += `\n  last steps:\n    ${h.trace.slice(-30).join("\n    ")}`;
              throw err;
            }
          }
        }),
        { seed: SEED, path: process.env.FUZZ_PATH, numRuns: RUNS, endOnFailure: !SHRINK },
      );
    } catch (e) {
      (e as Error).message += `\n(fuzz seed ${SEED}: rerun with FUZZ_SEED=${SEED} and the path above as FUZZ_PATH; FUZZ_SHRINK=1 to shrink)`;
      throw e;
    }
    if (process.env.FUZZ_VERBOSE === "1") console.log("      reverts by error:", Object.fromEntries(stats.reverts));
    const reverts = [...stats.reverts.values()].reduce((a, b) => a + b, 0);
    console.log(
      `      ${stats.steps} steps, ${stats.txs} transactions (${stats.succeeded} succeeded, ${reverts} reverted as predicted, ` +
        `${stats.outOfPhase} out of phase), ${stats.roundsFinalized} rounds finalized, ${stats.completed} jobs completed, ` +
        `${stats.cancelled} cancelled, ${stats.released} releases, ${stats.slashes} slashes, ${stats.contradictions} contradicting reveals, ` +
        `up to ${stats.maxConcurrentJobs} live jobs; ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${SEED}`,
    );
    expect(stats.steps).to.be.at.least(TOTAL_STEPS);
    expect(stats.outOfPhase).to.be.greaterThan(0);
    expect(stats.roundsFinalized).to.be.greaterThan(0);
    expect(stats.completed).to.be.greaterThan(0);
    expect(stats.released).to.be.greaterThan(0);
  });
});
