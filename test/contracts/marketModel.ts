// Reference model of the market for the invariant fuzz (invariants/): the state of every job as
// docs/PROTOCOL.md describes it, the phase it derives from that state and the clock, the custom error each
// entry point must raise for a given call, and the money of a round's end (pay, aggregation fees, slashes and
// missed-commit forfeits burned, void rounds, the next round or the settlement) — written from the protocol
// text, so the fuzz compares the contract against an independent reading rather than against itself.
import { AbiCoder, keccak256 } from "ethers";
import { settleHeld, type MemberRecord, type RoundAggregateResult } from "../../src/protocol";
import { Phase, type Params } from "./helpers";

/** Where slashed stakes and missed-commit forfeits are credited at settlement (nobody holds its key). */
export const BURN_ADDRESS = "0x000000000000000000000000000000000000dEaD";
/** Credit kinds, as the contract's CreditKind numbers them. */
export const Credit = { Reward: 0n, OwnerSettlement: 1n, StakeReturn: 2n, AggregationFee: 3n, Burn: 4n, HeldReward: 5n } as const;
/** Slash reasons, as the contract's SlashReason numbers them. */
export const Slash = { MissedSubmission: 0n, MissedReveal: 1n, ContradictedSeed: 2n, FalseCommitment: 3n, MissedCommit: 4n, Convicted: 5n } as const;
/** Why a round settles without its aggregate, as the contract's VoidReason numbers them. */
export const Void = { TooFewEligibleGroups: 0n, AggregationExpired: 1n } as const;

/** The books of one job (the contract's JobBooks). */
export interface Books {
  budget: bigint;
  stakes: bigint;
  paid: bigint;
  fees: bigint; // aggregation fees credited to the senders of aggregateChunk and finalizeRound
  refunded: bigint;
  slashed: bigint;
  stakesReturned: bigint;
}

/** The current round of a job. Members are roster indices. */
export interface RoundModel {
  index: number;
  openedAt: number;
  drawBlock: number; // the block that opened the round: its hash draws the groups
  drawn: boolean; // the first commit stored the randomness
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
  convicted: Set<number>; // proven false committers (disputeCommitment): their groups are void
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
  slashed: Set<number>; // ejected with their whole stake lost
  absent: Set<number>; // ejected for a missed commit, with a part of their stake lost
  records: MemberRecord[]; // blame across rounds, by roster index
  books: Books;
  round: RoundModel | null;
}

/** What a call must do: succeed, or revert with this custom error and these arguments. */
export type Expectation = { ok: true } | { error: string; args: unknown[] };

export const OK: Expectation = { ok: true };

/** A revert with this custom error and these arguments. */
export type Failure = Extract<Expectation, { error: string }>;

/** The expectation `error(...args)`. */
export function fails(error: string, ...args: unknown[]): Failure {
  return { error, args };
}

/** A round's randomness: keccak256(abi.encode(blockhash(drawBlock), market, jobId, round)). */
export function roundRandomness(drawBlockHash: string, market: string, jobId: bigint, round: number): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "address", "uint256", "uint256"], [drawBlockHash, market, jobId, round]));
}

/** A round opened at `openedAt` in block `drawBlock`, with members `members` split into `groups` by `randomness`. */
export function newRound(index: number, openedAt: number, drawBlock: number, randomness: string, members: number[], groups: number[][]): RoundModel {
  return {
    index,
    openedAt,
    drawBlock,
    drawn: false,
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
    convicted: new Set(),
    seeds: new Map(),
    chunksAggregated: 0,
    outcome: null,
  };
}

export function sealed(job: JobModel): boolean {
  return job.roster.length === job.p.numDOs;
}

/** Whether a call running in block `block` can read the round's randomness: stored by a commit, or the draw
 * block's hash is readable there (a later block, at most 256 blocks later). */
export function drawAvailable(rd: RoundModel, block: number): boolean {
  return rd.drawn || (block > rd.drawBlock && block - rd.drawBlock <= 256);
}

/** Fewest eligible groups the job's rule needs: 3 for the median and the geometric median, max(3, ceil(10000 /
 * trimBps)) for a trimmed mean. */
export function minEligible(p: Pick<Params, "rule" | "trimBps">): number {
  if (p.rule !== 1 || p.trimBps === 0) return 3;
  return Math.max(3, Math.ceil(10000 / p.trimBps));
}

/** What a member forfeits for a missed commit: min(stake, (groupSize − 1) · rewardPerRound). */
export function forfeitOf(p: Params): bigint {
  const harm = BigInt(p.groupSize - 1) * p.rewardPerRound;
  return harm < p.stake ? harm : p.stake;
}

/** Members neither slashed nor absent. */
export function remainingMembers(job: JobModel): number[] {
  return Array.from({ length: job.p.numDOs }, (_, i) => i).filter((i) => !job.slashed.has(i) && !job.absent.has(i));
}

/** Deadlines of the current round: each window starts when the previous phase ended; aggregation's runs from
 * the reveal deadline. */
