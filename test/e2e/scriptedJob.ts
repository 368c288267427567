// A job on a real local chain (anvil or a `hardhat node`, see src/devnet/localNode.ts) with one `omni worker` process under test and its group peers played by
// the test itself through the chain actions. The peers act only when the test says so, so the worker can
// never run ahead of the stage a test is looking at: every wait is on a chain fact or a worker log line.
// The round driver of the e2e worker tests; the others: test/contracts/helpers.ts (contract tests, in
// process), bench/lib/driver.ts (benchmarks), src/devnet/runMarket.ts (the market with worker processes),
// bench/lib/sim.ts (simulation without a chain).
import { mkdtempSync, rmSync } from "fs";
import os from "os";
import path from "path";
import { ZeroAddress, type Wallet } from "ethers";
import { buildModel, createRng, initBackend, loadMnist, saveShard, selectSamples, DEFAULT_MODEL_CONFIG } from "../../src/ml";
import { commitSeeds, joinJob, marketAt, readRoundState, revealSeeds, submitMasked, type Member, type OmniMarket } from "../../src/chain";
import { deployMarket } from "../../src/chain/deployMarket";
import { postJob } from "../../src/owner/postJob";
import { DEMO_RECIPE } from "../../src/owner/recipe";
import { increaseTime, startLocalNode, stopProcess, type LocalNode } from "../../src/devnet/localNode";
import { fundedWallet, spawnWorker, type WorkerProcess } from "../../src/devnet/workers";
import { jobKeyPair } from "../../src/worker/jobKey";
import { readSavedUpdate, updateFile } from "../../src/worker/roundUpdate";

/** The job's terms: one round, DEMO_RECIPE's reward and stake. */
export const TERMS = { ...DEMO_RECIPE.terms, token: ZeroAddress, rounds: 1 };

/** A posted job, the worker's account and data, and the scripted peers. */
export interface ScriptedJob {
  node: LocalNode;
  /** The market, read through the node directly (never through a proxy under test). */
  market: OmniMarket;
  address: string;
  jobId: bigint;
  paramCount: number;
  work: string;
  shard: string;
  worker: Wallet;
  peers: Wallet[];
  /** Members of the peers once joined, by position in `peers`. */
  members: Member[];
  /** Starts `omni worker` for the worker's account; `rpc` defaults to the node, `extra` flags are appended. */
  startWorker(name: string, opts?: { rpc?: string; extra?: string[] }): WorkerProcess;
  joinPeers(): Promise<void>;
  /**
   * The worker's group in the current round: `mates`, the positions in `members` of its group peers, and
   * `others`, those of every other peer (makes the block after the draw block first, as commitPeers).
   */
  groupOfWorker(): Promise<{ mates: number[]; others: number[] }>;
  /** Commits for each peer named (default all); first makes a block after the round's draw block if none is there yet. */
  commitPeers(which?: number[]): Promise<void>;
  /**
   * Submits for each peer named the update the worker saved for this round (it must have trained): every
   * group's mean is then that one vector, at distance 0 from the aggregate, so every eligible group is an
   * inlier however the groups were drawn.
   */
  submitPeers(which: number[]): Promise<void>;
  revealPeers(which: number[]): Promise<void>;
  /** Moves the chain's clock past the current submit deadline and mines a block. */
  passSubmitDeadline(): Promise<void>;
  /** Stops every worker started and the node, and removes the work folder. */
  stop(): Promise<void>;
}

/**
 * Posts a job for `dataOwners` members in groups of `groupSize` (at least 3 groups: the median's minimum) and
 * prepares a 300-sample MNIST shard for the worker.
 */
