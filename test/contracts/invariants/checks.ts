// The invariants the fuzz checks, each named as the property it states: the market's balances, books, credits,
// phases and round views against the ghost model (marketModel.ts), read through the probe in one call each.
import { AssertionError } from "chai";
import { ethers } from "hardhat";
import { ZeroHash, type TransactionReceipt } from "ethers";
import { ETH } from "../helpers";
import { BURN_ADDRESS, deadlines, drawAvailable, eligibleGroups, legalTransition, phaseAt, requiredReveals, type JobModel } from "../marketModel";
import { ACTORS } from "./arbitraries";
import type { Run } from "./fixture";
import { peersOf } from "./seeds";

/** Fails unless `actual` and `expected` print the same (chai's matchers cost milliseconds per call here,
 * where the fuzz makes tens of thousands of comparisons). */
export function same(actual: unknown, expected: unknown, what: string): void {
  const show = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}` : x instanceof Uint8Array ? ethers.hexlify(x) : x));
  const [a, e] = [show(actual), show(expected)];
  if (a !== e) throw new AssertionError(`${what}: expected ${e}, got ${a}`);
}

/** The bitmap of a set of indices. */
export function bitsOf(indices: Iterable<number>): bigint {
  let bits = 0n;
  for (const i of indices) bits |= 1n << BigInt(i);
  return bits;
}

/** A credit a transaction must make: [account, kind, amount], and for an aggregation fee the transaction it
 * pays for (its chunk, or the finalization). */
export type ExpectedCredit = [string, bigint, bigint] | [string, bigint, bigint, string];

/** The Credited events of a receipt are exactly `expected`, and none of them books a credit a second time;
 * books them in the ghost. */
export function creditedOnceAsPredicted(run: Run, receipt: TransactionReceipt, job: JobModel, round: number, expected: ExpectedCredit[]) {
  const asset = job.p.token;
  const got = run.chain.events(receipt, "Credited").map((a) => [a.jobId, a.token, a.account, a.kind, a.amount]);
  same(
    got,
    expected.map(([account, kind, amount]) => [job.id, asset, account, kind, amount]),
    "Credited events",
  );
  for (const [account, kind, amount, tag] of expected) {
    const key = run.ghost.creditKey(job, round, account, kind, tag);
    same(run.ghost.creditKeys.has(key), false, `credited twice: ${key}`);
    run.ghost.creditKeys.add(key);
    run.ghost.credit(asset, account, amount);
    run.ghost.touched.add(account);
  }
}

/** What one probe call read: balances, the job count, per job its phase (with `full` also its round, sizes,
 * settlement and books) and, with `full`, the credits of some accounts; and, read apart, the absent members
 * and aggregation fees of the jobs an aggregation or a finalization of the step acted on (of every job with
 * "all"). */
export interface Snapshot {
  at: number;
  full: boolean;
  ethBalance: bigint;
  tokenBalance: bigint;
  jobCount: bigint;
  jobs: { job: JobModel; phase: bigint; state: bigint[]; absentAndFees?: bigint[] }[];
  credits: { address: string; eth: bigint; token: bigint }[];
}

/**
 * Reads the market after a step. Without `full` only balances and phases; with it also the books of the jobs
 * not yet read back settled, and the credits of the accounts the step credited or paid (and of one more
 * account in turn); with "all" every job and the credits of every actor and of the burn address. Only an
 * aggregation or a finalization moves the absent members and the fees (which the probe does not read), so
 * those are read for the jobs such a call of this step acted on (every job with "all").
 */
export async function readSnapshot(run: Run, full: boolean | "all"): Promise<Snapshot> {
  const { f, ghost } = run;
  const jobs = full === "all" ? ghost.jobs : ghost.jobs.filter((j) => !ghost.settled.has(j.id));
  const ids = jobs.map((j) => j.id);
  const accounts = full === "all" ? [...f.addresses, BURN_ADDRESS] : [...new Set([...ghost.touched, f.addresses[run.stats.steps % ACTORS]])];
  const extra = new Map<bigint, bigint[]>();
  for (const job of full === "all" ? jobs : full ? jobs.filter((j) => ghost.moved.has(j.id)) : []) {
    const [info, books] = await Promise.all([f.market.jobInfo(job.id), f.market.jobBooks(job.id)]);
    extra.set(job.id, [info.absentMembers, books.fees]);
  }
  const out = full ? await f.probe.snapshot(f.address, f.tokenAddress, ids, accounts) : await f.probe.phases(f.address, f.tokenAddress, ids);
  const fields = full ? 12 : 1;
  const credits = full ? out.slice(3 + jobs.length * fields) : [];
  return {
    at: run.chain.now - 1,
    full: full !== false,
    ethBalance: out[0],
    tokenBalance: out[1],
    jobCount: out[2],
    jobs: jobs.map((job, q) => {
      const js = out.slice(3 + q * fields, 3 + (q + 1) * fields);
      return { job, phase: js[0], state: js.slice(1), absentAndFees: extra.get(job.id) };
    }),
    credits: full ? accounts.map((address, a) => ({ address, eth: credits[2 * a], token: credits[2 * a + 1] })) : [],
  };
}

/** jobCount() is the number of jobs the model created. */
export function jobCountIsTheModels(run: Run, s: Snapshot) {
  same(Number(s.jobCount), run.ghost.jobs.length, "jobCount");
}

/** phase(jobId) equals the model's phase at the block time. */
export function phasesAreTheModels(s: Snapshot) {
  for (const { job, phase } of s.jobs) same(phase, phaseAt(job, s.at), `phase of job ${job.id}`);
}

/** A job only moves along legal transitions: forward inside a round, to the next round or its end only by a
 * transaction, and never out of Completed or Cancelled. */
export function phasesOnlyMoveForward(run: Run, s: Snapshot) {
  for (const { job, phase } of s.jobs) {
    const round = job.round?.index ?? 0;
    const before = run.ghost.seen.get(job.id);
    const move = `${before ? `round ${before.round} phase ${before.phase}` : "nothing"} to round ${round} phase ${phase}`;
    same(legalTransition(before, { round, phase }, run.chain.changed), true, `job ${job.id} moved from ${move}`);
    run.ghost.seen.set(job.id, { round, phase });
  }
}

/** Every job's round, posted words, roster size, settlement, slashed (and, where read, absent) members and
 * books are the model's. */
export function booksAreTheModels(s: Snapshot) {
  for (const { job, state, absentAndFees } of s.jobs) {
    if (absentAndFees) same(absentAndFees, [bitsOf(job.absent), job.books.fees], `job ${job.id}: absent members, aggregation fees`);
    const b = job.books;
    same(
      state,
      [
        BigInt(job.round?.index ?? 0),
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
      ],
      `job ${job.id}: round, wordsPosted, joined, closed, slashed members, books`,
    );
  }
}

/** A settled job paid out exactly what it took in; from then on it is immutable and read only by the last check. */
export function settledBooksBalance(run: Run, s: Snapshot) {
  for (const { job } of s.jobs.filter(({ job }) => job.closed)) {
    const b = job.books;
    same(b.paid + b.fees + b.refunded + b.slashed + b.stakesReturned, b.budget + b.stakes, "settled books balance");
    run.ghost.settled.add(job.id);
  }
}

/** releasable() of every account read equals the model's credits, in ETH and in the token. */
export function creditsAreTheModels(run: Run, s: Snapshot) {
  for (const { address, eth, token } of s.credits) {
    same([eth, token], [run.ghost.creditOf(ETH, address), run.ghost.creditOf(run.f.tokenAddress, address)], `credits of ${address}`);
  }
}

/** Per asset, the market's balance is exactly what came in minus what went out, and exactly the escrow of the
 * books plus the releasable credits (both as read back, equal to the model's). */
export function booksBalanceToTheWei(run: Run, s: Snapshot) {
  for (const [asset, balance] of [
    [ETH, s.ethBalance],
    [run.f.tokenAddress, s.tokenBalance],
  ] as const) {
    const what = asset === ETH ? "ETH" : "tokens";
    same(balance, run.ghost.held.get(asset), `${what} held`);
    same(balance, run.ghost.escrow(asset) + run.ghost.owed(asset), `${what} owed`);
  }
}

/** The round's views are the model's: index, required reveals, opening time, deadlines (the aggregation's
 * too), chunks aggregated, the bitmaps of members, committers, submitters, revealers, contradictors and
 * convicted, active peers and chunks per member, the draw block, and the randomness and groups — none until
 * a block after the draw block exists. */
export async function roundViewsAreTheModels(run: Run, job: JobModel) {
  const rd = job.round!;
  const n = job.p.numDOs;
  const out = await run.f.probe.roundState(run.f.address, job.id, n);
  const d = deadlines(job);
  // Views run in the latest block.
  const drawn = drawAvailable(rd, run.chain.block - 1);
  const info = await run.f.market.roundInfo(job.id);
  const excluded = eligibleGroups(rd).filter((_, q) => rd.outcome !== null && rd.outcome.excludedAt[q] < rd.chunksAggregated);
  same(
    [info.aggregateDeadline, info.drawBlock, info.randomness, info.convicted, info.excludedGroups],
    [BigInt(d.aggregate), BigInt(rd.drawBlock), drawn ? rd.randomness : ZeroHash, bitsOf(rd.convicted), bitsOf(excluded)],
    `round of job ${job.id}: aggregation deadline, draw block, randomness, convicted, groups over the norm bound`,
  );
  same(
    out.slice(0, 12),
    [
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
    ],
    `round of job ${job.id}`,
  );
  const perMember = out.slice(12, 12 + 2 * n);
  const expectedPerMember = Array.from({ length: n }, (_, i) => [rd.commitments.has(i) ? bitsOf(rd.active.get(i)!) : 0n, BigInt(rd.chunks.get(i) ?? 0)]).flat();
  same(perMember, expectedPerMember, "active peers and chunks per member");
  const groups: number[][] = [];
  let at = 12 + 2 * n + 1;
  for (let k = 0; k < Number(out[12 + 2 * n]); k++) {
    const size = Number(out[at++]);
    groups.push(out.slice(at, at + size).map(Number));
    at += size;
  }
  same(groups, drawn ? rd.groups : [], "groups");
}

/** commitment(i, j) is the model's for every i in `rows` and every j: the one committed for a group peer, else zero. */
export async function commitmentsAreTheModels(run: Run, job: JobModel, rows: number[]) {
  if (rows.length === 0) return;
  const rd = job.round!;
  const n = job.p.numDOs;
  const commitments = await run.f.probe.commitments(run.f.address, job.id, rows, n);
  for (const [r, i] of rows.entries()) {
    const mine = rd.commitments.get(i);
    const peers = mine ? peersOf(job, i) : [];
    for (let j = 0; j < n; j++) {
      const slot = peers.indexOf(j);
      same(commitments[r * n + j], slot >= 0 ? mine![slot] : ZeroHash, `commitment(${i}, ${j}) in round ${rd.index}`);
    }
  }
}