export function deadlines(job: JobModel): { commit: number; submit: number; reveal: number; aggregate: number } {
  const rd = job.round!;
  const commit = rd.openedAt + job.p.commitDuration;
  const submitStart = rd.commitEndedAt || commit;
  const submit = submitStart + job.p.submitDuration;
  const allSubmitted = rd.submitted.size === rd.commitments.size;
  const revealStart = rd.submitEndedAt || (allSubmitted ? submitStart : submit);
  const reveal = revealStart + job.p.revealDuration;
  return { commit, submit, reveal, aggregate: reveal + job.p.aggregateDuration };
}

export function groupOf(rd: RoundModel, i: number): number[] | undefined {
  return rd.groups.find((g) => g.includes(i));
}

/** Whether a group has a convicted member (then it is void this round). */
export function isVoid(rd: RoundModel, group: number[]): boolean {
  return group.some((i) => rd.convicted.has(i));
}

/** Dropped peers `i` must reveal seeds for: active pairs with members that committed and did not submit,
 * only in a group with at least 3 submitters that is not void. */
export function targets(rd: RoundModel, i: number): number[] {
  const group = groupOf(rd, i);
  if (!group || isVoid(rd, group) || group.filter((j) => rd.submitted.has(j)).length < 3) return [];
  return [...(rd.active.get(i) ?? [])].filter((j) => rd.commitments.has(j) && !rd.submitted.has(j)).sort((a, b) => a - b);
}

export function requiredReveals(rd: RoundModel): number {
  return [...rd.submitted].filter((i) => targets(rd, i).length > 0).length;
}

