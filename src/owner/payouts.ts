// Who was paid for which round, read back from chain events: the basis of the run report's pay columns
// and of the robustness figures (attackers paid, honest members who lost a round's pay).
import { CreditKind, type OmniMarket } from "../chain";

/** Per account: rounds it was rewarded for and the total reward. */
export interface Payouts {
  /** The job's reward per round, in wei. */
  rewardPerRound: bigint;
  /** account → total reward in wei: paid at once, plus held pay released at settlement. */
  rewardWei: Record<string, bigint>;
  /** account → held pay released to it at settlement, in wei. */
  releasedWei: Record<string, bigint>;
  /** account → rounds it was rewarded for. */
  rewardedRounds: Record<string, number[]>;
  /** account → roster index. */
  rosterIndex: Record<string, number>;
}

/** Reads every reward credit of the job (paid at once and held pay released) and the roster from events. */
export async function readPayouts(market: OmniMarket, jobId: bigint): Promise<Payouts> {
  const payouts: Payouts = {
    rewardPerRound: (await market.jobParams(jobId)).rewardPerRound,
    rewardWei: {},
    releasedWei: {},
    rewardedRounds: {},
    rosterIndex: {},
  };
  for (const e of await market.queryFilter(market.filters.Joined(jobId))) {
    payouts.rosterIndex[e.args.account] = Number(e.args.index);
    payouts.rewardWei[e.args.account] = 0n;
    payouts.releasedWei[e.args.account] = 0n;
    payouts.rewardedRounds[e.args.account] = [];
  }
  const finalized = new Map<string, number>();
  for (const e of await market.queryFilter(market.filters.RoundFinalized(jobId))) finalized.set(e.transactionHash, Number(e.args.round));
  for (const e of await market.queryFilter(market.filters.Credited(jobId))) {
    const kind = Number(e.args.kind);
    if (kind !== CreditKind.Reward && kind !== CreditKind.HeldReward) continue;
    const account = e.args.account;
    payouts.rewardWei[account] = (payouts.rewardWei[account] ?? 0n) + e.args.amount;
    if (kind === CreditKind.HeldReward) {
      payouts.releasedWei[account] = (payouts.releasedWei[account] ?? 0n) + e.args.amount;
      continue;
    }
    const round = finalized.get(e.transactionHash);
    if (round !== undefined) (payouts.rewardedRounds[account] ??= []).push(round);
  }
  return payouts;
}

/**
 * The robustness outcome: attackers that earned anything (at once or at settlement), honest (member, round)
 * pairs not paid at once, an attacker's mean pay as a share of an honest DO's mean pay after settlement (null
 * without attackers or honest pay), and the share of the honest DOs' full pay (rounds × reward) they did not get.
 */
export function payoutOutcome(payouts: Payouts, attackers: ReadonlySet<string>, rounds: number) {
  const accounts = Object.keys(payouts.rosterIndex);
  const attackersPaid = accounts.filter((a) => attackers.has(a) && payouts.rewardWei[a] > 0n);
  const honestUnpaidRounds = accounts
    .filter((a) => !attackers.has(a))
    .flatMap((a) =>
      Array.from({ length: rounds }, (_, r) => r)
        .filter((r) => !payouts.rewardedRounds[a].includes(r))
        .map((round) => ({ account: a, round })),
    );
  const honest = accounts.filter((a) => !attackers.has(a));
  const mean = (list: string[]) => Number(list.reduce((s, a) => s + payouts.rewardWei[a], 0n)) / Math.max(1, list.length);
  const bad = accounts.filter((a) => attackers.has(a));
  const attackerPayShare = bad.length === 0 || mean(honest) === 0 ? null : mean(bad) / mean(honest);
  const full = BigInt(honest.length * rounds) * payouts.rewardPerRound;
  const honestWei = honest.reduce((s, a) => s + payouts.rewardWei[a], 0n);
  const honestPayLost = full === 0n ? 0 : Number(full - honestWei) / Number(full);
  return { attackersPaid, honestUnpaidRounds, attackerPayShare, honestPayLost };
}
