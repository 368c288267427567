// Blame across rounds (docs/PROTOCOL.md, "Blame across rounds"): every member's record, held pay and
// convictions, exactly as contracts/libraries/Blame.sol and Books.settle compute them.
// A group over the norm bound proves that one of its members cheated that round, not which. Groups are drawn
// afresh every round, so an honest member is over the bound only when a colluder shares its group, with
// probability at most q (sharedProbability). A member is convicted when every round it played put it over the
// bound and the product of those rounds' q is at most 1 / FALSE_CONVICTION_INV.
import { InvalidInputError } from "../errors";
import { BLAME_COLLUDER_BPS, BPS, FALSE_CONVICTION_INV, WAD } from "./constants";

/** A member's record across a job's rounds (the contract's `MemberRecord`). */
export interface MemberRecord {
  /** Finalized rounds in which it submitted in an eligible group. */
  played: number;
  /** Of those, rounds in which its group's sum went over the norm bound. */
  overBound: number;
  /** Rounds in which its group was counted and an inlier (paid at once). */
  clean: number;
  /** Rounds whose pay is held until settlement: judged rounds in which its group was an outlier or over the
   * bound, and rounds voided by groups over the bound. */
  held: number;
  /** Rounds that clear the record (one releases its held pay): its clean rounds, and rounds voided by groups
   * over the bound in which its own group stayed within it. */
  cleared: number;
  /** WAD: the product over its over-bound rounds of q (0 before the first). */
  evidence: bigint;
}

/** A record before any round. */
export function emptyRecord(): MemberRecord {
  return { played: 0, overBound: 0, clean: 0, held: 0, cleared: 0, evidence: 0n };
}

/** Colluders the conviction rule is safe against in a roster of `numDOs`: ⌊numDOs · BLAME_COLLUDER_BPS / BPS⌋, at least 1. */
export function colluders(numDOs: number): number {
  const k = Math.floor((numDOs * BLAME_COLLUDER_BPS) / BPS);
  return k === 0 ? 1 : k;
}

/**
 * q in WAD, rounded up: the chance that a member of a group of `size` drawn from `active` members shares it
 * with at least one of `k` colluders, 1 − C(a−1−k, s−1) / C(a−1, s−1) (WAD when it cannot be avoided).
 */
export function sharedProbability(active: number, k: number, size: number): bigint {
  let none = WAD;
  for (let j = 0; j + 1 < size; j++) {
    if (active < k + 2 + j) return WAD;
    none = (none * BigInt(active - 1 - k - j)) / BigInt(active - 1 - j);
  }
  return WAD - none;
}

/** Whether a record convicts: over the bound in every round played, with evidence ≤ WAD / FALSE_CONVICTION_INV. */
export function convicts(r: MemberRecord): boolean {
  return r.overBound > 0 && r.overBound === r.played && r.evidence * BigInt(FALSE_CONVICTION_INV) <= WAD;
}

// An over-bound round: the evidence times q (rounded up), one more over-bound round.
function overBound(r: MemberRecord, q: bigint): void {
  r.evidence = r.overBound === 0 ? q : (r.evidence * q + WAD - 1n) / WAD;
  r.overBound++;
}

/** What a finalized round tells the records. Per-group arrays are in group order. */
export interface RoundOutcome {
  /** The round's groups of roster indices. */
  groups: readonly (readonly number[])[];
  /** Roster indices that submitted. */
  submitted: ReadonlySet<number>;
  /** Groups whose sum was unmasked (enough submitters). */
  eligible: readonly boolean[];
  /** Eligible groups found over the norm bound. */
  excluded: readonly boolean[];
  /** Inlier groups (read only when `judged`). */
  inliers: readonly boolean[];
  /** Whether the round has an aggregate (not void). */
  judged: boolean;
  /** Members of the round (roster minus ejected). */
  active: number;
}

/**
 * Applies one finalized round to `records` (indexed by roster index) as the contract does: every submitter of an
 * eligible group played; an inlier's member is paid (clean, cleared); in a judged round the others' pay is held;
 * in a round voided while some group was over the bound everyone's pay is held and the members of the groups
 * within the bound are cleared; an over-bound group multiplies its members' evidence by q and convicts those
 * whose record convicts. Convicted members are added to `slashed` (which holds everyone slashed so far) and
 * returned with the members paid.
 */
export function recordRound(records: MemberRecord[], outcome: RoundOutcome, numDOs: number, slashed: Set<number>): { paid: number[]; convicted: number[] } {
  const k = colluders(numDOs);
  const paid: number[] = [];
  const convicted: number[] = [];
  const blamed = !outcome.judged && outcome.groups.some((_, g) => outcome.eligible[g] && outcome.excluded[g]);
  const holds = outcome.judged || blamed;
  outcome.groups.forEach((members, g) => {
    if (!outcome.eligible[g]) return;
    const q = outcome.excluded[g] ? sharedProbability(outcome.active, k, members.length) : 0n;
    const inlier = outcome.judged && outcome.inliers[g];
    const cleared = inlier || (blamed && q === 0n);
    for (const i of members) {
      if (!outcome.submitted.has(i)) continue;
      const r = records[i];
      if (r === undefined) throw new InvalidInputError("records", `no record for roster index ${i}`);
      r.played++;
      if (cleared) r.cleared++;
      if (inlier) {
        r.clean++;
        paid.push(i);
      } else if (holds) r.held++;
      if (q === 0n) continue;
      overBound(r, q);
      if (convicts(r) && !slashed.has(i)) {
        slashed.add(i);
        convicted.push(i);
      }
    }
  });
  return { paid, convicted };
}

/** Settlement of held pay: per member the amount released to it, and the totals burned and left in the budget. */
export interface HeldSettlement {
  released: bigint[];
  burned: bigint;
  refunded: bigint;
}

/** Held pay at settlement: to a member not slashed whose record is clear (a round cleared it); burned for a slashed one; else back to the budget. */
export function settleHeld(records: readonly MemberRecord[], rewardPerRound: bigint, slashed: ReadonlySet<number>): HeldSettlement {
  const out: HeldSettlement = { released: records.map(() => 0n), burned: 0n, refunded: 0n };
  records.forEach((r, i) => {
    const amount = BigInt(r.held) * rewardPerRound;
    if (slashed.has(i)) out.burned += amount;
    else if (r.cleared > 0) out.released[i] = amount;
    else out.refunded += amount;
  });
  return out;
}

/**
 * Rounds of over-bound groups in a row after which a member of a full roster of `numDOs` in groups of
 * `groupSize` is convicted (every group of the largest size), or undefined if not within `maxRounds`.
 */
export function convictionRounds(numDOs: number, groupSize: number, maxRounds = 1_000): number | undefined {
  const m = Math.floor(numDOs / groupSize);
  if (m < 1) throw new InvalidInputError("groupSize", `needs 1 ≤ groupSize ≤ numDOs, got ${groupSize} for ${numDOs}`);
  const size = Math.ceil(numDOs / m);
  const q = sharedProbability(numDOs, colluders(numDOs), size);
  const r = emptyRecord();
  for (let t = 1; t <= maxRounds; t++) {
    r.played++;
    overBound(r, q);
    if (convicts(r)) return t;
  }
  return undefined;
}
