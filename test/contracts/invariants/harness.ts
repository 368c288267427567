// Plays call sequences against the market and the reference model (marketModel.ts): picks the job, sender and
// content of each step, runs the action, checks every invariant after it, and runs the whole fuzz.
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { ETH, Phase } from "../helpers";
import { eligibleGroups, phaseAt, targets, type JobModel } from "../marketModel";
import { aggregate, finalize } from "./aggregateActions";
import { ACTORS, DATA_OWNERS, draftFrom, faultOf, rng, stepArb, type Act, type Step } from "./arbitraries";
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
import { commit, reveal, submit } from "./roundActions";
import { Sender } from "./sender";

const MAX_JOBS = 10;

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
        await create(run, s.draft);
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
          const sender = job ? [job.owner, job.owner, job.owner === 1 ? 2 : 1, DATA_OWNERS[s.who % 10]][s.who % 4] : caller;
          await publish(run, job, jobId, sender, s.fault, s.seed);
        } else if (s.kind === "join") {
          await join(run, job, jobId, s.who < 80 ? DATA_OWNERS[s.who % 10] : caller, s.fault);
        } else if (s.kind === "commit") {
          await commit(run, job, jobId, this.member(job, s.who, "commit"), s.fault, s.seed);
        } else if (s.kind === "submit") {
          await submit(run, job, jobId, this.member(job, s.who, "submit"), s.fault, s.seed);
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
      reveal: Phase.Reveal,
      aggregate: Phase.Aggregate,
      finalize: Phase.Aggregate,
      cancel: Phase.Cancelled,
    }[kind];
    const { jobs } = this.run.ghost;
    const live = this.run.ghost.live();
    const ready = live.filter((j) => phaseAt(j, this.run.chain.now) === wanted);
    const pool = n < 40 && ready.length > 0 ? ready : n < 54 && live.length > 0 ? live : jobs;
    if (pool.length === 0 || n === 63) return { jobId: BigInt(jobs.length + 1) };
    const job = pool[n % pool.length];
    return { job, jobId: job.id };
  }

  /** The sender of a random member action: mostly a member that can act now, else any member or actor. */
  private member(job: JobModel | undefined, who: number, kind: "commit" | "submit" | "reveal"): number {
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

  /** The next honest action of a live job, by a member chosen from `seed`; creates a job when few are live. */
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
    const job = live[n % live.length];
    const rd = job.round;
    const offset = Math.floor(r() * 64);
    // Mostly honest; now and then the member due to act misbehaves in one of the ways a random step can.
    const v = r() < 0.15 ? 1 + Math.floor(r() * 7) : 0;
    const rotate = (xs: number[]) => xs.map((_, k) => xs[(k + offset) % xs.length]);
    const ph = phaseAt(job, run.chain.now);
    // Now and then the members still due let the deadline pass: non-committers, dropouts, silent revealers.
    // A dropout is likeliest once a group of 4 or more has 3 submitters, so its seeds must be revealed.
    const revealDue = rd !== null && rd.groups.some((g) => g.length > 3 && g.filter((i) => rd.submitted.has(i)).length >= 3);
    const skip = { [`${Phase.Commit}`]: 0.02, [`${Phase.Submit}`]: revealDue ? 0.3 : 0.03, [`${Phase.Reveal}`]: 0.1 }[`${ph}`];
    if (skip !== undefined && r() < skip) {
      await timeJump(run, live.indexOf(job), 1, 3);
      return job;
    }
    switch (ph) {
      case Phase.Publishing:
        await publish(run, job, job.id, job.owner, "honest", seed, job.W - job.wordsPosted);
        return job;
      case Phase.Joining: {
        const free = rotate(DATA_OWNERS).find((a) => !job.roster.includes(a));
        if (free === undefined) break;
        await join(run, job, job.id, free, "honest");
        return job;
      }
      case Phase.Commit: {
        const i = rotate(rd!.members).find((m) => !rd!.commitments.has(m))!;
        await commit(run, job, job.id, job.roster[i], faultOf("commit", v), seed);
        return job;
      }
      case Phase.Submit: {
        const i = rotate([...rd!.commitments.keys()]).find((m) => !rd!.submitted.has(m) && (rd!.active.get(m)?.size ?? 0) >= 2);
        if (i === undefined) break;
        await submit(run, job, job.id, job.roster[i], faultOf("submit", v), seed);
        return job;
      }
      case Phase.Reveal: {
        const i = rotate([...rd!.submitted]).find((m) => !rd!.revealed.has(m) && targets(rd!, m).length > 0)!;
        await reveal(run, job, job.id, job.roster[i], faultOf("reveal", v), seed);
        return job;
      }
      case Phase.Aggregate:
        if (eligibleGroups(rd!).length > 0 && rd!.chunksAggregated < job.K) await aggregate(run, job, job.id, offset % ACTORS, faultOf("aggregate", v), seed);
        else await finalize(run, job, job.id, offset % ACTORS, "honest");
        return job;
      case Phase.Cancelled:
        await cancel(run, job, job.id, offset % ACTORS);
        return job;
    }
    // Nobody left to act in this phase: let its deadline pass.
    await timeJump(run, live.indexOf(job), 1, 3);
    return job;
  }

  /**
   * The invariants after a step. Balances and phases are read after every step. Books, the credits of the
   * accounts the step credited or paid (and of one more account in turn) and the acted job's round views
   * are read after every step that changed state: a reverted call or a time jump cannot change storage,
   * so for those the last read still holds. A job read back settled is immutable; it, and every account's
   * credits, are read again by the final check of the sequence ("all").
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
      await roundViewsAreTheModels(run, acted);
      await commitmentsAreTheModels(run, acted, run.ghost.deep);
    }
    run.chain.changed = false;
    run.ghost.deep = [];
    run.ghost.touched.clear();
  }
}

/** How much the fuzz runs, from the environment: a fixed seed by default so every run is the same. */
export const FUZZ = (() => {
  const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : 20251122;
  const steps = Number(process.env.FUZZ_STEPS ?? (process.env.FUZZ_LONG === "1" ? 100_000 : 5_000));
  const stepsPerRun = 250;
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
      `${stats.cancelled} cancelled, ${stats.released} releases, ${stats.slashes} slashes, ${stats.contradictions} contradicting reveals, ` +
      `up to ${stats.maxConcurrentJobs} live jobs; ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${FUZZ.seed}`,
  );
  return stats;
}
