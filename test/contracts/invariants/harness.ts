// Plays call sequences against the market and the reference model (marketModel.ts): picks the job, sender and
// content of each step, runs the action, checks every invariant after it, and runs the whole fuzz.
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { ETH, Phase } from "../helpers";
import { deadlines, eligibleGroups, groupOf, isVoid, minEligible, phaseAt, targets, type JobModel } from "../marketModel";
import { aggregate, finalize } from "./aggregateActions";
import { ACTORS, DATA_OWNERS, FAULT_NUMBERS, draftFrom, faultOf, rng, stepArb, type Act, type Step } from "./arbitraries";
import {
  booksAreTheModels,
  booksBalanceToTheWei,
  commitmentsAreTheModels,
  creditsAreTheModels,
  jobCountIsTheModels,
  phasesAreTheModels,
  phasesOnlyMoveForward,
  readSnapshot,
  roundViewsAreTheModels,
  settledBooksBalance,
} from "./checks";
import { fuzzFixture, newStats, type Fixture, type Run, type Stats } from "./fixture";
import { Ghost } from "./ghost";
import { cancel, create, join, publish, release, timeJump } from "./jobActions";
import { commit, dispute, reveal, submit } from "./roundActions";
import { peersOf } from "./seeds";
import { Sender } from "./sender";

const MAX_JOBS = 10;
const MAX_LIVE = 4;

/**
 * Whether the aggregation of the job's round stopped at time `t`: in one round in four (with two chunks or more,
 * two in five, after the first chunk) nobody aggregates from some chunk on until the aggregation deadline
 * passes. Drawn from the fuzz seed, the job and the round, so every aggregator, random or not, sees it.
 */
function stalled(job: JobModel, t: number): boolean {
  const rd = job.round!;
  const coin = Math.floor(rng(FUZZ.seed ^ Number(job.id * 7919n) ^ (rd.index * 104729))() * 100);
  const at = job.K > 1 ? (coin < 40 ? 1 + (coin % (job.K - 1)) : -1) : coin < 25 ? 0 : -1;
  return at >= 0 && rd.chunksAggregated >= at && t <= deadlines(job).aggregate;
}

/** Whether data owners stopped joining the job: one job in ten never fills (drawn like `stalled`), so it is
 * cancelled. */
function abandoned(job: JobModel): boolean {
  const coin = Math.floor(rng(FUZZ.seed ^ Number(job.id * 15485863n))() * 1000);
  return coin < 100 && job.roster.length >= coin % job.p.numDOs;
}

/** The deadline a job waits for at time `t`: its phase's (the aggregation deadline in Aggregate, the join
 * deadline before the roster seals). */
function waitsUntil(job: JobModel, t: number): number {
  const ph = phaseAt(job, t);
  if (ph === Phase.Publishing || ph === Phase.Joining) return job.createdAt + job.p.joinDuration;
  const d = deadlines(job);
  return ph === Phase.Commit ? d.commit : ph === Phase.Submit ? d.submit : ph === Phase.Reveal ? d.reveal : ph === Phase.Aggregate ? d.aggregate : Infinity;
}

/** Runs one sequence of steps against the market and the model, checking both after every step. */
export class Harness {
  readonly run: Run;

  constructor(f: Fixture, stats: Stats) {
    this.run = { f, stats, chain: new Sender(f, stats), ghost: new Ghost(f.tokenAddress) };
  }

  /** Plays `steps`, then checks every job and account; a failure reports the last calls. */
  async play(steps: Step[]) {
    await this.run.chain.start();
    for (const step of [...steps, null]) {
      try {
        if (step) await this.step(step);
        else await this.check(undefined, "all");
      } catch (e) {
        const err = e as Error;
        err.message += `\n  last steps:\n    ${this.run.chain.trace.slice(-30).join("\n    ")}`;
        throw err;
      }
    }
  }

