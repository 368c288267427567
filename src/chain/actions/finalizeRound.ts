// Anyone, aggregate phase: finalize the current round — with a geometric-median certificate when the job's
// rule needs one (weights from the Gram matrix the chunks left on-chain, docs/PROTOCOL.md).
import { geoMedianWeights } from "../../protocol";
import { Rule, type OmniMarket } from "../market";
import { readRoundState } from "../roundState";
import { send, type TxCost } from "../txs";

/**
 * The weights that certify the current round's geometric median, or undefined when the round needs none: its
 * rule is per lane, or it settles without its aggregate (too few groups counted, or chunks missing).
 */
export async function certificateWeights(market: OmniMarket, jobId: bigint): Promise<number[] | undefined> {
  const params = await market.jobParams(jobId);
  if (Number(params.rule) !== Rule.GeometricMedian) return undefined;
  const state = await readRoundState(market, jobId);
  if (state.chunksAggregated < state.chunkCount) return undefined;
  const [counted, gram] = await market.roundGram(jobId);
  if (gram.length === 0 || Math.sqrt(gram.length) < state.minEligible || counted === 0n) return undefined;
  return geoMedianWeights(gram);
}

/** Finalizes round `round` of the job (finalizeCertifiedRound with weights under the geometric median). */
export async function finalizeRound(market: OmniMarket, jobId: bigint, round: number): Promise<TxCost> {
  const weights = await certificateWeights(market, jobId);
  if (weights === undefined) return send("finalizeRound", (o) => market.finalizeRound(jobId, round, o));
  return send("finalizeCertifiedRound", (o) => market.finalizeCertifiedRound(jobId, round, weights, o));
}
