// A worker killed with SIGKILL at each protocol stage and restarted with the same state folder and key
// finishes the job and is paid: the chain is its source of truth, the round's update is on disk.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import os from "os";
import path from "path";
import { ZeroAddress, parseEther } from "ethers";
import { buildModel, createRng, initBackend, loadMnist, selectSamples, writeShards, DEFAULT_MODEL_CONFIG } from "../../src/ml";
import { CreditKind, Phase, marketAt, readRoundState, hasBit, type OmniMarket } from "../../src/chain";
import { deployMarket } from "../../src/chain/deployMarket";
import { postJob } from "../../src/owner/postJob";
import { DEMO_RECIPE } from "../../src/owner/recipe";
import { startHardhatNode, stopProcess, type LocalNode } from "../../src/devnet/hardhatNode";
import { fundedWallet, spawnWorker, type WorkerProcess } from "../../src/devnet/workers";

type Stage = "joined" | "committed" | "submitted";

/** Which stage the member at `account` has passed in the job's current round (undefined before joining). */
async function stageOf(market: OmniMarket, jobId: bigint, account: string): Promise<Stage | undefined> {
  const index = await market.memberIndex(jobId, account).then(Number, () => undefined);
  if (index === undefined) return undefined;
  if (Number(await market.phase(jobId)) < Phase.Commit) return "joined";
  const state = await readRoundState(market, jobId);
  if (hasBit(state.submitted, index)) return "submitted";
  return hasBit(state.committed, index) ? "committed" : "joined";
}

describe("worker crash and restart (hardhat node, worker processes)", function () {
  this.timeout(300_000);
  const work = mkdtempSync(path.join(os.tmpdir(), "omni-restart-"));
  let node: LocalNode;
  const running: WorkerProcess[] = [];

  after(async function () {
    await Promise.all(running.map((w) => stopProcess(w.child)));
    if (node) await node.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("killed after joining, after committing and after submitting, a restarted worker completes the round and is paid", async function () {
    await initBackend({ log: () => undefined });
    node = await startHardhatNode();
    const funder = await node.provider.getSigner(0);
    const { address } = await deployMarket(funder);
    const owner = await fundedWallet(funder, "10");
    const market = marketAt(address, owner.connect(node.provider));
    const { jobId } = await postJob(market, buildModel(DEFAULT_MODEL_CONFIG, 1), DEFAULT_MODEL_CONFIG, {
      ...DEMO_RECIPE.terms, token: ZeroAddress, numDOs: 3, groupSize: 3, rounds: 1,
    });
    const train = loadMnist({ split: "train", limit: 900 });
    const { dirs } = writeShards(path.join(work, "shards"), selectSamples(train, createRng(1).shuffle([...Array(900).keys()])), 3, { kind: "iid" }, { seed: 1 });
    const wallets = await Promise.all([0, 1, 2].map(() => fundedWallet(funder, "1")));
    const args = (i: number) => ["--rpc", node.url, "--market", address, "--job", jobId.toString(), "--data", dirs[i], "--state", path.join(work, `state-${i}`), "--head-epochs", "1", "--poll-ms", "200", "--aggregator-delay-ms", "3000"];
    const log = path.join(work, "victim.log");
    let victim = spawnWorker(args(0), wallets[0].privateKey, log);
    running.push(victim);
    for (const i of [1, 2]) running.push(spawnWorker(args(i), wallets[i].privateKey, path.join(work, `worker-${i}.log`)));

    const killed: Stage[] = [];
    for (const stage of ["joined", "committed", "submitted"] as Stage[]) {
      while ((await stageOf(market, jobId, wallets[0].address)) !== stage) {
        if (Number(await market.phase(jobId)) === Phase.Completed) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (Number(await market.phase(jobId)) === Phase.Completed) break;
      victim.child.kill("SIGKILL");
      await victim.exited;
      killed.push(stage);
      victim = spawnWorker(args(0), wallets[0].privateKey, log);
      running.push(victim);
    }
    expect(killed, "the victim was killed at every stage before the round completed").to.deep.equal(["joined", "committed", "submitted"]);
    expect(await victim.exited, readFileSync(log, "utf8")).to.equal(0);

    expect(Number(await market.phase(jobId))).to.equal(Phase.Completed);
    const rewards = (await market.queryFilter(market.filters.Credited(jobId))).filter((e) => Number(e.args.kind) === CreditKind.Reward);
    expect(rewards.map((e) => e.args.account)).to.include(wallets[0].address);
    expect(await market.releasable(ZeroAddress, wallets[0].address)).to.equal(0n, "the restarted worker released its pay");
    const books = await market.jobBooks(jobId);
    expect(books.paid + books.refunded + books.slashed + books.stakesReturned).to.equal(books.budget + books.stakes);
    expect(books.paid).to.equal(3n * parseEther("0.01"));
  });
});