export async function scriptedJob(opts: { dataOwners: number; groupSize: number; prefix: string }): Promise<ScriptedJob> {
  await initBackend({ log: () => undefined });
  const work = mkdtempSync(path.join(os.tmpdir(), opts.prefix));
  // Automine: the test drives the clock (passSubmitDeadline), and a block comes only with a transaction it can name.
  const node = await startLocalNode({ automine: true });
  const started: WorkerProcess[] = [];
  try {
    const funder = await node.provider.getSigner(0);
    const { address } = await deployMarket(funder);
    const owner = await fundedWallet(funder, "10");
    const { jobId } = await postJob(marketAt(address, owner.connect(node.provider)), buildModel(DEFAULT_MODEL_CONFIG, 1), DEFAULT_MODEL_CONFIG, {
      ...TERMS,
      numDOs: opts.dataOwners,
      groupSize: opts.groupSize,
    });
    const market = marketAt(address, node.provider);
    const paramCount = Number((await market.jobParams(jobId)).paramCount);
    const train = loadMnist({ split: "train", limit: 300 });
    const shard = saveShard(path.join(work, "shard"), selectSamples(train, createRng(1).shuffle([...Array(300).keys()])));
    const worker = await fundedWallet(funder, "1");
    const peers: Wallet[] = [];
    for (let i = 1; i < opts.dataOwners; i++) peers.push((await fundedWallet(funder, "1")).connect(node.provider));
    const { chainId } = await node.provider.getNetwork();
    const members: Member[] = [];
    const pick = (which?: number[]) => (which ?? members.map((_, i) => i)).map((i) => members[i]);
    // The round's groups are drawn from the hash of the block that opened it: on this automining node the
    // block after it comes only with a transaction, so one is mined when there is none yet.
    const passDrawBlock = async () => {
      const { drawBlock } = await market.roundInfo(jobId);
      if ((await node.provider.getBlockNumber()) <= Number(drawBlock)) await node.provider.send("evm_mine", []);
    };

    return {
      node,
      market,
      address,
      jobId,
      paramCount,
      work,
      shard,
      worker,
      peers,
      members,
      startWorker(name, { rpc = node.url, extra = [] } = {}) {
        const args = [
          "--rpc",
          rpc,
          "--market",
          address,
          "--data",
          shard,
          "--state",
          path.join(work, "state"),
          "--head-epochs",
          "1",
          "--poll-ms",
          "200",
          ...extra,
        ];
        const spawned = spawnWorker(args, worker.privateKey, path.join(work, `${name}.log`));
        started.push(spawned);
        return spawned;
      },
      async joinPeers() {
        for (const wallet of peers) {
          const keys = await jobKeyPair(wallet, chainId, address, jobId);
          const asPeer = marketAt(address, wallet);
          await joinJob(asPeer, jobId, keys.publicKey);
          members.push({ market: asPeer, jobId, index: Number(await market.memberIndex(jobId, wallet.address)), secretKey: keys.secretKey });
        }
      },
      async groupOfWorker() {
        await passDrawBlock();
        const index = Number(await market.memberIndex(jobId, worker.address));
        const group = (await readRoundState(market, jobId)).groups.find((g) => g.members.includes(index))!.members;
        const positions = members.map((_, i) => i);
        return { mates: positions.filter((i) => group.includes(members[i].index)), others: positions.filter((i) => !group.includes(members[i].index)) };
      },
      async commitPeers(which) {
        await passDrawBlock();
        for (const member of pick(which)) await commitSeeds(member);
      },
      async submitPeers(which) {
        const file = updateFile(path.join(work, "state"), jobId, await readRoundState(market, jobId));
        const update = readSavedUpdate(file, paramCount);
        if (!update) throw new Error(`the worker has saved no update for this round (${file})`);
        for (const member of pick(which)) await submitMasked(member, update);
      },
      async revealPeers(which) {
        for (const member of pick(which)) await revealSeeds(member);
      },
      async passSubmitDeadline() {
        const { submitDeadline } = await market.roundInfo(jobId);
        const { timestamp } = (await node.provider.getBlock("latest"))!;
        await increaseTime(node.provider, Number(submitDeadline) - timestamp + 1);
      },
      async stop() {
        await Promise.all(started.map((w) => stopProcess(w.child)));
        await node.stop();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(started.map((w) => stopProcess(w.child)));
    await node.stop();
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}