  /** Plays one step, then checks the invariants. */
  private async step(s: Step) {
    const run = this.run;
    run.stats.steps++;
    let acted: JobModel | undefined;
    switch (s.kind) {
      case "progress":
        acted = await this.progress(s.job, s.seed);
        break;
      case "create":
        // With MAX_LIVE jobs live a valid draft waits; a flawed one is still sent.
        if (run.ghost.live().length >= MAX_LIVE && s.draft.flaw < 16) acted = await this.progress(s.draft.owner, s.draft.stake);
        else await create(run, s.draft);
        break;
      case "release":
        await this.releaseStep(s.who, s.erc20, s.caller);
        break;
      case "time":
        await timeJump(run, s.job, s.mode, s.delta);
        break;
      default: {
        const { job, jobId } = this.jobRef(s.job, s.kind);
        acted = job;
        const caller = s.who % ACTORS;
        if (s.kind === "publish") {
          const sender = job ? [job.owner, job.owner, job.owner === 1 ? 2 : 1, DATA_OWNERS[s.who % DATA_OWNERS.length]][s.who % 4] : caller;
          await publish(run, job, jobId, sender, s.fault, s.seed);
        } else if (s.kind === "join") {
          await join(run, job, jobId, s.who < 80 ? DATA_OWNERS[s.who % DATA_OWNERS.length] : caller, s.fault);
        } else if (s.kind === "commit") {
          await commit(run, job, jobId, this.member(job, s.who, "commit"), s.fault, s.seed);
        } else if (s.kind === "submit") {
          await submit(run, job, jobId, this.member(job, s.who, "submit"), s.fault, s.seed);
        } else if (s.kind === "dispute") {
          await dispute(run, job, jobId, this.member(job, s.who, "dispute"), s.fault, s.seed);
        } else if (s.kind === "reveal") {
          await reveal(run, job, jobId, this.member(job, s.who, "reveal"), s.fault, s.seed);
        } else if (s.kind === "aggregate") {
          await aggregate(run, job, jobId, caller, s.fault, s.seed);
        } else if (s.kind === "finalize") {
          await finalize(run, job, jobId, caller, s.fault);
        } else {
          await cancel(run, job, jobId, caller);
        }
      }
    }
    await this.check(acted);
  }

  /** A job for a random action: mostly one in the phase the action needs, else any live one, else any, and
   * now and then one that does not exist. */
  private jobRef(n: number, kind: Act): { job?: JobModel; jobId: bigint } {
    const wanted = {
      publish: Phase.Publishing,
      join: Phase.Joining,
      commit: Phase.Commit,
      submit: Phase.Submit,
      dispute: Phase.Submit,
      reveal: Phase.Reveal,
      aggregate: Phase.Aggregate,
      finalize: Phase.Aggregate,
      cancel: Phase.Cancelled,
    }[kind];
    const { jobs } = this.run.ghost;
    const live = this.run.ghost.live();
    const now = this.run.chain.now;
    // A round whose aggregation the fuzz let stop is left alone by aggregators until its deadline.
    const ready = live.filter((j) => phaseAt(j, now) === wanted && !(kind === "aggregate" && stalled(j, now)));
    const pool = n < 40 && ready.length > 0 ? ready : n < 54 && live.length > 0 ? live : jobs;
    if (pool.length === 0 || n === 63) return { jobId: BigInt(jobs.length + 1) };
    const job = pool[n % pool.length];
    return { job, jobId: job.id };
  }

  /** The sender of a random member action: mostly a member that can act now, else any member or actor. */
  private member(job: JobModel | undefined, who: number, kind: "commit" | "submit" | "dispute" | "reveal"): number {
    const rd = job?.round;
    if (job && rd && who < 50) {
      const can =
        kind === "commit"
          ? rd.members.filter((i) => !rd.commitments.has(i))
          : kind === "submit"
            ? [...rd.commitments.keys()].filter((i) => !rd.submitted.has(i))
            : kind === "dispute"
              ? [...rd.commitments.keys()]
              : [...rd.submitted].filter((i) => !rd.revealed.has(i) && targets(rd, i).length > 0);
      if (can.length > 0) return job.roster[can[who % can.length]];
    }
    if (job && job.roster.length > 0 && who < 85) return job.roster[who % job.roster.length];
    return who % ACTORS;
  }

