// What the model owner reads back about a job from chain data: which rounds are finalized, and the run
// report — the applied rounds with the payouts and the books as they stand.
import { chainCall, type OmniMarket } from "../chain";
import { readPayouts } from "./payouts";
import type { RunReport } from "./report";
import type { RoundRow } from "./roundReport";

/** The job's finalized rounds, ascending (from RoundFinalized events). */
export async function finalizedRounds(market: OmniMarket, jobId: bigint): Promise<number[]> {
  const events = await chainCall("read rounds", () => market.queryFilter(market.filters.RoundFinalized(jobId)));
  return events.map((e) => Number(e.args.round)).sort((a, b) => a - b);
}

/** The run report of a job: the applied rounds, the payouts and the books as they stand now. */
export async function jobRunReport(
  market: OmniMarket,
  jobId: bigint,
  run: { initialAccuracy: number; rounds: RoundRow[]; config: Record<string, unknown>; wallMs: number },
): Promise<RunReport> {
  const [books, payouts] = await chainCall("read books", () => Promise.all([market.jobBooks(jobId), readPayouts(market, jobId)]));
  return {
    initialAccuracy: run.initialAccuracy,
    finalAccuracy: run.rounds.at(-1)?.accuracy ?? run.initialAccuracy,
    rounds: run.rounds,
    payoutsWei: Object.fromEntries(Object.entries(payouts.rewardWei).map(([account, wei]) => [account, wei.toString()])),
    budgetWei: books.budget.toString(),
    refundedWei: books.refunded.toString(),
    slashedWei: books.slashed.toString(),
    stakesReturnedWei: books.stakesReturned.toString(),
    config: run.config,
    wallMs: run.wallMs,
  };
}