/** Groups with at least 3 submitters, not void, no contradicting revealer and every required reveal in. */
export function eligibleGroups(rd: RoundModel): number[] {
  const out: number[] = [];
  rd.groups.forEach((group, k) => {
    const subs = group.filter((i) => rd.submitted.has(i));
    if (subs.length < 3 || isVoid(rd, group) || subs.some((i) => rd.contradicted.has(i))) return;
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
  const held = books.budget + books.stakes - books.paid - books.fees;
  return closed ? held - books.refunded - books.slashed - books.stakesReturned : held;
}

// ------------------------------------------------------------------ expected errors, in the contract's order

/** Common prefix of the round entry points: job, phase and round. */
export function expectRound(job: JobModel | undefined, jobId: bigint, t: number, expected: bigint, round: number): Expectation | null {
  if (!job) return fails("MarketUnknownJob", jobId);
  const current = phaseAt(job, t);
  if (current !== expected) return fails("MarketUnexpectedPhase", jobId, current, expected);
  const rd = job.round!;
  if (round !== rd.index) return fails("MarketWrongRound", jobId, rd.index, round);
  return null;
}

/** The prefix, then roster and round membership. */
export function expectRoundCall(
  job: JobModel | undefined,
  jobId: bigint,
  t: number,
  expected: bigint,
  round: number,
  sender: string,
  senderIndex: number | undefined,
): Expectation | null {
  const prefix = expectRound(job, jobId, t, expected, round);
  if (prefix) return prefix;
  return expectMember(job!, jobId, sender, senderIndex);
}

/** Roster and round membership of the sender. */
export function expectMember(job: JobModel, jobId: bigint, sender: string, senderIndex: number | undefined): Expectation | null {
  const rd = job.round!;
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
  const group = rd.groups.findIndex((g) => g.includes(i));
  if (isVoid(rd, rd.groups[group])) return fails("MarketGroupVoid", job.id, rd.index, group);
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

/** Expected outcome of disputeCommitment by member `i` naming `peer`, with a valid proof of their shared
 * point or not: only a committed pair of one group whose commitments differ is disputable, and then only with
 * a proof that verifies. */
export function expectDisputeBody(job: JobModel, i: number, peer: number, validProof: boolean): Expectation {
  const rd = job.round!;
  const group = groupOf(rd, i)!;
  const pair = peer !== i && group.includes(peer) && rd.commitments.has(i) && rd.commitments.has(peer);
  // A committed pair agrees exactly when it is active.
  if (!pair || rd.active.get(i)!.has(peer)) return fails("MarketNoMismatch", job.id, i, peer);
  return validProof ? OK : fails("MarketInvalidProof", job.id, i, peer);
}

/** The members of the disputed pair (i, peer) whose commitment for it differs from `truth`, the commitment to
 * the pair's true seed: convicted, their groups void for the round. */
export function convictedBy(rd: RoundModel, i: number, peer: number, truth: string): number[] {
  const slot = (a: number, b: number) =>
    groupOf(rd, a)!
      .filter((m) => m !== a)
      .indexOf(b);
  return [i, peer].filter((a) => rd.commitments.get(a)![slot(a, a === i ? peer : i)] !== truth).sort((a, b) => a - b);
}

/** Words in chunk k (0 past the last chunk). */
export function chunkLength(job: JobModel, k: number): number {
  const first = k * job.C;
  if (first >= job.W) return 0;
  return Math.min(job.C, job.W - first);
}

/** The eligible groups (ascending) that chunk `k` counts: those no earlier chunk found over the norm bound. */
export function countedGroups(rd: RoundModel, k: number): number[] {
  const excludedAt = rd.outcome?.excludedAt;
  return eligibleGroups(rd).filter((_, q) => !excludedAt || excludedAt[q] >= k);
}

/** Submitters of the groups chunk `k` counts, in the aggregation data's order (groups ascending, members ascending). */
export function aggregationSlices(rd: RoundModel, k: number): number[] {
  return countedGroups(rd, k).flatMap((g) => rd.groups[g].filter((i) => rd.submitted.has(i)));
}

/** Members finalizeRound must slash, in the contract's order (groups, then members ascending), with the reason
 * and the amount: a whole stake, or for a missed commit (in a round someone committed to) the forfeit. In a
 * void group only the convicted are slashed. */
export function expectedSlashes(job: JobModel): { member: number; reason: bigint; amount: bigint }[] {
  const rd = job.round!;
  const { stake } = job.p;
  const live = rd.commitments.size > 0;
  const out: { member: number; reason: bigint; amount: bigint }[] = [];
  for (const group of rd.groups) {
    const isVoidGroup = isVoid(rd, group);
    for (const i of group) {
      if (!rd.commitments.has(i)) {
        if (live) out.push({ member: i, reason: Slash.MissedCommit, amount: forfeitOf(job.p) });
      } else if (rd.convicted.has(i)) {
        out.push({ member: i, reason: Slash.FalseCommitment, amount: stake });
      } else if (isVoidGroup) {
        continue;
      } else if (!rd.submitted.has(i)) {
        if ((rd.active.get(i)?.size ?? 0) >= 2) out.push({ member: i, reason: Slash.MissedSubmission, amount: stake });
      } else if (rd.contradicted.has(i)) {
        out.push({ member: i, reason: Slash.ContradictedSeed, amount: stake });
      } else if (!rd.revealed.has(i) && targets(rd, i).length > 0) {
        out.push({ member: i, reason: Slash.MissedReveal, amount: stake });
      }
    }
  }
  return out;
}

/** How finalizeRound at time `t` settles the round: with its aggregate, void (and why), or not yet
 * (chunks missing before the aggregation deadline). Under the geometric median a finalization without
 * weights (`certified` false) after the deadline is void too. */
export function finalization(job: JobModel, t: number, certified = true): { voided: bigint | null } | "incomplete" {
  const rd = job.round!;
  // Groups an aggregated chunk found over the norm bound do not count.
  if (countedGroups(rd, rd.chunksAggregated).length < minEligible(job.p)) return { voided: Void.TooFewEligibleGroups };
  if (rd.chunksAggregated === job.K && (certified || job.p.rule !== 2 || t <= deadlines(job).aggregate)) return { voided: null };
  if (t <= deadlines(job).aggregate) return "incomplete";
  return { voided: Void.AggregationExpired };
}

/** Whether the job opens another round after finalizing the current one (slashes and forfeits applied):
 * rounds remain and the members left still make enough groups for the rule. */
export function opensNextRound(job: JobModel): boolean {
  const left = remainingMembers(job).length;
  return job.round!.index + 1 < job.p.rounds && Math.floor(left / job.p.groupSize) >= minEligible(job.p);
}

/** The settlement's credits ([account or roster index, kind, amount]) and its books: held pay to the members
 * their record clears (burned for slashed members), the unspent budget to the owner, everything slashed to
 * the burn address, each remaining stake (less a forfeit) to its member. Books `paid` and `slashed` grow by
 * the held pay released and burned. */
export function settlement(job: JobModel): { credits: [string | number, bigint, bigint][]; refunded: bigint; stakesReturned: bigint } {
  const b = job.books;
  const credits: [string | number, bigint, bigint][] = [];
  const held = settleHeld(job.records.slice(0, job.roster.length), job.p.rewardPerRound, job.slashed);
  held.released.forEach((amount, i) => {
    if (amount === 0n) return;
    credits.push([i, Credit.HeldReward, amount]);
    b.paid += amount;
  });
  b.slashed += held.burned;
  const refunded = b.budget - b.paid - b.fees - held.burned;
  if (refunded !== 0n) credits.push(["owner", Credit.OwnerSettlement, refunded]);
  if (b.slashed !== 0n) credits.push([BURN_ADDRESS, Credit.Burn, b.slashed]);
  let stakesReturned = 0n;
  for (let i = 0; i < job.roster.length; i++) {
    if (job.slashed.has(i)) continue;
    const amount = job.absent.has(i) ? job.p.stake - forfeitOf(job.p) : job.p.stake;
    if (amount === 0n) continue;
    credits.push([i, Credit.StakeReturn, amount]);
    stakesReturned += amount;
  }
  return { credits, refunded, stakesReturned };
}
