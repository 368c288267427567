// The whole market on a local chain, from one command: a `hardhat node` on 127.0.0.1, the market
// deployed, a model owner that pretrains on a small slice of MNIST and posts a job, data owners as
// separate worker processes each with its own key and Dirichlet(0.5) shard, rounds until the job
// completes, then the per-round table and a report. Everything it starts, it stops.
// Usage: npm run demo -- [--data-owners 6] [--group-size 3] [--rounds 3] [--malicious K --attack NAME] [--json]
import { spawn, type ChildProcess } from "child_process";
import { Command } from "commander";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from "fs";
import os from "os";
import path from "path";
import { Wallet, ZeroAddress, parseEther, type Signer } from "ethers";
import { initBackend, buildModel, createRng, evaluate, loadMnist, pretrain, selectSamples, writeShards, DEFAULT_MODEL_CONFIG } from "../src/ml";
import { marketAt, marketAbi, phaseName, release, writeDeployment, Phase } from "../src/chain";
import { deployMarket } from "../src/chain/deployMarket";
import { startHardhatNode, stopProcess } from "../src/devnet/hardhatNode";
import { postJob, type JobTerms } from "../src/owner/postJob";
import { applyRound } from "../src/owner/applyRound";
import { roundFacts, type RoundRow } from "../src/owner/roundReport";
import { roundTable, writeReport, type RunReport } from "../src/owner/report";
import { integerOption } from "../src/cli/options";
import { DEMO_RECIPE } from "../src/owner/recipe";

interface DemoFlags {
  dataOwners: number;
  groupSize: number;
  rounds: number;
  malicious: number;
  attack?: string;
  json: boolean;
  report: string;
}

const ROOT = path.join(__dirname, "..");
const say = (flags: DemoFlags, line: string) => (flags.json ? process.stderr : process.stdout).write(line + "\n");

async function fundedWallet(funder: Signer, ether: string): Promise<Wallet> {
  const wallet = new Wallet(Wallet.createRandom().privateKey);
  await (await funder.sendTransaction({ to: wallet.address, value: parseEther(ether) })).wait();
  return wallet;
}

