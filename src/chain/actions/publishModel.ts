// Model owner: post the quantized public model as calldata, in transaction-sized runs of words.
import { WORD_BYTES } from "../../protocol";
import type { OmniMarket } from "../market";
import { batches, send, type TxCost } from "../txs";

/** Posts the packed public model (W·32 bytes) from the first unposted word; returns the costs. */
export async function publishModel(market: OmniMarket, jobId: bigint, packed: Uint8Array): Promise<TxCost[]> {
  const posted = Number((await market.jobInfo(jobId)).wordsPosted);
  const words = packed.length / WORD_BYTES;
  const txs: TxCost[] = [];
  for (const run of batches(words - posted, WORD_BYTES)) {
    const first = posted + run.first;
    const data = packed.subarray(first * WORD_BYTES, (first + run.count) * WORD_BYTES);
    txs.push(await send("publishModel", (o) => market.publishModel(jobId, first, data, o)));
  }
  return txs;
}
