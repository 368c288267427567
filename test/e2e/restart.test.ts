// A worker killed with SIGKILL at every stage boundary of src/worker/stages.ts (joined, committed, trained,
// submitted, revealed, aggregated, released) and restarted with the same state folder and key finishes the
// round and is paid: the chain is its source of truth, the round's update is on disk. Its group peers are
// played by the test and act only after each kill, so the worker cannot run past the stage a kill aims at.
import { expect } from "chai";
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "fs";
import path from "path";
import { ZeroAddress } from "ethers";
import { CreditKind, Phase, hasBit, readRoundState } from "../../src/chain";
import { BURN_ADDRESS } from "../../src/protocol";
import type { WorkerProcess } from "../../src/devnet/workers";
import { updateFile } from "../../src/worker/roundUpdate";
import type { WorkerStage } from "../../src/worker/stages/names";
import { TERMS, scriptedJob, type ScriptedJob } from "./scriptedJob";

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => statSync(path.join(dir, f)).isFile());
}

describe("worker crash and restart at every stage (local chain, a worker process, scripted peers)", function () {
  this.timeout(300_000);
  let job: ScriptedJob;
  let stateDir: string;
  let victim: WorkerProcess | undefined;
  let incarnation = 0;
  /** Positions in job.members of the worker's group peers and of every other peer, once the groups are drawn. */
  let mates: number[] = [];
  let others: number[] = [];
  /** The worker's group peers that submit, and the one that drops after committing. */
  const submittingMates = () => mates.slice(0, 2);
  const droppedMate = () => job.members[mates[2]];

  const phase = async () => Number(await job.market.phase(job.jobId));
  const round = () => readRoundState(job.market, job.jobId);
  const start = (extra: string[] = []) => (victim = job.startWorker(`worker-${++incarnation}`, { extra }));
  /** Waits for the worker's line of `stage`, kills it with SIGKILL on the spot and waits for it to be gone. */
  async function killAt(stage: WorkerStage): Promise<void> {
    await victim!.waitForStage(stage);
    victim!.child.kill("SIGKILL");
    expect(await victim!.exited).to.equal(null);
    expect(victim!.child.signalCode).to.equal("SIGKILL");
  }
  const noTemporaries = () => expect(filesUnder(stateDir).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);

  before(async function () {
    // n = 12 in groups of 4: three groups (the median's minimum), the worker's with three of the eleven
    // scripted peers, so one of them can drop and leave the group its three submitters (MIN_GROUP_SUBMITTERS).
    job = await scriptedJob({ dataOwners: 12, groupSize: 4, prefix: "omni-restart-" });
    stateDir = path.join(job.work, "state");
  });

  after(async function () {
    await job?.stop();
  });

  it("killed after joining and with its state file lost, the worker finds its job on the chain and keeps its place", async function () {
    start();
    await killAt("joined");
    expect(await job.market.memberIndex(job.jobId, job.worker.address)).to.equal(0n);
    expect((await job.market.jobInfo(job.jobId)).joined).to.equal(1n);
    expect(JSON.parse(readFileSync(path.join(stateDir, "worker.json"), "utf8"))).to.include({ jobId: job.jobId.toString() });
    // As if the kill had come between the join's transaction and the state file's write; meanwhile the
    // roster fills, so the job is no longer open for joining and a search for open jobs would miss it.
    rmSync(path.join(stateDir, "worker.json"));
    await job.joinPeers();
    expect(await phase()).to.equal(Phase.Commit);
    start();
    await killAt("committed");
    expect(readFileSync(path.join(job.work, `worker-${incarnation}.log`), "utf8")).to.contain("found a running job this account joined");
    expect((await job.market.jobInfo(job.jobId)).joined).to.equal(12n, "no second join");
    const state = await round();
    expect(hasBit(state.committed, 0)).to.equal(true);
    expect(await phase()).to.equal(Phase.Commit, "the peers have not committed");
  });

  it("killed after committing, the worker trains once and keeps the update on disk", async function () {
    start();
    await killAt("trained");
    const state = await round();
    const file = updateFile(stateDir, job.jobId, state);
    expect(statSync(file).size).to.equal(4 * job.paramCount);
    expect(hasBit(state.submitted, 0)).to.equal(false);
    expect(await phase()).to.equal(Phase.Commit);
    noTemporaries();
  });

  it("killed after training, the worker submits the saved update without training again", async function () {
    const state = await round();
    const file = updateFile(stateDir, job.jobId, state);
    const saved = readFileSync(file);
    start();
    await job.commitPeers();
    expect(await phase()).to.equal(Phase.Submit);
    await killAt("submitted");
    expect(victim!.stages.map((s) => s.stage)).to.deep.equal(["submitted"]);
    expect(readFileSync(file).equals(saved)).to.equal(true);
    expect(hasBit((await round()).submitted, 0)).to.equal(true);
    expect(await phase()).to.equal(Phase.Submit, "the peers have not submitted");
  });

  it("killed after submitting, the worker reveals its seed with a dropped peer", async function () {
    start();
    ({ mates, others } = await job.groupOfWorker());
    expect(mates).to.have.length(3);
    // Two of the worker's group peers submit, the third committed and drops, so every submitter of the group
    // must reveal its seed with it; the other groups submit in full.
    await job.submitPeers([...submittingMates(), ...others]);
    await job.passSubmitDeadline();
    expect(await phase()).to.equal(Phase.Reveal);
    await killAt("revealed");
    const state = await round();
    expect(hasBit(state.revealed, 0)).to.equal(true);
    expect(state.groups.find((g) => g.members.includes(0))!.requiredReveals.get(0)).to.deep.equal([droppedMate().index]);
    expect(await phase()).to.equal(Phase.Reveal, "the peers have not revealed");
  });

  it("killed after revealing, the worker aggregates the round as its designated aggregator", async function () {
    await job.revealPeers(submittingMates());
    expect(await phase()).to.equal(Phase.Aggregate);
    // After its step the worker sleeps one poll before it reads the phase again: a long poll keeps the
    // release for the next incarnation, so the kill lands between aggregation and release.
    start(["--poll-ms", "120000"]);
    await killAt("aggregated");
    expect(await phase()).to.equal(Phase.Completed);
    expect(await job.market.releasable(ZeroAddress, job.worker.address)).to.equal(BigInt(TERMS.rewardPerRound) + BigInt(TERMS.stake));
  });

  it("killed after aggregating, the worker releases its pay and stake to the wei", async function () {
    const before = await job.node.provider.getBalance(job.worker.address);
    start();
    expect(await victim!.exited, readFileSync(path.join(job.work, `worker-${incarnation}.log`), "utf8")).to.equal(0);
    const summary = JSON.parse(await victim!.stdout);
    const due = BigInt(TERMS.rewardPerRound) + BigInt(TERMS.stake);
    expect(summary).to.include({ index: 0, finalPhase: "Completed", releasedWei: due.toString() });
    const [released] = await job.market.queryFilter(job.market.filters.Released(ZeroAddress, job.worker.address));
    const receipt = (await released.getTransactionReceipt())!;
    expect(await job.node.provider.getBalance(job.worker.address)).to.equal(before + due - receipt.gasUsed * receipt.gasPrice);
    expect(await job.market.releasable(ZeroAddress, job.worker.address)).to.equal(0n);
  });

  it("restarted after releasing, the worker sends nothing and is paid nothing twice", async function () {
    const nonce = await job.node.provider.getTransactionCount(job.worker.address);
    start();
    expect(await victim!.exited).to.equal(0);
    expect(JSON.parse(await victim!.stdout)).to.include({ releasedWei: "0", finalPhase: "Completed" });
    expect(await job.node.provider.getTransactionCount(job.worker.address)).to.equal(nonce);
  });

  it("the round's books balance: all but the dropped peer are paid, its stake is burned and its reward refunded to the owner", async function () {
    const credits = await job.market.queryFilter(job.market.filters.Credited(job.jobId));
    const ofKind = (kind: number) => credits.filter((e) => Number(e.args.kind) === kind);
    const dropped = job.peers[mates[2]].address;
    const everyone = [job.worker.address, ...job.peers.map((p) => p.address)];
    expect(
      ofKind(CreditKind.Reward)
        .map((e) => e.args.account)
        .sort(),
    ).to.deep.equal(everyone.filter((a) => a !== dropped).sort());
    const books = await job.market.jobBooks(job.jobId);
    expect(books.paid + books.fees + books.refunded + books.slashed + books.stakesReturned).to.equal(books.budget + books.stakes);
    expect(books.paid).to.equal(11n * BigInt(TERMS.rewardPerRound));
    expect(books.slashed).to.equal(BigInt(TERMS.stake));
    // The slashed stake is burned, never credited to the model owner, who gets back only the unpaid reward.
    expect(ofKind(CreditKind.Burn).map((e) => [e.args.account, e.args.amount])).to.deep.equal([[BURN_ADDRESS, BigInt(TERMS.stake)]]);
    expect(ofKind(CreditKind.OwnerSettlement).map((e) => e.args.amount)).to.deep.equal([BigInt(TERMS.rewardPerRound)]);
    expect(books.refunded).to.equal(BigInt(TERMS.rewardPerRound));
    expect(ofKind(CreditKind.StakeReturn).map((e) => e.args.account)).to.not.include(dropped);
    noTemporaries();
    expect(existsSync(path.join(stateDir, "worker.json"))).to.equal(true);
  });
});
