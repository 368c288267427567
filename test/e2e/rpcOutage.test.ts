// A worker whose node goes away for 30 s mid-round — every connection dropped, new ones refused, and the
// answer to its submission lost on the way back — retries, carries on where the chain says it stands,
// completes the round and is paid. The worker talks to the node through a proxy the test controls; the
// group peers are played by the test and talk to the node directly. Then `omni job create`, cut off once
// its job holds the budget, leaves a job folder through which the budget comes back.
import { expect } from "chai";
import { spawn, type ChildProcess } from "child_process";
import { existsSync, readFileSync } from "fs";
import path from "path";
import { Transaction, ZeroAddress } from "ethers";
import { CreditKind, Phase, hasBit, phaseName, readRoundState } from "../../src/chain";
import { buildModel, saveModel, DEFAULT_MODEL_CONFIG } from "../../src/ml";
import { increaseTime, stopProcess } from "../../src/devnet/localNode";
import { fundedWallet, type WorkerProcess } from "../../src/devnet/workers";
import { TERMS, scriptedJob, type ScriptedJob } from "./scriptedJob";
import { startRpcProxy, type RpcProxy } from "./rpcProxy";

const OUTAGE_MS = 30_000;
const ROOT = path.join(__dirname, "..", "..");

const cliRuns = new Set<ChildProcess>();

