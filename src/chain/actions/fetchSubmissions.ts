// Reads every member's masked submission of the current round back from transaction calldata
// (the contract stores only chunk hashes; the bytes live in the `submitMasked` calldata).
import { getBytes, type Provider } from "ethers";
import { WORD_BYTES } from "../../protocol";
import type { OmniMarket } from "../market";
import { chainCall } from "../wrap";

/** Member roster index → its packed masked vector (W·32 bytes), for members whose chunks were all found. */
export type Submissions = Map<number, Uint8Array>;

/**
 * Collects the round's submissions from `MaskedChunksSubmitted` events and their transactions' calldata.
 * Only direct calls to the market are decoded (a submission relayed through another contract is not).
 */
export async function fetchSubmissions(market: OmniMarket, jobId: bigint, round: number, fromBlock = 0): Promise<Submissions> {
  return chainCall("fetch submissions", async () => {
    const info = await market.jobInfo(jobId);
    const chunkBytes = Number(info.chunkWords) * WORD_BYTES;
    const totalBytes = Number(info.wordCount) * WORD_BYTES;
    const provider = market.runner!.provider as Provider;
    const events = await market.queryFilter(market.filters.MaskedChunksSubmitted(jobId, round), fromBlock);
    const parts = new Map<number, { bytes: Uint8Array; filled: number }>();
    for (const event of events) {
      const tx = await provider.getTransaction(event.transactionHash);
      const call = tx && market.interface.parseTransaction({ data: tx.data, value: tx.value });
      if (!call || call.name !== "submitMasked") continue;
      const index = Number(event.args.member);
      const entry = parts.get(index) ?? { bytes: new Uint8Array(totalBytes), filled: 0 };
      const data = getBytes(call.args.words as string);
      entry.bytes.set(data, Number(event.args.firstChunk) * chunkBytes);
      entry.filled += data.length;
      parts.set(index, entry);
    }
    const submissions: Submissions = new Map();
    for (const [index, entry] of parts) if (entry.filled === totalBytes) submissions.set(index, entry.bytes);
    return submissions;
  });
}