function spawnWorker(args: string[], privateKey: string, logFile: string): { child: ChildProcess; output: Promise<string> } {
  const child = spawn(process.execPath, [path.join(ROOT, "bin", "omni.js"), "worker", ...args], {
    cwd: ROOT,
    env: { ...process.env, PRIVATE_KEY: privateKey },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.pipe(createWriteStream(logFile));
  const output = new Promise<string>((resolve) => child.once("exit", () => resolve(out)));
  return { child, output };
}

async function main(flags: DemoFlags): Promise<void> {
  const started = Date.now();
  if (flags.malicious > 0 && !flags.attack) throw new Error("--malicious needs --attack NAME");
  if (flags.malicious >= flags.dataOwners) throw new Error("--malicious must be below --data-owners");
  const work = mkdtempSync(path.join(os.tmpdir(), "omni-demo-"));
  mkdirSync(path.join(flags.report, "logs"), { recursive: true });
  const node = await startHardhatNode();
  const workers: ChildProcess[] = [];
  try {
    say(flags, `local chain: hardhat node at ${node.url}`);
    const funder = await node.provider.getSigner(0);
    const { chainId } = await node.provider.getNetwork();
    const { address } = await deployMarket(funder);
    await writeDeployment("localhost", chainId, { OmniMarket: { address, abi: marketAbi() } });
    say(flags, `market deployed at ${address} (deployments/localhost.json)`);

    const backend = await initBackend({ log: (line) => say(flags, line) });
    const r = DEMO_RECIPE;
    const train = loadMnist({ split: "train" });
    const test = loadMnist({ split: "test" });
    const order = createRng(r.seed).shuffle(Array.from({ length: train.n }, (_, i) => i));
    const own = selectSamples(train, order.slice(0, r.ownerSamples));
    const pool = selectSamples(train, order.slice(r.ownerSamples, r.ownerSamples + flags.dataOwners * r.samplesPerDataOwner));
    const dirichlet = { kind: "dirichlet" as const, alpha: 0.5, minPerClient: r.minSamplesPerDataOwner };
    const { dirs: shardDirs } = writeShards(path.join(work, "shards"), pool, flags.dataOwners, dirichlet, { seed: r.seed });

    const model = buildModel(DEFAULT_MODEL_CONFIG, r.seed);
    await pretrain(model, own, r.pretrain);
    const initialAccuracy = evaluate(model, test);
    say(flags, `model owner pretrained on ${own.n} samples: test accuracy ${(initialAccuracy * 100).toFixed(2)}% (${test.n} test samples)`);

    const owner = await fundedWallet(funder, "100");
    const ownerMarket = marketAt(address, owner.connect(node.provider));
    const terms: JobTerms = { ...r.terms, token: ZeroAddress, numDOs: flags.dataOwners, groupSize: flags.groupSize, rounds: flags.rounds };
    const { jobId } = await postJob(ownerMarket, model, DEFAULT_MODEL_CONFIG, terms);
    say(flags, `job ${jobId} posted: ${flags.dataOwners} data owners, groups of ${flags.groupSize}, ${flags.rounds} rounds`);

    const outputs: Promise<string>[] = [];
    for (let i = 0; i < flags.dataOwners; i++) {
      const wallet = await fundedWallet(funder, "10");
      const attacker = i < flags.malicious;
      const args = ["--rpc", node.url, "--market", address, "--data", shardDirs[i], "--state", path.join(work, `state-${i}`), "--job", jobId.toString(), "--seed", String(i + 1), "--aggregator-delay-ms", "20000"];
      if (attacker) args.push("--attack", flags.attack!);
      const { child, output } = spawnWorker(args, wallet.privateKey, path.join(flags.report, "logs", `worker-${i}.log`));
      workers.push(child);
      outputs.push(output);
      say(flags, `data owner ${i}${attacker ? ` (attacker: ${flags.attack})` : ""}: ${wallet.address}, shard ${shardDirs[i]}`);
    }

    const rows: RoundRow[] = [];
    for (;;) {
      const phase = Number(await ownerMarket.phase(jobId));
      const info = await ownerMarket.jobInfo(jobId);
      const finalized = phase === Phase.Completed ? flags.rounds : Number(info.round);
      while (rows.length < finalized && (await ownerMarket.roundResult(jobId, rows.length)).aggregateHash !== undefined) {
        const round = rows.length;
        if ((await ownerMarket.queryFilter(ownerMarket.filters.RoundFinalized(jobId, round))).length === 0) break;
        const accuracy = await applyRound(ownerMarket, jobId, round, model, own, test, r.finetune);
        rows.push({ ...(await roundFacts(ownerMarket, jobId, round)), accuracy });
        const row = rows[round];
        say(flags, `round ${round}: accuracy ${(accuracy * 100).toFixed(2)}%, gas ${row.gasUsed}, inlier groups ${row.inlierGroups}/${row.eligibleGroups}`);
      }
      if (phase === Phase.Completed || phase === Phase.Cancelled) {
        if (rows.length >= finalized) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const summaries = (await Promise.all(outputs)).map((o) => o.trim().split("\n").pop() ?? "");
    const refund = await release(ownerMarket, ZeroAddress, owner.address);
    const books = await ownerMarket.jobBooks(jobId);
    const payoutsWei: Record<string, string> = {};
    for (const e of await ownerMarket.queryFilter(ownerMarket.filters.Credited(jobId))) {
      if (e.args.account === owner.address) continue;
      payoutsWei[e.args.account] = (BigInt(payoutsWei[e.args.account] ?? 0) + e.args.amount).toString();
    }
    const report: RunReport = {
      initialAccuracy,
      finalAccuracy: rows.at(-1)?.accuracy ?? initialAccuracy,
      rounds: rows,
      payoutsWei,
      budgetWei: books.budget.toString(),
      refundedWei: books.refunded.toString(),
      slashedWei: books.slashed.toString(),
      stakesReturnedWei: books.stakesReturned.toString(),
      config: { ...flags, backend: backend.name, jobId: jobId.toString(), market: address, ownerRefundReleasedWei: (refund?.amount ?? 0n).toString(), workersFinished: summaries.filter(Boolean).length },
      wallMs: Date.now() - started,
    };
    const file = writeReport(flags.report, report);
    say(flags, "\n" + roundTable(report));
    say(flags, `\njob ${phaseName(await ownerMarket.phase(jobId))}; report: ${file}`);
    if (flags.json) process.stdout.write(JSON.stringify(report) + "\n");
  } finally {
    await Promise.all(workers.map((w) => stopProcess(w)));
    await node.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

const program = new Command("demo")
  .option("--data-owners <n>", "data owners (worker processes)", integerOption, 6)
  .option("--group-size <n>", "group size g", integerOption, 3)
  .option("--rounds <n>", "rounds", integerOption, 3)
  .option("--malicious <n>", "how many data owners attack", integerOption, 0)
  .option("--attack <name>", "the attack the malicious data owners run")
  .option("--json", "end with one JSON line holding every figure", false)
  .option("--report <dir>", "where to write report.json, report.md and chart.svg", path.join(ROOT, "reports", "demo"))
  .action(async (flags: DemoFlags) => main(flags));

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