  /** A release: mostly of an account that has a credit, sometimes of one that has none. */
  private async releaseStep(who: number, erc20: boolean, caller: number) {
    const { f, ghost } = this.run;
    const owed = ghost.owing();
    if (who < 60 && owed.length > 0) {
      const [asset, account] = owed[who % owed.length];
      return release(this.run, account, asset !== ETH, caller);
    }
    return release(this.run, who < 90 ? f.addresses[who % ACTORS] : await f.probe.getAddress(), erc20, caller);
  }

  /**
   * The next honest action of a live job, by a member chosen from `seed`; creates a job when few are live.
   * Members act promptly: the clock jumps to a deadline only when no live job has anyone left to act (all
   * it waits for acted, or chose not to), and then to the nearest one. Who chooses not to act is drawn here,
   * one member at a time: a member that never commits this round, a dropout (likeliest where its group keeps
   * 3 submitters, so its seeds must be revealed), a silent revealer; now and then all members still due at
   * once. Aggregation stops until its deadline in the rounds `stalled` names, data owners stop joining the
   * jobs `abandoned` names.
   */
  private async progress(n: number, seed: number): Promise<JobModel | undefined> {
    const run = this.run;
    const live = run.ghost.live();
    if (live.length < 2 && run.ghost.jobs.length < MAX_JOBS) {
      await create(run, draftFrom(seed));
      return undefined;
    }
    if (live.length === 0) {
      await timeJump(run, 0, 0, 1);
      return undefined;
    }
    const r = rng(seed);
    if (r() < 0.12 && run.ghost.owing().length > 0) {
      await this.releaseStep(Math.floor(r() * 60), false, Math.floor(r() * ACTORS));
      return undefined;
    }
    const offset = Math.floor(r() * 64);
    // Mostly honest; now and then the member due to act misbehaves in one of the ways a random step can.
    const v = r() < 0.1 ? 1 + Math.floor(r() * FAULT_NUMBERS) : 0;
    const first = n % live.length;
    for (let q = 0; q < live.length; q++) {
      const job = live[(first + q) % live.length];
      const call = this.nextCall(job, r, seed, offset, v);
      if (call) {
        await call();
        return job;
      }
    }
    // Everyone waits: the clock moves to the nearest deadline (now and then to just before it).
    const nearest = live.reduce((a, b) => (waitsUntil(a, run.chain.now) <= waitsUntil(b, run.chain.now) ? a : b));
    await timeJump(run, live.indexOf(nearest), 1, r() < 0.8 ? 3 : Math.floor(r() * 4));
    return nearest;
  }

