// PublicModelTracker (src/chain/actions/fetchModel.ts) on a job of several rounds played with the contract
// helpers: it gives every round's public model, earlier rounds after later ones too, returns copies, and
// following the job round by round reads the posted words once and each round's aggregate once.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { DeferredTopicFilter, Provider } from "ethers";
import { PublicModelTracker, fetchPublicModel, type OmniMarket } from "../../src/chain";
import { deployFixture, jobParams, lanesOf, modelOf, openJob, playRound } from "../contracts/helpers";

const ROUNDS = 4;
const PARAMS = jobParams({ rounds: ROUNDS, paramCount: 100 });

/** A job whose ROUNDS rounds were all played and finalized, with the model each round starts from, computed
 * here from the posted model and the aggregates the rounds' chunk transactions emitted. */
async function playedJobFixture() {
  const { market, mo, dos } = await deployFixture();
  const job = await openJob(market, mo, dos, PARAMS);
  const d = PARAMS.paramCount;
  const models = [modelOf(d)];
  for (let r = 0; r < ROUNDS; r++) {
    const { aggregate } = await playRound(job);
    await job.market.finalizeRound(job.jobId, r);
    const lanes = lanesOf(aggregate).subarray(0, d);
    models.push(models[r].map((value, e) => (value + lanes[e]) >>> 0));
  }
  const postings = (await market.queryFilter(market.filters.ModelPublished(job.jobId))).length;
  return { market: job.market, jobId: job.jobId, models, postings };
}

/** What the tracker read through a counting market: each log query (event, and round for a round's event)
 * and the number of transactions fetched. */
interface Reads {
  queries: string[];
  transactions: number;
}

/** `market` behind proxies that record its log queries and its provider's transaction fetches in `reads`. */
function counted(market: OmniMarket, reads: Reads): OmniMarket {
  const runner = market.runner!;
  const provider = runner.provider as Provider;
  const forward = (target: object, prop: string | symbol) => {
    const value = Reflect.get(target, prop, target);
    return typeof value === "function" ? value.bind(target) : value;
  };
  const countedProvider = new Proxy(provider, {
    get: (target, prop) =>
      prop === "getTransaction"
        ? (hash: string) => {
            reads.transactions++;
            return target.getTransaction(hash);
          }
        : forward(target, prop),
  });
  const countedRunner = new Proxy(runner, { get: (target, prop) => (prop === "provider" ? countedProvider : forward(target, prop)) });
  return new Proxy(market, {
    get: (target, prop) => {
      if (prop === "runner") return countedRunner;
      if (prop !== "queryFilter") return Reflect.get(target, prop, target);
      return async (filter: DeferredTopicFilter, ...rest: unknown[]) => {
        const topics = await filter.getTopicFilter();
        const round = filter.fragment.name === "AggregateChunkComputed" ? ` round ${BigInt(topics[2] as string)}` : "";
        reads.queries.push(`${filter.fragment.name}${round}`);
        return (target.queryFilter as (...args: unknown[]) => Promise<unknown>)(filter, ...rest);
      };
    },
  });
}

describe("chain/PublicModelTracker", function () {
  it("gives every round the model fetchPublicModel and the played rounds give", async function () {
    const { market, jobId, models } = await loadFixture(playedJobFixture);
    const tracker = new PublicModelTracker(market, jobId);
    for (let r = 0; r <= ROUNDS; r++) {
      const model = await tracker.at(r);
      expect(model).to.deep.equal(await fetchPublicModel(market, jobId, r));
      expect(model).to.deep.equal(models[r]);
    }
  });

  it("gives an earlier round's model after a later one", async function () {
    const { market, jobId, models } = await loadFixture(playedJobFixture);
    const tracker = new PublicModelTracker(market, jobId);
    expect(await tracker.at(ROUNDS)).to.deep.equal(models[ROUNDS]);
    expect(await tracker.at(1)).to.deep.equal(models[1]);
    expect(await tracker.at(0)).to.deep.equal(models[0]);
    expect(await tracker.at(ROUNDS - 1)).to.deep.equal(models[ROUNDS - 1]);
  });

  it("returns a copy: changing it changes neither the same round's next answer nor a later round's", async function () {
    const { market, jobId, models } = await loadFixture(playedJobFixture);
    const tracker = new PublicModelTracker(market, jobId);
    const first = await tracker.at(2);
    first.fill(7);
    expect(await tracker.at(2)).to.deep.equal(models[2]);
    (await tracker.at(2))[0] ^= 1;
    expect(await tracker.at(3)).to.deep.equal(models[3]);
  });

  it("applied round after round, reads the posted words once and each round's aggregate once", async function () {
    const { market, jobId, models, postings } = await loadFixture(playedJobFixture);
    const reads: Reads = { queries: [], transactions: 0 };
    const tracker = new PublicModelTracker(counted(market, reads), jobId);
    for (let r = 1; r <= ROUNDS; r++) expect(await tracker.at(r)).to.deep.equal(models[r]);
    const eachRound = Array.from({ length: ROUNDS }, (_, r) => `AggregateChunkComputed round ${r}`);
    expect(reads.queries).to.deep.equal(["ModelPublished", ...eachRound]);
    expect(reads.transactions).to.equal(postings);
  });

  it("fetchPublicModel, called afresh for each round, replays every earlier round (the reads the tracker saves)", async function () {
    const { market, jobId } = await loadFixture(playedJobFixture);
    const reads: Reads = { queries: [], transactions: 0 };
    for (let r = 1; r <= ROUNDS; r++) await fetchPublicModel(counted(market, reads), jobId, r);
    const aggregateReads = reads.queries.filter((q) => q.startsWith("AggregateChunkComputed")).length;
    expect(aggregateReads).to.equal((ROUNDS * (ROUNDS + 1)) / 2);
  });
});
