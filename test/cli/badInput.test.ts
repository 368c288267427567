// Bad input to the real command line (`node bin/omni.js ...`): each case ends with exit code 2 and one
// line `omni <command>: <problem>` naming what is wrong, and leaves nothing half-done — the account sent
// nothing and holds what it held, the market holds what it held, no job was posted, no state file or job
// folder was written or changed. The runs are independent (own account, own folders) and start together.
import { expect } from "chai";
import { spawn } from "child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from "fs";
import os from "os";
import path from "path";
import { Wallet, ZeroAddress, encryptKeystoreJsonSync, parseEther, type Signer } from "ethers";
import {
  buildModel,
  createRng,
  initBackend,
  loadMnist,
  saveModel,
  saveShard,
  selectSamples,
  writeCsvDataset,
  DEFAULT_MODEL_CONFIG,
  SHARD_FILES,
} from "../../src/ml";
import { marketAt, type OmniMarket } from "../../src/chain";
import { deployMarket } from "../../src/chain/deployMarket";
import { startLocalNode, type LocalNode } from "../../src/devnet/localNode";
import { writeJobRecord, type JobRecord } from "../../src/owner/jobFolder";
import { postJob } from "../../src/owner/postJob";
import { DEMO_RECIPE } from "../../src/owner/recipe";

const ROOT = path.join(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "omni.js");
/** Runs started at once; each is mostly start-up CPU, so more would only queue. */
const PARALLEL = 3;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A bad-input case: the command, its account, what its error line must say, and what must be left untouched. */
interface Case {
  title: string;
  args: () => string[];
  problem: RegExp;
  /** The account whose nonce and balance must not move (also given as PRIVATE_KEY unless `env` overrides). */
  account: () => Wallet;
  env?: () => Record<string, string>;
  /** Folders that must not exist after the run (state folders, job folders). */
  absent?: () => string[];
  /** Files that must be byte for byte what they were before the run. */
  unchanged?: () => string[];
}

