// The whole market on a local chain: anvil or a `hardhat node` on 127.0.0.1, the market deployed, a model owner
// that pretrains on a small slice of MNIST and posts a job, data owners as separate worker processes
// (each with its own key and Dirichlet(0.5) shard), rounds until the job completes, then the report.
// Everything it starts, it stops. Used by `npm run demo` and the end-to-end test.
import type { ChildProcess } from "child_process";
import { mkdirSync, mkdtempSync, rmSync } from "fs";
import os from "os";
import path from "path";
import { ZeroAddress } from "ethers";
import { buildModel, createRng, evaluate, initBackend, loadMnist, pretrain, selectSamples, writeShards, DEFAULT_MODEL_CONFIG } from "../ml";
import { Phase, PublicModelTracker, marketAbi, marketAt, phaseName, release, writeDeployment, type JobRuleName } from "../chain";
import { deployMarket } from "../chain/deployMarket";
import { applyRound } from "../owner/applyRound";
import { jobRunReport } from "../owner/jobReport";
import { payoutOutcome, readPayouts } from "../owner/payouts";
import { postJob, type JobTerms } from "../owner/postJob";
import { DevnetError } from "../errors";
import { DEMO_RECIPE } from "../owner/recipe";
import { writeReport, type RunReport } from "../owner/report";
import { groupsText, roundFacts, type RoundRow } from "../owner/roundReport";
import { startLocalNode, stopProcess, type ChainClient } from "./localNode";
import { fundedWallet, spawnWorker } from "./workers";

/** What to run. */
export interface MarketRunOptions {
  dataOwners: number;
  groupSize: number;
  rounds: number;
  /** The local chain's client (default: defaultChainClient()). */
  chain?: ChainClient;
  /** The first `malicious` data owners run `attack`. */
  malicious: number;
  attack?: string;
  /** Test mode: the attackers read the honest workers' saved updates every round (ALIE and IPM at full strength). */
  omniscient?: boolean;
  /** The job's rule (default the recipe's median) and, for a trimmed mean, its trimBps. */
  rule?: JobRuleName;
  trimBps?: number;
  reportDir: string;
  /** Overrides of the demo recipe (smaller data for tests). */
  recipe?: Partial<Pick<typeof DEMO_RECIPE, "ownerSamples" | "samplesPerDataOwner" | "minSamplesPerDataOwner" | "finetune">> & { testSamples?: number };
  /** Record the deployment as deployments/<name>.json (the demo records "localhost"; tests record nothing). */
  deploymentName?: string;
  /** Extra flags for every worker (e.g. fewer epochs). */
  workerArgs?: string[];
  say: (line: string) => void;
}

/** The run report plus the checks a user of the demo cares about. */
export interface MarketRunReport extends RunReport {
  checks: {
    booksBalance: boolean;
    attackersPaid: string[];
    honestUnpaidRounds: { account: string; round: number }[];
    /** An attacker's mean pay over an honest DO's (null without attackers). */
    attackerPayShare: number | null;
    /** Share of honest member-rounds unpaid. */
    honestPayLost: number;
  };
}

const ROOT = path.join(__dirname, "..", "..");
const ended = (phase: number): boolean => phase === Phase.Completed || phase === Phase.Cancelled;

