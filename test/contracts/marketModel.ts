// Reference model of the market for the invariant fuzz (invariants/): the state of every job as
// docs/PROTOCOL.md describes it, the phase it derives from that state and the clock, and the custom error
// each entry point must raise for a given call — written from the protocol text, so the fuzz compares the
// contract against an independent reading rather than against itself.
import type { RoundAggregateResult } from "../../src/protocol";
import { Phase, type Params } from "./helpers";

/** The books of one job (the contract's JobBooks). */
export interface Books {
  budget: bigint;
  stakes: bigint;
  paid: bigint;
  refunded: bigint;
  slashed: bigint;
  stakesReturned: bigint;
}

/** The current round of a job. Members are roster indices. */
export interface RoundModel {
  index: number;
  openedAt: number;
  commitEndedAt: number; // 0 while the commit phase has not ended early
  submitEndedAt: number; // 0 while the submit phase has not ended early
  randomness: string;
  members: number[];
  groups: number[][];
  commitments: Map<number, string[]>; // one per group peer, ascending peer index
  active: Map<number, Set<number>>;
  chunks: Map<number, number>;
  vectors: Map<number, Uint8Array>; // packed bytes submitted so far (W·32, zero where not yet posted)
  submitted: Set<number>;
  revealed: Set<number>;
  contradicted: Set<number>;
  seeds: Map<string, string>; // "submitter:dropped" → revealed seed that matched the commitment
  chunksAggregated: number;
  outcome: RoundAggregateResult | null; // the TypeScript aggregate of the eligible groups
}

/** One job: parameters, sizes, roster (roster index → actor), books and its current round. */
export interface JobModel {
  id: bigint;
  p: Params;
  owner: number;
  createdAt: number;
  W: number;
  C: number;
  K: number;
  model: Uint8Array;
  modelHash: string;
  wordsPosted: number;
  roster: number[];
  closed: boolean;
  slashed: Set<number>;
  books: Books;
  round: RoundModel | null;
}

/** What a call must do: succeed, or revert with this custom error and these arguments. */
export type Expectation = { ok: true } | { error: string; args: unknown[] };

export const OK: Expectation = { ok: true };

/** The expectation `error(...args)`. */
export function fails(error: string, ...args: unknown[]): Expectation {
  return { error, args };
}

/** A round opened at `openedAt` with members `members` split into `groups`. */
export function newRound(index: number, openedAt: number, randomness: string, members: number[], groups: number[][]): RoundModel {
  return {
    index,
    openedAt,
    commitEndedAt: 0,
    submitEndedAt: 0,
    randomness,
    members,
    groups,
    commitments: new Map(),
    active: new Map(),
    chunks: new Map(),
    vectors: new Map(),
    submitted: new Set(),
    revealed: new Set(),
    contradicted: new Set(),
    seeds: new Map(),
    chunksAggregated: 0,
    outcome: null,
  };
}

export function sealed(job: JobModel): boolean {
  return job.roster.length === job.p.numDOs;
}

/** Deadlines of the current round: each window starts when the previous phase ended. */
export function deadlines(job: JobModel): { commit: number; submit: number; reveal: number } {
  const rd = job.round!;
  const commit = rd.openedAt + job.p.commitDuration;
  const submitStart = rd.commitEndedAt || commit;
  const submit = submitStart + job.p.submitDuration;
  const allSubmitted = rd.submitted.size === rd.commitments.size;
  const revealStart = rd.submitEndedAt || (allSubmitted ? submitStart : submit);
  return { commit, submit, reveal: revealStart + job.p.revealDuration };
}

export function groupOf(rd: RoundModel, i: number): number[] | undefined {
  return rd.groups.find((g) => g.includes(i));
}

/** Dropped peers `i` must reveal seeds for: active pairs with members that committed and did not submit,
 * only in a group with at least 3 submitters. */
export function targets(rd: RoundModel, i: number): number[] {
  const group = groupOf(rd, i);
  if (!group || group.filter((j) => rd.submitted.has(j)).length < 3) return [];
  return [...(rd.active.get(i) ?? [])].filter((j) => rd.commitments.has(j) && !rd.submitted.has(j)).sort((a, b) => a - b);
}

export function requiredReveals(rd: RoundModel): number {
  return [...rd.submitted].filter((i) => targets(rd, i).length > 0).length;
}

/** Groups with at least 3 submitters, no contradicting revealer and every required reveal in. */
export function eligibleGroups(rd: RoundModel): number[] {
  const out: number[] = [];
  rd.groups.forEach((group, k) => {
    const subs = group.filter((i) => rd.submitted.has(i));
    if (subs.length < 3 || subs.some((i) => rd.contradicted.has(i))) return;
    if (subs.some((i) => !rd.revealed.has(i) && targets(rd, i).length > 0)) return;
    out.push(k);
  });
  return out;
}

export function droppedCount(rd: RoundModel): number {
  return [...rd.commitments.keys()].filter((i) => !rd.submitted.has(i)).length;
}

