// An in-process market for benchmarks: funded wallets, a job with its model posted, members joined,
// and one round driven through the real chain actions (commit, submit, reveal, aggregate, finalize).
import { time } from "@nomicfoundation/hardhat-network-helpers";
import hre from "hardhat";
import { Wallet, parseEther, type Signer } from "ethers";
import { generateKeyPair } from "../../src/protocol";
import {
  aggregateRound,
  commitSeeds,
  createJob,
  joinJob,
  marketAt,
  publishModel,
  revealSeeds,
  submitMasked,
  type JobParameters,
  type Member,
  type OmniMarket,
  type TxCost,
} from "../../src/chain";
import { deployMarket } from "../../src/chain/deployMarket";

/** `count` fresh wallets on the in-process network, each holding `ether` ETH. */
export async function fundedWallets(count: number, ether = "1000"): Promise<Signer[]> {
  const wallets: Signer[] = [];
  for (let i = 0; i < count; i++) {
    const wallet = Wallet.createRandom().connect(hre.ethers.provider);
    await hre.network.provider.send("hardhat_setBalance", [wallet.address, "0x" + parseEther(ether).toString(16)]);
    wallets.push(wallet);
  }
  return wallets;
}

/** A job with its model posted and its roster full: round 0 is open. */
export interface OpenJob {
  market: OmniMarket;
  jobId: bigint;
  members: Member[];
  setup: { create: TxCost[]; publish: TxCost[]; join: TxCost[] };
}

/** Deploys the market, posts a job with `packedModel`, and joins `params.numDOs` fresh members. */
export async function openJob(params: JobParameters, packedModel: Uint8Array): Promise<OpenJob> {
  const [owner, ...dataOwners] = await fundedWallets(Number(params.numDOs) + 1);
  const { address } = await deployMarket(owner);
  const market = marketAt(address, owner);
  const { jobId, txs: create } = await createJob({ market, params });
  const publish = await publishModel(market, jobId, packedModel);
  const members: Member[] = [];
  const join: TxCost[] = [];
  for (const [index, signer] of dataOwners.entries()) {
    const keys = await generateKeyPair();
    const memberMarket = marketAt(address, signer);
    join.push(...(await joinJob(memberMarket, jobId, keys.publicKey)));
    members.push({ market: memberMarket, jobId, index, secretKey: keys.secretKey });
  }
  return { market, jobId, members, setup: { create, publish, join } };
}

/** The transactions of one round, by phase. */
export interface RoundCosts {
  commit: TxCost[];
  submit: TxCost[];
  reveal: TxCost[];
  aggregate: TxCost[];
  finalize: TxCost[];
}

/**
 * Runs the open round: every member commits, members not in `dropouts` submit `updates[index]`, the clock
 * moves past the submit deadline when someone dropped, required reveals are made, and `aggregator`
 * aggregates and finalizes.
 */
export async function runRound(job: OpenJob, updates: Uint32Array[], dropouts: ReadonlySet<number> = new Set()): Promise<RoundCosts> {
  const costs: RoundCosts = { commit: [], submit: [], reveal: [], aggregate: [], finalize: [] };
  for (const member of job.members) costs.commit.push(await commitSeeds(member));
  for (const member of job.members) {
    if (!dropouts.has(member.index)) costs.submit.push(...(await submitMasked(member, updates[member.index])));
  }
  if (dropouts.size > 0) {
    const round = await job.market.roundInfo(job.jobId);
    await time.increaseTo(round.submitDeadline + 1n);
  }
  for (const member of job.members) {
    if (dropouts.has(member.index)) continue;
    const tx = await revealSeeds(member);
    if (tx) costs.reveal.push(tx);
  }
  const aggregated = await aggregateRound(job.market, job.jobId);
  if (!aggregated) throw new Error(`job ${job.jobId} is not in its aggregate phase`);
  const { chunks, finalize } = aggregated;
  costs.aggregate.push(...chunks);
  costs.finalize.push(finalize);
  return costs;
}
