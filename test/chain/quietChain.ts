// A local node that mines only when a transaction arrives (automine), with the market deployed and a funded
// account: the quiet chain on which a deadline passes by wall time while every call still runs at the last
// block. Shared by the clock tests of src/chain, src/worker and src/cli.
import type { Wallet } from "ethers";
import { createJob, joinJob, marketAt, publishModel, type OmniMarket } from "../../src/chain";
import { generateKeyPair, packWords, windowFloors } from "../../src/protocol";
import { deployMarket } from "../../src/chain/deployMarket";
import { defaultChainClient, startLocalNode, type LocalNode } from "../../src/devnet/localNode";
import { fundedWallet } from "../../src/devnet/workers";
import { cellParams } from "../../bench/lib/chainCell";

/** The node, an account on it, and the market connected to that account. */
export interface QuietChain {
  node: LocalNode;
  wallet: Wallet;
  market: OmniMarket;
  address: string;
}

/** Starts an automining node (OMNI_CHAIN's client) and deploys the market; the caller stops the node. */
export async function quietChain(): Promise<QuietChain> {
  const node = await startLocalNode({ client: defaultChainClient(), automine: true });
  try {
    const funder = await node.provider.getSigner(0);
    const { address } = await deployMarket(funder);
    const wallet = (await fundedWallet(funder, "10")).connect(node.provider);
    return { node, wallet, market: marketAt(address, wallet), address };
  } catch (error) {
    await node.stop();
    throw error;
  }
}

const D = 1_000;
/** The smallest job the contract admits for the median: 3 groups of 3. */
const N = 9;
const G = 3;
/** The shortest windows the contract admits for that job (48 s each: three 12 s blocks and one for the work). */
export const SHORTEST_WINDOWS = windowFloors(N, G, D);

/**
 * Posts a job for 9 data owners whose join deadline is `joinSeconds` (default: the shortest the contract admits)
 * after its creation; it stays in Publishing, or with `publish` its model is posted at once and it waits in
 * Joining. Returns its id, that deadline and its budget.
 */
export async function jobEndingSoon(
  chain: QuietChain,
  joinSeconds = SHORTEST_WINDOWS.join,
  { publish = false } = {},
): Promise<{ jobId: bigint; joinDeadline: bigint; budget: bigint }> {
  const params = { ...cellParams({ d: D, n: N, g: G, dropouts: 0 }), joinDuration: joinSeconds };
  const { jobId } = await createJob({ market: chain.market, params });
  if (publish) await publishModel(chain.market, jobId, packWords(new Uint32Array(D)));
  const { joinDeadline } = await chain.market.jobInfo(jobId);
  return { jobId, joinDeadline, budget: (await chain.market.jobBooks(jobId)).budget };
}

/**
 * Posts a job for 9 data owners, publishes its model and fills its roster with fresh accounts: round 0 is in
 * Commit, which lasts `commitSeconds` (default: the shortest the contract admits).
 */
export async function jobInCommit(chain: QuietChain, commitSeconds = SHORTEST_WINDOWS.commit): Promise<{ jobId: bigint }> {
  const params = { ...cellParams({ d: D, n: N, g: G, dropouts: 0 }), commitDuration: commitSeconds };
  const { jobId } = await createJob({ market: chain.market, params });
  await publishModel(chain.market, jobId, packWords(new Uint32Array(D)));
  const funder = await chain.node.provider.getSigner(0);
  for (let i = 0; i < N; i++) {
    const member = (await fundedWallet(funder, "1")).connect(chain.node.provider);
    await joinJob(marketAt(chain.address, member), jobId, (await generateKeyPair()).publicKey);
  }
  return { jobId };
}

/** Resolves once wall time is `seconds` past `deadline` (unix seconds). */
export function wallTimePast(deadline: bigint | number, seconds: number): Promise<void> {
  const ms = (Number(deadline) + seconds) * 1000 - Date.now();
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