/** Limits how many promises run at once. */
function pool(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (task) => {
    if (active >= size) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

function omni(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, OMNI_KEYSTORE_PASSWORD: "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("bad input to omni worker and omni job (local chain, real CLI)", function () {
  this.timeout(300_000);
  const tmp = mkdtempSync(path.join(os.tmpdir(), "omni-bad-input-"));
  const at = (...parts: string[]) => path.join(tmp, ...parts);
  let node: LocalNode;
  let funder: Signer;
  let market: OmniMarket;
  let address: string;
  let deployment: string;
  /** The job every worker case aims at: the default CNN, 9 data owners, stake 0.05 ETH. */
  let jobId: bigint;
  /** A job for another architecture (a smaller dense layer). */
  let otherArchitectureJob: bigint;
  /** A job that claims the default architecture but posted fewer public parameters than it has. */
  let shortModelJob: bigint;
  let shard: string;
  let modelDir: string;
  const wallets = new Map<string, Wallet>();
  const balances = new Map<string, bigint>();
  const contents = new Map<string, Buffer>();
  const runs = new Map<string, Promise<Run>>();
  let marketBalance: bigint;
  let jobCount: bigint;

  const wallet = (name: string) => wallets.get(name)!;
  const fund = async (name: string, wei: bigint) => {
    const w = new Wallet(Wallet.createRandom().privateKey, node.provider);
    if (wei > 0n) await (await funder.sendTransaction({ to: w.address, value: wei })).wait();
    wallets.set(name, w);
  };
  const workerArgs = (state: string, data = shard, job = jobId) => [
    "worker",
    "--rpc",
    node.url,
    "--market",
    address,
    "--job",
    job.toString(),
    "--data",
    data,
    "--state",
    at(state),
  ];
  const createArgs = (out: string, extra: string[] = []) => [
    "job",
    "create",
    "--rpc",
    node.url,
    "--deployment",
    deployment,
    "--model",
    modelDir,
    "--data-owners",
    "9",
    "--group-size",
    "3",
    "--rounds",
    "2",
    "--reward",
    "1000",
    "--stake",
    "500",
    "--out",
    at(out),
    ...extra,
  ];
  const folderOf = (name: string, record: Partial<JobRecord>) => {
    const dir = at(name);
    mkdirSync(dir, { recursive: true });
    writeJobRecord(dir, {
      jobId: jobId.toString(),
      market: address,
      chainId: "31337",
      task: "mnist",
      model: "model",
      createdAt: new Date().toISOString(),
      rounds: [],
      ...record,
    });
    for (const file of readdirSync(modelDir)) {
      mkdirSync(path.join(dir, "model"), { recursive: true });
      copyFileSync(path.join(modelDir, file), path.join(dir, "model", file));
    }
    return dir;
  };

  const cases: Case[] = [
    // Data files.
    {
      title: "omni worker refuses a truncated IDX image file, naming it, before joining",
      args: () => workerArgs("s-truncated", at("truncated")),
      problem: /images-idx3-ubyte: truncated data: header \[50, 28, 28\] needs 39216 bytes, file has 20000/,
      account: () => wallet("do"),
      absent: () => [at("s-truncated")],
    },
    {
      title: "omni worker refuses a CSV file cut in the middle of a line",
      args: () => workerArgs("s-csv-cut", at("cut.csv")),
      problem: /cut\.csv: line 6 has \d+ columns, expected 785 \(label \+ 784 pixels\)/,
      account: () => wallet("do"),
      absent: () => [at("s-csv-cut")],
    },
    {
      title: "omni worker refuses --omniscient without --attack: it is a test-mode option of an attacker",
      args: () => [...workerArgs("s-omniscient"), "--omniscient", at("s-other")],
      problem: /omniscient: is a test-mode option of an attacker: it needs --attack NAME/,
      account: () => wallet("do"),
      absent: () => [at("s-omniscient")],
    },
    // Models that do not match.
    {
      title: "omni worker refuses a job for another model architecture before joining",
      args: () => workerArgs("s-arch", shard, otherArchitectureJob),
      problem: /job \d+ is for another model architecture \(commitment 0x[0-9a-f]{64}\) than this worker trains/,
      account: () => wallet("do"),
      absent: () => [at("s-arch")],
    },
    {
      title: "omni worker refuses a job whose public model is not the size of its architecture",
      args: () => workerArgs("s-size", shard, shortModelJob),
      problem: /job \d+ has \d+ public parameters, this worker's model has 14080/,
      account: () => wallet("do"),
      absent: () => [at("s-size")],
    },
    {
      title: "omni job create refuses a model folder whose weights file is truncated",
      args: () => createArgs("out-truncated-weights", ["--model", at("truncated-weights")]),
      problem: /--model: .*weights\.bin: has 1000 bytes, the manifest in model\.json needs \d+/,
      account: () => wallet("mo"),
      absent: () => [at("out-truncated-weights")],
    },
    {
      title: "omni job create refuses a model.json whose tensor shapes do not fit its layers",
      args: () => createArgs("out-shapes", ["--model", at("bad-shapes")]),
      problem: /--model: .*model\.json: the weights do not fit the model topology/,
      account: () => wallet("mo"),
      absent: () => [at("out-shapes")],
    },
    // Money.
    {
      title: "omni worker refuses to join when the account cannot pay the stake",
      args: () => workerArgs("s-poor"),
      problem:
        /insufficient funds: joining job \d+ needs the stake of 50000000000000000 wei, 0x[0-9a-fA-F]{40} holds 10000000000000000 \(short by 40000000000000000 wei\)/,
      account: () => wallet("poor-do"),
      absent: () => [at("s-poor")],
    },
    {
      title: "omni worker refuses to join when the account can pay the stake but not the gas",
      args: () => workerArgs("s-no-gas"),
      problem: /insufficient funds: joining job \d+ needs the stake and the gas of \d+ wei, 0x[0-9a-fA-F]{40} holds 50000000000000000 /,
      account: () => wallet("stake-only-do"),
      absent: () => [at("s-no-gas")],
    },
    {
      title: "omni job create refuses a budget the account holds but cannot also pay the gas for",
      args: () => createArgs("out-no-gas"),
      problem: /insufficient funds: the budget and gas at \d+ wei\/gas needs \d+ wei, the account holds 18000 /,
      account: () => wallet("budget-only-mo"),
      absent: () => [at("out-no-gas")],
    },
    // Keys.
    {
      title: "omni worker refuses a keystore with the wrong password, naming the keystore and not the key",
      args: () => [...workerArgs("s-keystore"), "--keystore", at("key.json")],
      problem: /cannot decrypt keystore .*key\.json: wrong password or not an ethers JSON wallet$/,
      account: () => wallet("keystore"),
      env: () => ({ PRIVATE_KEY: "", OMNI_KEYSTORE_PASSWORD: "not the password" }),
      absent: () => [at("s-keystore")],
    },
    // Chains and jobs.
    {
      title: "omni job refund refuses a deployment recorded on another chain",
      args: () => ["job", "refund", "--rpc", node.url, "--deployment", at("chain-1.json")],
      problem: /is chain 31337, but the market is recorded on chain 1/,
      account: () => wallet("mo"),
    },
    {
      title: "omni job refund refuses an unknown job with the contract's error",
      args: () => ["job", "refund", "--rpc", node.url, "--deployment", deployment, "--job", "999"],
      problem: /read job reverted: MarketUnknownJob\(999\)/,
      account: () => wallet("mo"),
    },
    // State files.
    {
      title: "omni worker refuses a state file that is not JSON and leaves it as it was",
      args: () => workerArgs("s-corrupt").filter((_, i, a) => a[i] !== "--job" && a[i - 1] !== "--job"),
      problem: /invalid --state: .*worker\.json is not valid JSON/,
      account: () => wallet("do"),
      unchanged: () => [at("s-corrupt", "worker.json")],
    },
    {
      title: "omni job pull refuses a corrupt --data file and leaves the job folder as it was",
      args: () => ["job", "pull", "--rpc", node.url, "--dir", at("job-pull"), "--data", at("nan.csv"), "--eval", "100"],
      problem: /invalid --data: .*nan\.csv: line 3, column 10: "x" is not a number/,
      account: () => wallet("mo"),
      unchanged: () => [at("job-pull", "job.json")],
      absent: () => [at("job-pull", "report")],
    },
  ];

  before(async function () {
    await initBackend({ log: () => undefined });
    // Automine: no deadline plays a part here, and each transaction is mined as it is sent.
    node = await startLocalNode({ automine: true });
    funder = await node.provider.getSigner(0);
    ({ address } = await deployMarket(funder));
    market = marketAt(address, node.provider);
    deployment = at("localhost.json");
    writeFileSync(deployment, JSON.stringify({ network: "localhost", chainId: 31337, deployedAt: "", contracts: { OmniMarket: { address, abi: [] } } }));
    writeFileSync(at("chain-1.json"), JSON.stringify({ network: "x", chainId: 1, contracts: { OmniMarket: { address, abi: [] } } }));

    const owner = await fundedOwner();
    const terms = { ...DEMO_RECIPE.terms, token: ZeroAddress, numDOs: 9, groupSize: 3, rounds: 1 };
    ({ jobId } = await postJob(marketAt(address, owner), buildModel(DEFAULT_MODEL_CONFIG, 1), DEFAULT_MODEL_CONFIG, terms));
    const small = { ...DEFAULT_MODEL_CONFIG, hiddenUnits: 16 };
    ({ jobId: otherArchitectureJob } = await postJob(marketAt(address, owner), buildModel(small, 1), small, terms));
    ({ jobId: shortModelJob } = await postJob(marketAt(address, owner), buildModel(small, 1), DEFAULT_MODEL_CONFIG, terms));

    // Data: a good shard, then broken copies of it.
    const samples = selectSamples(loadMnist({ split: "train", limit: 50 }), createRng(1).shuffle([...Array(50).keys()]));
    shard = saveShard(at("shard"), samples);
    for (const broken of ["truncated"]) {
      mkdirSync(at(broken));
      for (const file of Object.values(SHARD_FILES)) copyFileSync(path.join(shard, file), at(broken, file));
    }
    truncateSync(at("truncated", SHARD_FILES.images), 20_000);
    writeCsvDataset(at("good.csv"), selectSamples(samples, [0, 1, 2, 3, 4]));
    const csv = readFileSync(at("good.csv"), "utf8");
    writeFileSync(at("cut.csv"), csv.slice(0, csv.length - 1000));
    const rows = csv.split("\n");
    rows[2] = rows[2]
      .split(",")
      .map((v, i) => (i === 9 ? "x" : v))
      .join(",");
    writeFileSync(at("nan.csv"), rows.join("\n"));

    // Models: a good one, then broken copies of it.
    modelDir = at("model");
    await saveModel(buildModel(DEFAULT_MODEL_CONFIG, 1), modelDir);
    for (const broken of ["truncated-weights", "bad-shapes"]) {
      mkdirSync(at(broken));
      for (const file of readdirSync(modelDir)) copyFileSync(path.join(modelDir, file), at(broken, file));
    }
    truncateSync(at("truncated-weights", "weights.bin"), 1000);
    const json = JSON.parse(readFileSync(path.join(modelDir, "model.json"), "utf8"));
    // Swap the first two tensors' shapes: the weights file still has the right size, the layers cannot take them.
    const specs = json.weightsManifest[0].weights;
    [specs[0].shape, specs[1].shape] = [specs[1].shape, specs[0].shape];
    writeFileSync(at("bad-shapes", "model.json"), JSON.stringify(json));

    // Accounts.
    const stake = DEMO_RECIPE.terms.stake;
    await fund("do", parseEther("1"));
    await fund("mo", parseEther("1"));
    await fund("poor-do", parseEther("0.01"));
    await fund("stake-only-do", stake);
    // The budget of createArgs' job: 9 data owners · 2 rounds · 1000 wei.
    await fund("budget-only-mo", 18000n);
    await fund("keystore", parseEther("1"));
    writeFileSync(at("key.json"), encryptKeystoreJsonSync(wallet("keystore"), "the password", { scrypt: { N: 1024 } }));

    // State and job folders.
    mkdirSync(at("s-corrupt"));
    writeFileSync(at("s-corrupt", "worker.json"), `{"jobId":"${jobId}","market":"${address}","cha`);
    folderOf("job-pull", {});

    for (const [name, w] of wallets) balances.set(name, await node.provider.getBalance(w.address));
    for (const c of cases) for (const file of c.unchanged?.() ?? []) contents.set(file, readFileSync(file));
    marketBalance = await node.provider.getBalance(address);
    jobCount = await market.jobCount();
    const limit = pool(PARALLEL);
    for (const c of cases) {
      runs.set(
        c.title,
        limit(() => omni(c.args(), { PRIVATE_KEY: c.account().privateKey, ...c.env?.() })),
      );
    }

    async function fundedOwner(): Promise<Wallet> {
      const w = new Wallet(Wallet.createRandom().privateKey, node.provider);
      await (await funder.sendTransaction({ to: w.address, value: parseEther("10") })).wait();
      return w;
    }
  });

  after(async function () {
    await Promise.allSettled(runs.values());
    await node?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(c.title, async function () {
      const r = await runs.get(c.title)!;
      const lines = r.stderr.trim().split("\n");
      const command = c.args()[0] === "job" ? `omni job ${c.args()[1]}` : `omni ${c.args()[0]}`;
      expect(r.code, r.stderr).to.equal(2);
      expect(lines.at(-1), r.stderr)
        .to.match(new RegExp(`^${command}: `))
        .and.match(c.problem);
      expect(
        lines.filter((line) => line.startsWith("omni ") || /^\s+at /.test(line)),
        "one error line, no stack",
      ).to.have.length(1);
      expect(r.stdout).to.equal("");
      const account = c.account();
      expect(r.stderr).not.to.contain(account.privateKey.slice(2));
      expect(await node.provider.getTransactionCount(account.address), "transactions sent").to.equal(0);
      const name = [...wallets].find(([, w]) => w.address === account.address)![0];
      expect(await node.provider.getBalance(account.address), "balance").to.equal(balances.get(name));
      for (const dir of c.absent?.() ?? []) expect(existsSync(dir), `${dir} exists`).to.equal(false);
      for (const file of c.unchanged?.() ?? []) expect(readFileSync(file).equals(contents.get(file)!), `${file} changed`).to.equal(true);
    });
  }

  it("after all of them the market holds what it held, no job was posted and no data owner joined", async function () {
    await Promise.all(runs.values());
    expect(await node.provider.getBalance(address)).to.equal(marketBalance);
    expect(await market.jobCount()).to.equal(jobCount);
    for (const id of [jobId, otherArchitectureJob, shortModelJob]) expect((await market.jobInfo(id)).joined).to.equal(0n);
  });
});
