// `omni worker` refuses bad set-ups with one line and a non-zero exit, before any stake moves.
import { expect } from "chai";
import { spawn } from "child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import os from "os";
import path from "path";
import { ZeroAddress } from "ethers";
import { buildModel, DEFAULT_MODEL_CONFIG, initBackend } from "../../src/ml";
import { marketAt } from "../../src/chain";
import { deployMarket } from "../../src/chain/deployMarket";
import { postJob } from "../../src/owner/postJob";
import { DEMO_RECIPE } from "../../src/owner/recipe";
import { startLocalNode, type LocalNode } from "../../src/devnet/localNode";
import { fundedWallet } from "../../src/devnet/workers";

const ROOT = path.join(__dirname, "..", "..");

/** Runs `omni worker` to its end; resolves with its exit code and stderr. */
function worker(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "omni.js"), "worker", ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("omni worker: bad set-ups (local chain)", function () {
  this.timeout(120_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), "omni-worker-cli-"));
  let node: LocalNode;
  let market: string;
  let jobId: bigint;
  let key: string;

  before(async function () {
    await initBackend({ log: () => undefined });
    // Automine: no deadline plays a part here, and each transaction is mined as it is sent.
    node = await startLocalNode({ automine: true });
    const funder = await node.provider.getSigner(0);
    ({ address: market } = await deployMarket(funder));
    const owner = await fundedWallet(funder, "10");
    ({ jobId } = await postJob(marketAt(market, owner.connect(node.provider)), buildModel(DEFAULT_MODEL_CONFIG, 1), DEFAULT_MODEL_CONFIG, {
      ...DEMO_RECIPE.terms,
      token: ZeroAddress,
      numDOs: 9,
      groupSize: 3,
      rounds: 1,
    }));
    key = (await fundedWallet(funder, "1")).privateKey;
  });

  after(async function () {
    if (node) await node.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const lastLine = (stderr: string) => stderr.trim().split("\n").pop() ?? "";

  it("stops on a corrupt data file before joining, so no stake moves", async function () {
    const shard = path.join(dir, "corrupt");
    mkdirSync(shard, { recursive: true });
    writeFileSync(path.join(shard, "images-idx3-ubyte"), Buffer.from([0, 0, 8, 3, 0, 0]));
    writeFileSync(path.join(shard, "labels-idx1-ubyte"), Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 7]));
    writeFileSync(path.join(shard, "shard.json"), JSON.stringify({ format: "idx", n: 1, numClasses: 10, classCounts: [] }));
    const { code, stderr } = await worker(
      ["--rpc", node.url, "--market", market, "--job", jobId.toString(), "--data", shard, "--state", path.join(dir, "s1")],
      { PRIVATE_KEY: key },
    );
    expect(code).to.equal(2);
    expect(lastLine(stderr)).to.match(/^omni worker: .*images-idx3-ubyte/);
    expect((await marketAt(market, node.provider).jobInfo(jobId)).joined).to.equal(0n);
  });

  it("refuses a node on another chain than the deployment record names", async function () {
    const deployment = path.join(dir, "other-chain.json");
    writeFileSync(deployment, JSON.stringify({ network: "x", chainId: 1, contracts: { OmniMarket: { address: market, abi: [] } } }));
    const { code, stderr } = await worker(
      ["--rpc", node.url, "--deployment", deployment, "--job", jobId.toString(), "--data", dir, "--state", path.join(dir, "s2")],
      { PRIVATE_KEY: key },
    );
    expect(code).to.equal(2);
    expect(lastLine(stderr)).to.contain("wrong chain");
  });

  it("refuses a job that does not exist", async function () {
    const { code, stderr } = await worker(["--rpc", node.url, "--market", market, "--job", "99", "--data", dir, "--state", path.join(dir, "s3")], {
      PRIVATE_KEY: key,
    });
    expect(code).to.equal(2);
    expect(lastLine(stderr)).to.contain("unknown job 99");
  });

  it("prints its help with every default, the bigint minimum reward included", async function () {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "omni.js"), "worker", "--help"], { cwd: ROOT });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).to.equal(0);
    expect(stdout).to.match(/--min-reward <wei>\s+smallest reward per round worth joining\s+\(default:\s+0\)/);
  });

  it("refuses to start without an account key", async function () {
    const { code, stderr } = await worker(["--rpc", node.url, "--market", market, "--job", jobId.toString(), "--data", dir, "--state", path.join(dir, "s4")], {
      PRIVATE_KEY: "",
    });
    expect(code).to.equal(2);
    expect(lastLine(stderr)).to.contain("no account key");
  });
});