  /** The call a member (or the owner, or an aggregator) of `job` makes next, or null while the job waits for
   * a deadline. */
  private nextCall(job: JobModel, r: () => number, seed: number, offset: number, v: number): (() => Promise<unknown>) | null {
    const run = this.run;
    const rd = job.round;
    const rotate = (xs: number[]) => xs.map((_, k) => xs[(k + offset) % xs.length]);
    const ph = phaseAt(job, run.chain.now);
    const by = offset % ACTORS;
    // Members due in this phase, less those that chose not to act in it; now and then one (or all) more.
    const due = (candidates: number[], p: (i: number) => number) => {
      const skips = run.ghost.skipsOf(job, ph);
      let left = rotate(candidates).filter((i) => !skips.has(i));
      if (left.length > 0 && r() < 0.004) left.forEach((i) => skips.add(i));
      else if (left.length > 0 && r() < p(left[0])) skips.add(left[0]);
      left = left.filter((i) => !skips.has(i));
      return left;
    };
    switch (ph) {
      case Phase.Publishing:
        return () => publish(run, job, job.id, job.owner, "honest", seed, job.W - job.wordsPosted);
      case Phase.Joining: {
        const free = rotate(DATA_OWNERS).find((a) => !job.roster.includes(a));
        return free === undefined || abandoned(job) ? null : () => join(run, job, job.id, free, "honest");
      }
      case Phase.Commit: {
        // A member that never commits this round is ejected and forfeits a part of its stake.
        const [i] = due(
          rd!.members.filter((m) => !rd!.commitments.has(m)),
          () => 0.012,
        );
        return i === undefined ? null : () => commit(run, job, job.id, job.roster[i], faultOf("commit", v), seed);
      }
      case Phase.Submit: {
        // A member whose group peer committed a different value for their pair disputes it before it
        // submits, as our worker does (neither of the two convicted yet); the proof convicts the liar.
        const disputer = rotate([...rd!.commitments.keys()]).find((m) =>
          peersOf(job, m).some((j) => rd!.commitments.has(j) && !rd!.active.get(m)!.has(j) && !rd!.convicted.has(j) && !rd!.convicted.has(m)),
        );
        if (disputer !== undefined) return () => dispute(run, job, job.id, job.roster[disputer], r() < 0.1 ? "garbageProof" : "honest", seed);
        const canSubmit = (m: number) => !rd!.submitted.has(m) && (rd!.active.get(m)?.size ?? 0) >= 2 && !isVoid(rd!, groupOf(rd!, m)!);
        // A dropout whose group keeps 3 submitters makes its peers reveal their seeds with it.
        const keepsThree = (m: number) => groupOf(rd!, m)!.filter((j) => j !== m && (rd!.submitted.has(j) || canSubmit(j))).length >= 3;
        const [i] = due([...rd!.commitments.keys()].filter(canSubmit), (m) => (keepsThree(m) ? 0.06 : 0.008));
        return i === undefined ? null : () => submit(run, job, job.id, job.roster[i], faultOf("submit", v), seed);
      }
      case Phase.Reveal: {
        const [i] = due(
          [...rd!.submitted].filter((m) => !rd!.revealed.has(m) && targets(rd!, m).length > 0),
          () => 0.05,
        );
        return i === undefined ? null : () => reveal(run, job, job.id, job.roster[i], faultOf("reveal", v), seed);
      }
      case Phase.Aggregate: {
        const aggregable = eligibleGroups(rd!).length >= minEligible(job.p) && rd!.chunksAggregated < job.K;
        if (!aggregable) return () => finalize(run, job, job.id, by, "honest");
        // After the aggregation deadline finalizeRound voids the round, though a late chunk is still taken
        // until it does.
        if (run.chain.now > deadlines(job).aggregate)
          return r() < 0.7 ? () => finalize(run, job, job.id, by, "honest") : () => aggregate(run, job, job.id, by, "honest", seed);
        return stalled(job, run.chain.now) ? null : () => aggregate(run, job, job.id, by, faultOf("aggregate", v), seed);
      }
      case Phase.Cancelled:
        return () => cancel(run, job, job.id, by);
    }
    return null;
  }

