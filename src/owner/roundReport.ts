// What the model owner learns about a finalized round from chain data: gas, chain time, inliers, pay.
import type { Provider } from "ethers";
import { CreditKind, popcount, type OmniMarket } from "../chain";

/** One row of the per-round table. */
export interface RoundRow {
  round: number;
  accuracy: number;
  gasUsed: string;
  chainMs: number;
  inlierGroups: number;
  eligibleGroups: number;
  /** Eligible groups whose sum was over the norm bound: not counted, not paid. */
  excludedGroups: number;
  paidWei: string;
  /** Squared distance of each eligible group's mean to the aggregate, and their median (quantized units). */
  distances: string[];
  medianDistance: string;
}

/** A round's groups in words: inliers of eligible, and how many were over the norm bound. */
export function groupsText(r: Pick<RoundRow, "inlierGroups" | "eligibleGroups" | "excludedGroups">): string {
  return `inlier groups ${r.inlierGroups}/${r.eligibleGroups}` + (r.excludedGroups > 0 ? ` (${r.excludedGroups} over the norm bound)` : "");
}

/**
 * Gas of every transaction that acted on the round (commit, submit, reveal, aggregate, finalize), chain time
 * from the first submission's block to the finalization's block, inlier and eligible group counts, and the pay credited.
 */
export async function roundFacts(market: OmniMarket, jobId: bigint, round: number): Promise<Omit<RoundRow, "accuracy">> {
  const provider = market.runner!.provider as Provider;
  const [commits, submits, reveals, chunks, meanChunks, finals] = await Promise.all([
    market.queryFilter(market.filters.SeedsCommitted(jobId, round)),
    market.queryFilter(market.filters.MaskedChunksSubmitted(jobId, round)),
    market.queryFilter(market.filters.SeedsRevealed(jobId, round)),
    market.queryFilter(market.filters.AggregateChunkComputed(jobId, round)),
    market.queryFilter(market.filters.GroupMeansComputed(jobId, round)),
    market.queryFilter(market.filters.RoundFinalized(jobId, round)),
  ]);
  const final = finals[0];
  if (!final) throw new RangeError(`round ${round} of job ${jobId} is not finalized`);
  const hashes = new Set([...commits, ...submits, ...reveals, ...chunks, ...meanChunks, final].map((e) => e.transactionHash));
  let gas = 0n;
  for (const hash of hashes) gas += (await provider.getTransactionReceipt(hash))!.gasUsed;
  const finalBlock = await provider.getBlock(final.blockNumber);
  const firstSubmit = submits.length ? await provider.getBlock(Math.min(...submits.map((e) => e.blockNumber))) : finalBlock;
  const receipt = await provider.getTransactionReceipt(final.transactionHash);
  let paid = 0n;
  for (const log of receipt!.logs) {
    const parsed = market.interface.parseLog(log);
    if (parsed?.name === "Credited" && Number(parsed.args.kind) === CreditKind.Reward) paid += parsed.args.amount as bigint;
  }
  return {
    round,
    gasUsed: gas.toString(),
    chainMs: (finalBlock!.timestamp - firstSubmit!.timestamp) * 1000,
    inlierGroups: popcount(final.args.inlierGroups),
    eligibleGroups: popcount(final.args.eligibleGroups),
    excludedGroups: popcount(final.args.excludedGroups),
    paidWei: paid.toString(),
    distances: final.args.distances.map(String),
    medianDistance: (await market.roundResult(jobId, round)).medianDistance.toString(),
  };
}