/** Runs the real CLI to its end, without blocking this process (the proxy lives here). */
function omni(args: string[], privateKey: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "omni.js"), ...args], { cwd: ROOT, env: { ...process.env, PRIVATE_KEY: privateKey } });
    cliRuns.add(child);
    child.once("exit", () => cliRuns.delete(child));
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("worker through a 30 s RPC outage (local chain, a worker process behind a proxy, scripted peers)", function () {
  this.timeout(300_000);
  let job: ScriptedJob;
  let proxy: RpcProxy;
  let worker: WorkerProcess;
  let outage: Promise<void> | undefined;
  let log: string;

  before(async function () {
    // 9 members in groups of 3, the fewest the median admits: the worker and 8 scripted peers.
    job = await scriptedJob({ dataOwners: 9, groupSize: 3, prefix: "omni-outage-" });
    const submitSelector = job.market.interface.getFunction("submitMasked")!.selector;
    // The line is cut right after the worker's first submission reaches the node: the transaction is mined,
    // its answer never arrives, and the node stays out of reach for OUTAGE_MS.
    const isSubmission = (call: { method: string; params: unknown[] }) =>
      call.method === "eth_sendRawTransaction" && Transaction.from(call.params[0] as string).data.startsWith(submitSelector);
    proxy = await startRpcProxy(
      job.node.port,
      (call) => (outage === undefined && isSubmission(call) ? "drop-answer" : "pass"),
      () => (outage = proxy.outage(OUTAGE_MS)),
    );

    worker = job.startWorker("worker", { rpc: proxy.url });
    await worker.waitForStage("joined");
    await job.joinPeers();
    await worker.waitForStage("committed");
    await job.commitPeers();
    // The worker's submission is on the chain although the worker never heard back; the peers submit
    // during the outage, which moves the round on to aggregation without the worker seeing it.
    while (!hasBit((await readRoundState(job.market, job.jobId)).submitted, 0)) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(outage, "the outage started with the submission").not.to.equal(undefined);
    await job.submitPeers(job.peers.map((_, i) => i));
    expect(Number(await job.market.phase(job.jobId))).to.equal(Phase.Aggregate);
    await outage;
    expect(await worker.exited, "the worker finished with exit code 0").to.equal(0);
    log = readFileSync(path.join(job.work, "worker.log"), "utf8");
  });

  after(async function () {
    await Promise.all([...cliRuns].map((child) => stopProcess(child)));
    await proxy?.close();
    await job?.stop();
  });

  it("the worker retried while the node was unreachable and went on only after the outage", function () {
    const [{ from, to }] = proxy.outages;
    expect(to! - from).to.be.at.least(OUTAGE_MS);
    const retries = log.split("\n").filter((line) => line.includes("node unreachable, retrying"));
    expect(
      retries.some((line) => /ECONNREFUSED/.test(line)),
      "connections refused",
    ).to.equal(true);
    expect(
      retries.some((line) => /submit: .*(socket hang up|ECONNRESET)/.test(line)),
      "the submission's answer lost",
    ).to.equal(true);
    const after = worker.stages.filter((s) => s.stage === "submitted" || s.stage === "aggregated" || s.stage === "released");
    expect(after.map((s) => s.stage)).to.deep.equal(["submitted", "aggregated", "released"]);
    for (const stage of after) expect(stage.at).to.be.at.least(to!);
  });

  it("the worker submitted its update once: the retry found every chunk already on the chain", async function () {
    const own = await job.market.queryFilter(job.market.filters.MaskedChunksSubmitted(job.jobId, 0, 0));
    const posted = own.flatMap((e) => Array.from({ length: Number(e.args.chunkCount) }, (_, k) => Number(e.args.firstChunk) + k));
    const chunkCount = Number((await job.market.jobInfo(job.jobId)).chunkCount);
    expect(posted).to.deep.equal(Array.from({ length: chunkCount }, (_, k) => k));
    expect(log).not.to.contain("submit reverted");
  });

  it("the round completed with every member paid and the worker released its pay and stake", async function () {
    expect(Number(await job.market.phase(job.jobId))).to.equal(Phase.Completed);
    const rewards = (await job.market.queryFilter(job.market.filters.Credited(job.jobId))).filter((e) => Number(e.args.kind) === CreditKind.Reward);
    expect(rewards.map((e) => e.args.account)).to.have.members([job.worker.address, ...job.peers.map((p) => p.address)]);
    const summary = JSON.parse(await worker.stdout);
    expect(summary).to.include({ finalPhase: "Completed", releasedWei: (BigInt(TERMS.rewardPerRound) + BigInt(TERMS.stake)).toString() });
    expect(await job.market.releasable(ZeroAddress, job.worker.address)).to.equal(0n);
    const books = await job.market.jobBooks(job.jobId);
    expect(books.paid + books.fees + books.refunded + books.slashed + books.stakesReturned).to.equal(books.budget + books.stakes);
    expect([books.paid, books.slashed, books.refunded]).to.deep.equal([9n * BigInt(TERMS.rewardPerRound), 0n, 0n]);
  });

  it("omni job create cut off after escrowing the budget records the job in its folder, and the budget comes back through it", async function () {
    const owner = await fundedWallet(await job.node.provider.getSigner(0), "1");
    const modelDir = path.join(job.work, "mo-model");
    await saveModel(buildModel(DEFAULT_MODEL_CONFIG, 2), modelDir);
    const publishSelector = job.market.interface.getFunction("publishModel")!.selector;
    let cut: Promise<void> | undefined;
    const line: RpcProxy = await startRpcProxy(
      job.node.port,
      (call) =>
        cut === undefined && call.method === "eth_sendRawTransaction" && Transaction.from(call.params[0] as string).data.startsWith(publishSelector)
          ? "drop-answer"
          : "pass",
      () => (cut = line.outage(2_000)),
    );
    const out = path.join(job.work, "mo-job");
    const terms = ["--data-owners", "9", "--group-size", "3", "--rounds", "1", "--reward", "1000", "--stake", "500", "--join-s", "60"];
    const created = await omni(["job", "create", "--rpc", line.url, "--market", job.address, "--model", modelDir, ...terms, "--out", out], owner.privateKey);
    await cut;
    await line.close();
    const jobId = await job.market.jobCount();
    expect(created.code, created.stderr).to.equal(2);
    const lines = created.stderr.trim().split("\n");
    expect(lines.at(-1)).to.match(
      new RegExp(
        `^omni job create: job ${jobId} was created but publishing its model stopped: publishModel failed: socket hang up; .*job\\.json records job ${jobId}: .*omni job cancel --dir`,
      ),
    );
    expect(JSON.parse(readFileSync(path.join(out, "job.json"), "utf8"))).to.include({ jobId: jobId.toString(), market: job.address });
    expect(existsSync(path.join(out, "model", "model.json"))).to.equal(true);
    expect((await job.market.jobBooks(jobId)).budget).to.equal(9000n);
    expect((await job.market.jobInfo(jobId)).owner).to.equal(owner.address);

    await increaseTime(job.node.provider, 61);
    expect(phaseName(await job.market.phase(jobId))).to.equal("Cancelled");
    const cancelled = await omni(["job", "cancel", "--rpc", job.node.url, "--dir", out], owner.privateKey);
    expect(cancelled.code, cancelled.stderr).to.equal(0);
    expect(await job.market.releasable(ZeroAddress, owner.address)).to.equal(9000n);
  });
});