/** Runs one job end to end on a fresh local chain and writes the report into `reportDir`. */
export async function runMarket(opts: MarketRunOptions): Promise<MarketRunReport> {
  const started = Date.now();
  if (opts.malicious > 0 && !opts.attack) throw new DevnetError("--malicious needs --attack NAME");
  if (opts.malicious >= opts.dataOwners) throw new DevnetError("--malicious must be below --data-owners");
  const r = { ...DEMO_RECIPE, ...opts.recipe };
  const say = opts.say;
  const work = mkdtempSync(path.join(os.tmpdir(), "omni-market-"));
  rmSync(path.join(opts.reportDir, "logs"), { recursive: true, force: true });
  mkdirSync(path.join(opts.reportDir, "logs"), { recursive: true });
  const node = await startLocalNode({ client: opts.chain });
  const workers: ChildProcess[] = [];
  try {
    say(`local chain: ${node.client} at ${node.url}`);
    const funder = await node.provider.getSigner(0);
    const { chainId } = await node.provider.getNetwork();
    const { address } = await deployMarket(funder);
    say(`market deployed at ${address}`);
    if (opts.deploymentName) {
      const client = String(await node.provider.send("web3_clientVersion", []));
      const file = await writeDeployment(opts.deploymentName, chainId, { OmniMarket: { address, abi: marketAbi() } }, client);
      say(`deployment recorded in ${path.relative(ROOT, file)}`);
    }

    const backend = await initBackend({ log: say });
    const train = loadMnist({ split: "train" });
    const test = loadMnist({ split: "test", limit: opts.recipe?.testSamples });
    const order = createRng(r.seed).shuffle(Array.from({ length: train.n }, (_, i) => i));
    const own = selectSamples(train, order.slice(0, r.ownerSamples));
    const perDataOwner = Math.min(r.samplesPerDataOwner, Math.floor((train.n - r.ownerSamples) / opts.dataOwners));
    const pool = selectSamples(train, order.slice(r.ownerSamples, r.ownerSamples + opts.dataOwners * perDataOwner));
    const dirichlet = { kind: "dirichlet" as const, alpha: 0.5, minPerClient: r.minSamplesPerDataOwner };
    const { dirs: shardDirs } = writeShards(path.join(work, "shards"), pool, opts.dataOwners, dirichlet, { seed: r.seed });

    const model = buildModel(DEFAULT_MODEL_CONFIG, r.seed);
    await pretrain(model, own, r.pretrain);
    const initialAccuracy = evaluate(model, test);
    say(`model owner pretrained on ${own.n} samples: test accuracy ${(initialAccuracy * 100).toFixed(2)}% (${test.n} test samples)`);

    const owner = await fundedWallet(funder, "100");
    const market = marketAt(address, owner.connect(node.provider));
    const rule = opts.rule ?? r.terms.rule;
    const terms: JobTerms = {
      ...r.terms,
      rule,
      trimBps: opts.trimBps,
      token: ZeroAddress,
      numDOs: opts.dataOwners,
      groupSize: opts.groupSize,
      rounds: opts.rounds,
    };
    const { jobId } = await postJob(market, model, DEFAULT_MODEL_CONFIG, terms);
    say(`job ${jobId} posted: ${opts.dataOwners} data owners, groups of ${opts.groupSize}, ${opts.rounds} rounds, rule ${rule}`);

    const attackers = new Set<string>();
    const exits: Promise<number | null>[] = [];
    for (let i = 0; i < opts.dataOwners; i++) {
      const wallet = await fundedWallet(funder, "10");
      const attacker = i < opts.malicious;
      if (attacker) attackers.add(wallet.address);
      const args = [
        "--rpc",
        node.url,
        "--market",
        address,
        "--data",
        shardDirs[i],
        "--state",
        path.join(work, `state-${i}`),
        "--job",
        jobId.toString(),
        "--seed",
        String(i + 1),
        ...(opts.workerArgs ?? []),
      ];
      if (attacker) args.push("--attack", opts.attack!, "--malicious", String(opts.malicious));
      if (attacker && opts.omniscient) {
        const honestStates = Array.from({ length: opts.dataOwners - opts.malicious }, (_, h) => path.join(work, `state-${opts.malicious + h}`));
        args.push("--omniscient", honestStates.join(","));
      }
      const { child, exited } = spawnWorker(args, wallet.privateKey, path.join(opts.reportDir, "logs", `worker-${i}.log`));
      workers.push(child);
      exits.push(exited);
      say(`data owner ${i}${attacker ? ` (attacker: ${opts.attack})` : ""}: ${wallet.address}, ${path.basename(shardDirs[i])}`);
    }

    const rows: RoundRow[] = [];
    const models = new PublicModelTracker(market, jobId);
    for (;;) {
      const phase = Number(await market.phase(jobId));
      const finalized = (await market.queryFilter(market.filters.RoundFinalized(jobId))).length;
      while (rows.length < finalized) {
        const round = rows.length;
        const accuracy = await applyRound(models, round, model, own, test, r.finetune);
        rows.push({ ...(await roundFacts(market, jobId, round)), accuracy });
        say(`round ${round}: accuracy ${(accuracy * 100).toFixed(2)}%, gas ${rows[round].gasUsed}, ${groupsText(rows[round])}`);
      }
      if (ended(phase)) break;
      // `phase` was read before the rounds were applied: the workers may have finished the job since.
      if (workers.every((w) => w.exitCode !== null)) {
        const now = Number(await market.phase(jobId));
        if (!ended(now)) throw new DevnetError(`every worker exited while the job is ${phaseName(now)}; see ${opts.reportDir}/logs`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const codes = await Promise.all(exits);
    if (codes.some((c) => c !== 0)) throw new DevnetError(`workers exited with codes ${codes.join(", ")}; see ${opts.reportDir}/logs`);
    await release(market, ZeroAddress, owner.address);
    const config = {
      chain: node.client,
      dataOwners: opts.dataOwners,
      groupSize: opts.groupSize,
      rounds: opts.rounds,
      malicious: opts.malicious,
      attack: opts.attack ?? null,
      rule,
      backend: backend.name,
      jobId: jobId.toString(),
      market: address,
      attackers: [...attackers],
    };
    const base = await jobRunReport(market, jobId, { initialAccuracy, rounds: rows, config, wallMs: Date.now() - started });
    const [books, payouts] = await Promise.all([market.jobBooks(jobId), readPayouts(market, jobId)]);
    const report: MarketRunReport = {
      ...base,
      checks: {
        booksBalance: books.paid + books.fees + books.refunded + books.slashed + books.stakesReturned === books.budget + books.stakes,
        ...payoutOutcome(payouts, attackers, rows.length),
      },
    };
    const file = writeReport(opts.reportDir, report);
    say(`job ${phaseName(await market.phase(jobId))}; report: ${file}`);
    return report;
  } finally {
    await Promise.all(workers.map((w) => stopProcess(w)));
    await node.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