/** The job's phase at time `t`. */
export function phaseAt(job: JobModel, t: number): bigint {
  if (job.closed) return sealed(job) ? Phase.Completed : Phase.Cancelled;
  if (!sealed(job)) {
    if (t > job.createdAt + job.p.joinDuration) return Phase.Cancelled;
    return job.wordsPosted < job.W ? Phase.Publishing : Phase.Joining;
  }
  const rd = job.round!;
  const d = deadlines(job);
  if (rd.commitments.size < rd.members.length && t <= d.commit) return Phase.Commit;
  if (rd.submitted.size < rd.commitments.size && t <= d.submit) return Phase.Submit;
  if (t <= d.reveal && droppedCount(rd) > 0 && rd.revealed.size < requiredReveals(rd)) return Phase.Reveal;
  return Phase.Aggregate;
}

const IN_ROUND: bigint[] = [Phase.Commit, Phase.Submit, Phase.Reveal, Phase.Aggregate];

/** Whether a job may move from (round, phase) `from` to `to` in one step (`tx`: the step sent a transaction). */
export function legalTransition(from: { round: number; phase: bigint } | undefined, to: { round: number; phase: bigint }, tx: boolean): boolean {
  if (!from) return to.phase === Phase.Publishing && to.round === 0;
  if (from.phase === to.phase && from.round === to.round) return true;
  switch (from.phase) {
    case Phase.Publishing:
      return (to.phase === Phase.Joining && tx) || to.phase === Phase.Cancelled;
    case Phase.Joining:
      return (to.phase === Phase.Commit && to.round === 0 && tx) || to.phase === Phase.Cancelled;
    case Phase.Completed:
    case Phase.Cancelled:
      return false;
    default: {
      // Inside a round phases only move forward; a finalizeRound opens the next round or completes the job.
      if (to.round === from.round && IN_ROUND.indexOf(to.phase) > IN_ROUND.indexOf(from.phase)) return true;
      if (!tx) return false;
      return (to.phase === Phase.Commit && to.round === from.round + 1) || (to.phase === Phase.Completed && to.round === from.round);
    }
  }
}

/** Escrow the market still holds for the job (budget and stakes not yet credited to anyone). */
export function escrowOf(books: Books, closed: boolean): bigint {
  const held = books.budget + books.stakes - books.paid;
  return closed ? held - books.refunded - books.slashed - books.stakesReturned : held;
}

// ------------------------------------------------------------------ expected errors, in the contract's order

/** Common prefix of the round entry points: job, phase, round, roster and round membership. */
export function expectRoundCall(
  job: JobModel | undefined,
  jobId: bigint,
  t: number,
  expected: bigint,
  round: number,
  sender: string,
  senderIndex: number | undefined,
): Expectation | null {
  if (!job) return fails("MarketUnknownJob", jobId);
  const current = phaseAt(job, t);
  if (current !== expected) return fails("MarketUnexpectedPhase", jobId, current, expected);
  const rd = job.round!;
  if (round !== rd.index) return fails("MarketWrongRound", jobId, rd.index, round);
  if (senderIndex === undefined) return fails("MarketNotMember", jobId, sender);
  if (!rd.members.includes(senderIndex)) return fails("MarketNotRoundMember", jobId, rd.index, senderIndex);
  return null;
}

/** Expected outcome of submitMasked for `bytes` bytes from `firstChunk` (chunks are consumed whole, in order). */
export function expectSubmitBody(job: JobModel, i: number, round: number, firstChunk: number, bytes: number): Expectation {
  const rd = job.round!;
  if (!rd.commitments.has(i)) return fails("MarketNotCommitted", job.id, round, i);
  const active = rd.active.get(i)?.size ?? 0;
  if (active < 2) return fails("MarketTooFewActivePeers", job.id, round, i, active);
  const done = rd.chunks.get(i) ?? 0;
  if (firstChunk !== done) return fails("MarketUnexpectedChunk", job.id, done, firstChunk);
  let offset = 0;
  let k = firstChunk;
  while (offset < bytes) {
    const size = chunkLength(job, k) * 32;
    if (size === 0 || offset + size > bytes) return fails("MarketInvalidWordsLength", job.id, bytes);
    offset += size;
    k++;
  }
  if (k === firstChunk) return fails("MarketInvalidWordsLength", job.id, bytes);
  return OK;
}

/** Words in chunk k (0 past the last chunk). */
export function chunkLength(job: JobModel, k: number): number {
  const first = k * job.C;
  if (first >= job.W) return 0;
  return Math.min(job.C, job.W - first);
}

/** Submitters of the eligible groups, in the aggregation data's order (groups ascending, members ascending). */
export function aggregationSlices(rd: RoundModel): number[] {
  return eligibleGroups(rd).flatMap((k) => rd.groups[k].filter((i) => rd.submitted.has(i)));
}

/** Members finalizeRound must slash, in the contract's order (groups, then members ascending), with the reason. */
export function expectedSlashes(rd: RoundModel): { member: number; reason: bigint }[] {
  const out: { member: number; reason: bigint }[] = [];
  for (const group of rd.groups) {
    for (const i of group) {
      if (!rd.commitments.has(i)) continue;
      if (!rd.submitted.has(i)) {
        if ((rd.active.get(i)?.size ?? 0) >= 2) out.push({ member: i, reason: 0n });
      } else if (rd.contradicted.has(i)) {
        out.push({ member: i, reason: 2n });
      } else if (!rd.revealed.has(i) && targets(rd, i).length > 0) {
        out.push({ member: i, reason: 1n });
      }
    }
  }
  return out;
}
