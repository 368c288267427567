// Rebuilds a job's public model for any round from chain data alone: the posted model words
// (publishModel calldata) plus every earlier round's aggregate (AggregateChunkComputed events, or under
// the geometric median the GroupMeansComputed events and the certified weights), each checked against the
// hash chain the contract stores.
import { getBytes, ZeroHash, type Provider } from "ethers";
import { addLanes, extendHashChain, unpackWords, weightedAggregate, type Bytes32 } from "../../protocol";
import { HashChainMismatchError } from "../../errors";
import { Rule, type OmniMarket } from "../market";
import { bitIndices } from "../roundState";
import { chainCall } from "../wrap";

/** The round-0 public model as posted by the MO, verified against `modelHash`. */
export async function fetchInitialModel(market: OmniMarket, jobId: bigint, fromBlock = 0): Promise<Uint32Array> {
  return chainCall("fetch model", async () => {
    const [info, params] = await Promise.all([market.jobInfo(jobId), market.jobParams(jobId)]);
    const provider = market.runner!.provider as Provider;
    const events = await market.queryFilter(market.filters.ModelPublished(jobId), fromBlock);
    const packed = new Uint8Array(Number(info.wordCount) * 32);
    let chain: Bytes32 = ZeroHash;
    for (const event of events.sort((a, b) => Number(a.args.firstWord - b.args.firstWord))) {
      const tx = await provider.getTransaction(event.transactionHash);
      const call = tx && market.interface.parseTransaction({ data: tx.data, value: tx.value });
      if (!call || call.name !== "publishModel") continue;
      const words = getBytes(call.args.words as string);
      packed.set(words, Number(event.args.firstWord) * 32);
      chain = extendHashChain(chain, words);
    }
    if (chain !== info.modelHash) throw new HashChainMismatchError(`job ${jobId} model`, info.modelHash, chain);
    return unpackWords(packed, Number(params.paramCount));
  });
}

/** The aggregate of a finalized round (d lanes), verified against the round's aggregate hash. */
export async function fetchRoundAggregate(market: OmniMarket, jobId: bigint, round: number, fromBlock = 0): Promise<Uint32Array> {
  return chainCall("fetch aggregate", async () => {
    const [params, result] = await Promise.all([market.jobParams(jobId), market.roundResult(jobId, round)]);
    // A round that settled without its aggregate (RoundVoided) leaves the model as it was, even if some
    // of its chunks were aggregated before the deadline.
    if (result.aggregateHash === ZeroHash) return new Uint32Array(Number(params.paramCount));
    // Under the Gram rules the aggregate is the weighted mean of the emitted group means.
    if (Number(params.rule) === Rule.GeometricMedian || Number(params.rule) === Rule.MultiKrum)
      return gramAggregate(market, jobId, round, result, Number(params.paramCount), fromBlock);
    const events = await market.queryFilter(market.filters.AggregateChunkComputed(jobId, round), fromBlock);
    const chunks = events.sort((a, b) => Number(a.args.chunkIndex - b.args.chunkIndex)).map((e) => getBytes(e.args.words));
    let chain: Bytes32 = ZeroHash;
    for (const words of chunks) chain = extendHashChain(chain, words);
    if (chain !== result.aggregateHash) throw new HashChainMismatchError(`job ${jobId} round ${round} aggregate`, result.aggregateHash, chain);
    const packed = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const words of chunks) {
      packed.set(words, offset);
      offset += words.length;
    }
    const d = Number(params.paramCount);
    return chunks.length === 0 ? new Uint32Array(d) : unpackWords(packed, d);
  });
}

/**
 * A Gram rule's aggregate (geometric median, Multi-Krum): the counted groups' means from the GroupMeansComputed events (checked
 * against the hash chain), weighted by the weights in the round's result (certified, or Multi-Krum's choice).
 */
async function gramAggregate(
  market: OmniMarket,
  jobId: bigint,
  round: number,
  result: Awaited<ReturnType<OmniMarket["roundResult"]>>,
  d: number,
  fromBlock: number,
): Promise<Uint32Array> {
  const events = await market.queryFilter(market.filters.GroupMeansComputed(jobId, round), fromBlock);
  const chunks = events.sort((a, b) => Number(a.args.chunkIndex - b.args.chunkIndex));
  let chain: Bytes32 = ZeroHash;
  for (const e of chunks) chain = extendHashChain(chain, getBytes(e.args.means));
  if (chain !== result.aggregateHash) throw new HashChainMismatchError(`job ${jobId} round ${round} group means`, result.aggregateHash, chain);
  // Every counted group is in every chunk, at its rank among the chunk's groups.
  const groups = bitIndices(result.eligibleGroups & ~result.excludedGroups);
  const packed = groups.map(() => new Uint8Array(Math.ceil(d / 8) * 32));
  let offset = 0;
  for (const e of chunks) {
    const bytes = getBytes(e.args.means);
    const present = bitIndices(e.args.groups);
    const slice = bytes.length / present.length;
    groups.forEach((k, u) => {
      const at = present.indexOf(k);
      packed[u].set(bytes.subarray(at * slice, (at + 1) * slice), offset);
    });
    offset += slice;
  }
  const means = packed.map((p) => new Int32Array(unpackWords(p, d).buffer));
  return weightedAggregate(means, result.weights.map(Number));
}

/** The public model that round `round` starts from: the posted model plus the aggregates of rounds 0..round−1. */
export async function fetchPublicModel(market: OmniMarket, jobId: bigint, round: number, fromBlock = 0): Promise<Uint32Array> {
  return new PublicModelTracker(market, jobId, fromBlock).at(round);
}

/**
 * A job's public model followed round by round: the posted words and each round's aggregate are fetched
 * (and checked against their hash chains) once, so a process that applies round after round reads each
 * round's logs once instead of replaying every earlier round each time.
 */
export class PublicModelTracker {
  private model: Uint32Array | undefined;
  private round = 0;

  constructor(
    readonly market: OmniMarket,
    readonly jobId: bigint,
    private readonly fromBlock = 0,
  ) {}

  /** The public model that round `round` starts from (a copy the caller may change). */
  async at(round: number): Promise<Uint32Array> {
    if (this.model === undefined || round < this.round) {
      this.model = await fetchInitialModel(this.market, this.jobId, this.fromBlock);
      this.round = 0;
    }
    while (this.round < round) {
      addLanes(this.model, await fetchRoundAggregate(this.market, this.jobId, this.round, this.fromBlock));
      this.round += 1;
    }
    return this.model.slice();
  }
}
