import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Wallet, ZeroAddress, parseEther, type Signer } from "ethers";
import {
  aggregateRound,
  commitSeeds,
  fetchInitialModel,
  fetchPublicModel,
  joinJob,
  marketAt,
  phaseName,
  submitMasked,
  type Member,
  type OmniMarket,
} from "../../src/chain";
import { deployMarket } from "../../src/chain/deployMarket";
import { increaseTime, startLocalNode, type LocalNode } from "../../src/devnet/localNode";
import { DEFAULT_MODEL_CONFIG, buildModel, initBackend, loadModel, publicWeights, saveModel } from "../../src/ml";
import { architectureCommitment, encodeModel } from "../../src/owner/modelCodec";
import type { JobRecord } from "../../src/owner/jobFolder";
import { dequantize } from "../../src/protocol";
import { jobKeyPair } from "../../src/worker/jobKey";

const ROOT = path.join(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "omni.js");

describe("cli/job", function () {
  let node: LocalNode;
  let funder: Signer;
  let market: OmniMarket;
  let tmp: string;
  let deployment: string;

  function omni(args: string[], privateKey: string) {
    const r = spawnSync(process.execPath, [BIN, "job", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, PRIVATE_KEY: privateKey, OMNI_KEYSTORE_PASSWORD: "" },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  async function fundedWallet(ether: string): Promise<Wallet> {
    const wallet = new Wallet(Wallet.createRandom().privateKey, node.provider);
    await (await funder.sendTransaction({ to: wallet.address, value: parseEther(ether) })).wait();
    return wallet;
  }

  // 9 data owners in groups of 3: the 3 groups the median (and a trimmed mean of trimBps ≥ 3334) needs.
  const terms = ["--data-owners", "9", "--group-size", "3", "--rounds", "2", "--reward", "1000", "--stake", "500"];
  const create = (wallet: Wallet, out: string, extra: string[] = []) =>
    omni(["create", "--rpc", node.url, "--deployment", deployment, "--pretrain", "200", ...terms, "--out", out, ...extra], wallet.privateKey);

  /** Runs a command that must fail: exit 2, a last stderr line naming `problem` (and no other error line), nothing sent by `wallet`, no --out folder. */
  async function expectRefused(args: string[], wallet: Wallet, problem: RegExp) {
    const jobs = await market.jobCount();
    const r = omni(args, wallet.privateKey);
    expect(r.code, r.stderr).to.equal(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines.filter((line) => line.startsWith("omni job"))).to.deep.equal([lines.at(-1)]);
    expect(lines.at(-1), lines.at(-1)).to.match(problem);
    expect(r.stdout).to.equal("");
    expect(await node.provider.getTransactionCount(wallet.address)).to.equal(0);
    expect(await market.jobCount()).to.equal(jobs);
    const out = args.indexOf("--out");
    if (out >= 0) expect(existsSync(args[out + 1]), "the job folder").to.equal(false);
  }

  const gasCost = async (hash: string) => {
    const receipt = (await node.provider.getTransactionReceipt(hash))!;
    return receipt.gasUsed * receipt.gasPrice;
  };
  const txHash = (stdout: string) => stdout.match(/tx (0x[0-9a-f]{64})/)![1];

  before(async function () {
    // Automine: the cancel test moves the clock itself (increaseTime), and each transaction is mined as it is sent.
    node = await startLocalNode({ automine: true });
    funder = await node.provider.getSigner(0);
    ({ market } = await deployMarket(funder));
    market = marketAt(await market.getAddress(), node.provider);
    tmp = mkdtempSync(path.join(os.tmpdir(), "omni-job-"));
    deployment = path.join(tmp, "localhost.json");
    const { chainId } = await node.provider.getNetwork();
    const contracts = { OmniMarket: { address: await market.getAddress(), abi: [] } };
    writeFileSync(deployment, JSON.stringify({ network: "localhost", chainId: Number(chainId), deployedAt: "", contracts }));
    await initBackend({ log: () => undefined });
  });

  after(async function () {
    await node?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  describe("create, status and pull", function () {
    let owner: Wallet;
    let out: string;
    let jobId: bigint;

    before(async function () {
      owner = await fundedWallet("10");
      out = path.join(tmp, "job-1");
      const r = create(owner, out, ["--rule", "trimmed-mean", "--trim-bps", "3400", "--clip-norm", "4", "--scale-bits", "14", "--join-s", "300"]);
      expect(r.code, r.stderr).to.equal(0);
      jobId = BigInt(r.stdout.trim());
    });

    it("create posts a job whose on-chain parameters match the flags", async function () {
      const p = await market.jobParams(jobId);
      expect([p.numDOs, p.groupSize, p.rounds, p.rewardPerRound, p.stake]).to.deep.equal([9n, 3n, 2n, 1000n, 500n]);
      expect([p.rule, p.trimBps, p.scaleBits, p.clipNormQ, p.joinDuration]).to.deep.equal([1n, 3400n, 14n, 4n * 2n ** 14n, 300n]);
      expect(p.token).to.equal(ZeroAddress);
      expect(p.modelCommitment).to.equal(architectureCommitment(DEFAULT_MODEL_CONFIG));
      expect((await market.jobInfo(jobId)).owner).to.equal(owner.address);
      expect((await market.jobBooks(jobId)).budget).to.equal(9n * 2n * 1000n);
    });

    it("create publishes the saved model's public part, verified by its hash chain", async function () {
      const record = JSON.parse(readFileSync(path.join(out, "job.json"), "utf8")) as JobRecord;
      expect(record).to.include({ jobId: jobId.toString(), market: await market.getAddress(), task: "mnist", pretrainSamples: 200 });
      const saved = await loadModel(path.join(out, record.model));
      const onChain = await fetchInitialModel(market, jobId);
      expect(onChain).to.deep.equal(encodeModel(publicWeights(saved), 14));
    });

    it("status prints the phase and the roster", function () {
      const r = omni(["status", "--rpc", node.url, "--dir", out], "");
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`job ${jobId}`).and.contain("Joining").and.contain("roster 0/9");
      expect(r.stdout).to.contain("budget 18000 wei");
    });

    it("pull before any finalized round reports the starting accuracy", function () {
      const r = omni(["pull", "--rpc", node.url, "--dir", out, "--eval", "200"], "");
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/start\s+\d+\.\d\d%/);
      for (const file of ["report.json", "report.md", "chart.svg"]) expect(existsSync(path.join(out, "report", file))).to.equal(true);
      const record = JSON.parse(readFileSync(path.join(out, "job.json"), "utf8")) as JobRecord;
      expect(record.initialAccuracy).to.be.within(0, 1);
      expect(record.rounds).to.deep.equal([]);
    });

    it("cancel before the join deadline prints the decoded contract error", async function () {
      const r = omni(["cancel", "--rpc", node.url, "--dir", out], owner.privateKey);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/cancel reverted: MarketUnexpectedPhase\(/);
      expect(phaseName(await market.phase(jobId))).to.equal("Joining");
    });
  });

  describe("pull after a finalized round", function () {
    /**
     * Plays round 0 of a 9-member job in process: join, commit, submit the same small update each (so all three
     * groups are inliers, however they are drawn), aggregate.
     */
    async function playRound(jobId: bigint, d: number): Promise<void> {
      const { chainId } = await node.provider.getNetwork();
      const members: Member[] = [];
      for (let i = 0; i < 9; i++) {
        const wallet = await fundedWallet("1");
        const keys = await jobKeyPair(wallet, chainId, await market.getAddress(), jobId);
        const asMember = marketAt(await market.getAddress(), wallet);
        await joinJob(asMember, jobId, keys.publicKey);
        members.push({ market: asMember, jobId, index: i, secretKey: keys.secretKey });
      }
      // The last join opened the round; its groups are drawn from that block's hash, readable from the next block on.
      await node.provider.send("evm_mine", []);
      for (const member of members) await commitSeeds(member);
      for (const member of members)
        await submitMasked(
          member,
          Uint32Array.from({ length: d }, (_, k) => ((k % 7) - 3) >>> 0),
        );
      await aggregateRound(members[0].market, jobId);
    }

    it("pull applies the round's public model, saves the model and reports the round", async function () {
      const owner = await fundedWallet("10");
      const out = path.join(tmp, "job-played");
      const created = omni(
        [
          "create",
          "--rpc",
          node.url,
          "--deployment",
          deployment,
          "--pretrain",
          "200",
          "--data-owners",
          "9",
          "--group-size",
          "3",
          "--rounds",
          "1",
          "--reward",
          "1000",
          "--stake",
          "500",
          "--out",
          out,
        ],
        owner.privateKey,
      );
      expect(created.code, created.stderr).to.equal(0);
      const jobId = BigInt(created.stdout.trim());
      await playRound(jobId, Number((await market.jobParams(jobId)).paramCount));
      expect(phaseName(await market.phase(jobId))).to.equal("Completed");

      const r = omni(["pull", "--rpc", node.url, "--dir", out, "--eval", "200", "--finetune-epochs", "1"], "");
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/\n\s+0\s+\d+\.\d\d%\s+[\d,]+\s+\d+\s+3\/3\s+0\.0000\n/);
      const record = JSON.parse(readFileSync(path.join(out, "job.json"), "utf8")) as JobRecord;
      expect(record.model).to.equal("model-round-0");
      expect(record.rounds.map((row) => [row.round, row.inlierGroups, row.paidWei])).to.deep.equal([[0, 3, "9000"]]);
      const pulled = publicWeights(await loadModel(path.join(out, record.model)));
      const expected = Float32Array.from(dequantize(await fetchPublicModel(market, jobId, 1), 16));
      expect(pulled).to.deep.equal(expected);
      const report = JSON.parse(readFileSync(path.join(out, "report", "report.json"), "utf8"));
      expect(report.rounds).to.have.length(1);
      expect(Object.values(report.payoutsWei)).to.deep.equal(Array(9).fill("1000"));

      const again = omni(["pull", "--rpc", node.url, "--dir", out, "--eval", "200"], "");
      expect(again.code, again.stderr).to.equal(0);
      expect((JSON.parse(readFileSync(path.join(out, "job.json"), "utf8")) as JobRecord).rounds).to.have.length(1);
    });
  });

  describe("bad inputs", function () {
    let wallet: Wallet;

    before(async function () {
      wallet = await fundedWallet("10");
    });

    it("a group size below 3 is refused, naming the flag", async function () {
      const args = ["create", "--rpc", node.url, "--deployment", deployment, "--pretrain", "200", ...terms, "--out", path.join(tmp, "x")];
      args[args.indexOf("--group-size") + 1] = "2";
      await expectRefused(args, wallet, /--group-size: must be at least 3/);
    });

    it("fewer data owners than the rule needs groups of them is refused, naming the flag", async function () {
      const args = ["create", "--rpc", node.url, "--deployment", deployment, "--pretrain", "200", ...terms, "--out", path.join(tmp, "x")];
      args[args.indexOf("--data-owners") + 1] = "8";
      await expectRefused(
        args,
        wallet,
        /--data-owners: 8 data owners in groups of 3 make 2 groups; the median needs at least 3 to resist one bad group \(use at least 9\)/,
      );
      const trimmed = [...args, "--rule", "trimmed-mean", "--trim-bps", "2000"];
      trimmed[trimmed.indexOf("--data-owners") + 1] = "12";
      await expectRefused(
        trimmed,
        wallet,
        /--data-owners: 12 data owners in groups of 3 make 4 groups; the trimmed-mean needs at least 5 .*\(use at least 15\)/,
      );
      const krum = [...args, "--rule", "multi-krum"];
      krum[krum.indexOf("--data-owners") + 1] = "12";
      await expectRefused(krum, wallet, /--data-owners: 12 data owners in groups of 3 make 4 groups; the multi-krum needs at least 5 .*\(use at least 15\)/);
    });

    it("a malformed model folder is refused", async function () {
      const dir = path.join(tmp, "broken-model");
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "model.json"), "{ not json");
      const args = ["create", "--rpc", node.url, "--deployment", deployment, "--model", dir, ...terms, "--out", path.join(tmp, "x")];
      await expectRefused(args, wallet, /--model: .*model\.json: not valid JSON/);
    });

    it("a model of another architecture is refused, naming the tensor", async function () {
      const dir = path.join(tmp, "small-model");
      await saveModel(buildModel({ ...DEFAULT_MODEL_CONFIG, hiddenUnits: 16 }), dir);
      const args = ["create", "--rpc", node.url, "--deployment", deployment, "--model", dir, ...terms, "--out", path.join(tmp, "x")];
      await expectRefused(args, wallet, /--model: tensor 4 \(pub_dense\/kernel\) has shape \[400, 16\], the default CNN needs \[400, 32\]/);
    });

    it("a budget above the balance is refused, naming the shortfall", async function () {
      const poor = await fundedWallet("1");
      const args = ["create", "--rpc", node.url, "--deployment", deployment, "--pretrain", "200", ...terms, "--out", path.join(tmp, "x")];
      args[args.indexOf("--reward") + 1] = parseEther("1").toString();
      // Budget 9 · 2 · 1 ETH = 18 ETH against a balance of 1 ETH.
      await expectRefused(args, poor, /insufficient funds: the budget .* needs 18000000000000000000 wei.*short by 17000000000000000000 wei/);
    });

    it("an unknown job id is refused with the contract's error", async function () {
      await expectRefused(["status", "--rpc", node.url, "--deployment", deployment, "--job", "999"], wallet, /MarketUnknownJob\(999\)/);
    });

    it("a deployment recorded on another chain is refused", async function () {
      const other = path.join(tmp, "other-chain.json");
      writeFileSync(other, JSON.stringify({ ...JSON.parse(readFileSync(deployment, "utf8")), chainId: 1 }));
      const args = ["create", "--rpc", node.url, "--deployment", other, "--pretrain", "200", ...terms, "--out", path.join(tmp, "x")];
      await expectRefused(args, wallet, /is chain 31337, but the market is recorded on chain 1/);
    });
  });

  describe("cancel and refund", function () {
    it("cancel after the join deadline credits the budget and refund releases it to the wei", async function () {
      const owner = await fundedWallet("10");
      const out = path.join(tmp, "job-cancelled");
      // The shortest join window the contract admits for this job is 48 s.
      const created = create(owner, out, ["--join-s", "60"]);
      expect(created.code, created.stderr).to.equal(0);
      const jobId = BigInt(created.stdout.trim());
      await increaseTime(node.provider, 61);
      expect(phaseName(await market.phase(jobId))).to.equal("Cancelled");

      const before = await node.provider.getBalance(owner.address);
      const cancelled = omni(["cancel", "--rpc", node.url, "--deployment", deployment, "--job", jobId.toString()], owner.privateKey);
      expect(cancelled.code, cancelled.stderr).to.equal(0);
      expect(cancelled.stdout).to.contain("18000 wei credited to the owner");
      expect(await market.releasable(ZeroAddress, owner.address)).to.equal(18000n);

      const refunded = omni(["refund", "--rpc", node.url, "--dir", out], owner.privateKey);
      expect(refunded.code, refunded.stderr).to.equal(0);
      expect(refunded.stdout).to.contain(`released 18000 wei to ${owner.address}`);
      const gas = (await gasCost(txHash(cancelled.stdout))) + (await gasCost(txHash(refunded.stdout)));
      expect(await node.provider.getBalance(owner.address)).to.equal(before + 18000n - gas);
      expect(await market.releasable(ZeroAddress, owner.address)).to.equal(0n);
    });
  });
});