  /**
   * The invariants after a step. Balances and phases are read after every step. Books and the credits of
   * the accounts the step credited or paid (and of one more account in turn) are read after every step that
   * changed state: a reverted call or a time jump cannot change storage, so for those the last read still
   * holds. The acted job's round views are read after every other such step (its commitment views after
   * every third), and after every one that opened a round or convicted a member: each view recomputes the
   * round's groups, which jobs of 9 or more members make costly. A job read back settled is immutable; it,
   * and every account's credits, are read again by the final check of the sequence ("all").
   */
  private async check(acted?: JobModel, full: boolean | "all" = this.run.chain.changed) {
    const { run } = this;
    const s = await readSnapshot(run, full);
    jobCountIsTheModels(run, s);
    phasesAreTheModels(s);
    phasesOnlyMoveForward(run, s);
    if (s.full) {
      booksAreTheModels(s);
      settledBooksBalance(run, s);
      creditsAreTheModels(run, s);
    }
    booksBalanceToTheWei(run, s);
    if (full && acted?.round && !acted.closed) {
      if (run.ghost.viewsDue || run.stats.steps % 2 === 0) await roundViewsAreTheModels(run, acted);
      if (run.ghost.viewsDue || run.stats.steps % 3 === 0) await commitmentsAreTheModels(run, acted, run.ghost.deep);
    }
    run.chain.changed = false;
    run.ghost.deep = [];
    run.ghost.moved.clear();
    run.ghost.viewsDue = false;
    run.ghost.touched.clear();
  }
}

/** How much the fuzz runs, from the environment: a fixed seed by default, so every run draws the same steps
 * (the groups they meet come from block hashes, which differ from one node process to the next). */
export const FUZZ = (() => {
  const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : 20251122;
  const steps = Number(process.env.FUZZ_STEPS ?? (process.env.FUZZ_LONG === "1" ? 100_000 : 4_000));
  const stepsPerRun = 400;
  return { seed, steps, stepsPerRun, runs: Math.max(1, Math.ceil(steps / stepsPerRun)), shrink: process.env.FUZZ_SHRINK === "1" };
})();

/** Runs the fuzz as FUZZ says, each run a fresh market, and prints what it exercised; returns the counters. */
export async function fuzzMarket(): Promise<Stats> {
  const stats = newStats();
  const started = Date.now();
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: FUZZ.stepsPerRun, maxLength: FUZZ.stepsPerRun }), async (steps) => {
        await new Harness(await loadFixture(fuzzFixture), stats).play(steps);
      }),
      { seed: FUZZ.seed, path: process.env.FUZZ_PATH, numRuns: FUZZ.runs, endOnFailure: !FUZZ.shrink },
    );
  } catch (e) {
    (e as Error).message += `\n(fuzz seed ${FUZZ.seed}: rerun with FUZZ_SEED=${FUZZ.seed} and the path above as FUZZ_PATH; FUZZ_SHRINK=1 to shrink)`;
    throw e;
  }
  if (process.env.FUZZ_VERBOSE === "1") console.log("      reverts by error:", Object.fromEntries(stats.reverts));
  const reverts = [...stats.reverts.values()].reduce((a, b) => a + b, 0);
  console.log(
    `      ${stats.steps} steps, ${stats.txs} transactions (${stats.succeeded} succeeded, ${reverts} reverted as predicted, ` +
      `${stats.outOfPhase} out of phase), ${stats.roundsFinalized} rounds finalized, ${stats.completed} jobs completed, ` +
      `${stats.cancelled} cancelled, ${stats.released} releases; ${stats.paidRounds} rounds paid, ${stats.voided} void for too few eligible groups, ` +
      `${stats.expired} void after the aggregation deadline (${stats.expiredMidway} mid-aggregation), ${stats.overBound} groups over the norm bound, ${stats.certified} geometric medians certified (${stats.uncertified} finalizations without a certificate), ${stats.fees} aggregation fees, ${stats.slashes} slashes, ${stats.forfeits} missed-commit forfeits, ` +
      `${stats.contradictions} contradicting reveals, ${stats.convictions} convicted by disputes, ${stats.blameConvictions} by their record, ${stats.reverts.get("MarketInvalidProof") ?? 0} proofs refused, ` +
      `${stats.reverts.get("MarketSubmitterNotDirect") ?? 0} relayed submissions refused, ` +
      `up to ${stats.maxConcurrentJobs} live jobs; ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${FUZZ.seed}`,
  );
  return stats;
}
