// What the model owner reads back about a job from chain data: which rounds are finalized, who was paid,
// and the books — assembled with the applied rounds into the run report.
import { CreditKind, chainCall, type OmniMarket } from "../chain";
import type { RunReport } from "./report";
import type { RoundRow } from "./roundReport";

/** The job's finalized rounds, ascending (from RoundFinalized events). */
export async function finalizedRounds(market: OmniMarket, jobId: bigint): Promise<number[]> {
  const events = await chainCall("read rounds", () => market.queryFilter(market.filters.RoundFinalized(jobId)));
  return events.map((e) => Number(e.args.round)).sort((a, b) => a - b);
}

/** Reward paid per data owner so far (wei or token units, as decimal strings). */
export async function payouts(market: OmniMarket, jobId: bigint): Promise<Record<string, string>> {
  const paid: Record<string, string> = {};
  for (const e of await chainCall("read credits", () => market.queryFilter(market.filters.Credited(jobId)))) {
    if (Number(e.args.kind) !== CreditKind.Reward) continue;
    paid[e.args.account] = (BigInt(paid[e.args.account] ?? 0) + e.args.amount).toString();
  }
  return paid;
}

/** The run report of a job: the applied rounds, the payouts and the books as they stand now. */
export async function jobRunReport(
  market: OmniMarket,
  jobId: bigint,
  run: { initialAccuracy: number; rounds: RoundRow[]; config: Record<string, unknown>; wallMs: number },
): Promise<RunReport> {
  const [books, payoutsWei] = await Promise.all([chainCall("read books", () => market.jobBooks(jobId)), payouts(market, jobId)]);
  return {
    initialAccuracy: run.initialAccuracy,
    finalAccuracy: run.rounds.at(-1)?.accuracy ?? run.initialAccuracy,
    rounds: run.rounds,
    payoutsWei,
    budgetWei: books.budget.toString(),
    refundedWei: books.refunded.toString(),
    slashedWei: books.slashed.toString(),
    stakesReturnedWei: books.stakesReturned.toString(),
    config: run.config,
    wallMs: run.wallMs,
  };
}
