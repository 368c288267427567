// Benchmark: many data owners at once. N `omni worker` processes (spawned as src/devnet does) against one
// local node on 127.0.0.1 (anvil or a `hardhat node`, `--chain`) join one job, train, commit, submit, aggregate and release one round of the
// default CNN on MNIST. Records the wall time of each phase (seen by polling the chain) and of each worker
// stage (from the workers' stage lines), the total wall time, peak memory (the node's VmHWM and live peak,
// the sum and maximum of the workers' VmHWM, the peak of their summed VmRSS) and whether every worker was paid.
// Run: `npx ts-node --transpile-only bench/load.ts [--quick] [--chain anvil|hardhat]`; writes bench/results/load.json
// on a hardhat node, load-anvil.json on anvil (quick: 12 workers, the fewest for the median's 3 groups of 4, under bench/results/quick/). Every process it starts is stopped, also on error.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ZeroAddress, type Wallet } from "ethers";
import { CreditKind, marketAt, phaseName } from "../src/chain";
import { deployMarket } from "../src/chain/deployMarket";
import { startLocalNode, stopProcess, type LocalNode } from "../src/devnet/localNode";
import { fundedWallet, spawnWorker, type WorkerProcess } from "../src/devnet/workers";
import { buildModel, createRng, initBackend, loadMnist, pretrain, selectSamples, writeShards, DEFAULT_MODEL_CONFIG } from "../src/ml";
import { postJob } from "../src/owner/postJob";
import { DEMO_RECIPE } from "../src/owner/recipe";
import { createLogger } from "../src/infra/log";
import { withChainRetry } from "../src/worker/retry";
import { WORKER_STAGES } from "../src/worker/stages/names";
import { benchClient, clientResultName, isQuick, writeResult } from "./lib/results";
import { procMemory } from "./lib/chainMemory";

const GROUP_SIZE = 4;
const SAMPLES_PER_WORKER = 200;
const OWNER_SAMPLES = 500;
// A second poll keeps 50 pollers from crowding the node; with a 5-minute aggregator delay only the designated
// aggregator aggregates, so the Aggregate phase times one member's work.
const WORKER_FLAGS = ["--head-epochs", "1", "--epochs", "1", "--poll-ms", "1000", "--aggregator-delay-ms", "300000"];
/** The run stops (and stops everything it started) when the machine has less memory than this available. */
const MIN_AVAILABLE_MIB = 1536;
/** Memory set aside for each worker started (measured peaks: 210 MiB on average, 300 at most; most of it the TypeScript loader and TensorFlow.js). */
const WORKER_MIB = 260;
/** How long the start of one worker may wait for memory to be available before the run gives up. */
const SPAWN_WAIT_MS = 5 * 60_000;
/** The whole round must end within this long, or the run fails. */
const TIMEOUT_MS = 45 * 60_000;
const SAMPLE_MS = 500;

const seconds = (ms: number) => Math.round(ms / 10) / 100;
// Under this load the node resets the odd keep-alive connection: reads are retried, as the workers retry theirs.
const retryLog = createLogger("bench load", "warn");
const read = <T>(what: string, fn: () => Promise<T>) => withChainRetry(what, fn, retryLog, { maxMs: 15 * 60_000, baseDelayMs: 500, maxDelayMs: 5_000 });
/** Workers run at the lowest priority: the node serves them all, and starved of CPU it would answer nobody. */
const WORKER_NICENESS = 19;

/** VmHWM, VmRSS and live memory (VmRSS minus lazily freed pages) of a process in MiB, or undefined once it is gone. */
function memoryOf(pid: number): { hwm: number; rss: number; live: number } | undefined {
  const m = procMemory(pid);
  return m && { hwm: m.hwmKiB / 1024, rss: m.rssKiB / 1024, live: m.liveKiB / 1024 };
}

/** MemAvailable of the machine in MiB. */
function availableMiB(): number {
  return Number(/^MemAvailable:\s+(\d+) kB/m.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0) / 1024;
}

/**
 * Samples the memory of a set of processes until stopped; VmHWM is a high-water mark, so the last reading
 * before exit is the peak. `onLow` runs once when the machine's available memory falls below MIN_AVAILABLE_MIB.
 */
function memorySampler(pids: () => { node?: number; workers: number[] }, onLow: (availableMiB: number) => void) {
  const peakHwm = new Map<number, number>();
  let nodePeak = 0;
  let nodeLivePeak = 0;
  let workersRssPeak = 0;
  let minAvailable = Infinity;
  let warned = false;
  const sample = () => {
    const available = availableMiB();
    minAvailable = Math.min(minAvailable, available);
    if (available < MIN_AVAILABLE_MIB && !warned) {
      warned = true;
      onLow(available);
    }
    const { node, workers } = pids();
    const nodeMemory = node === undefined ? undefined : memoryOf(node);
    nodePeak = Math.max(nodePeak, nodeMemory?.hwm ?? 0);
    nodeLivePeak = Math.max(nodeLivePeak, nodeMemory?.live ?? 0);
    let rss = 0;
    for (const pid of workers) {
      const m = memoryOf(pid);
      if (!m) continue;
      peakHwm.set(pid, Math.max(peakHwm.get(pid) ?? 0, m.hwm));
      rss += m.rss;
    }
    workersRssPeak = Math.max(workersRssPeak, rss);
  };
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    sample,
    stop: () => clearInterval(timer),
    result: () => {
      const peaks = [...peakHwm.values()];
      return {
        nodePeakMiB: Math.round(nodePeak),
        nodeLivePeakMiB: Math.round(nodeLivePeak),
        workersMeasured: peaks.length,
        workerPeakMaxMiB: Math.round(Math.max(0, ...peaks)),
        workerPeakMeanMiB: Math.round(peaks.reduce((a, b) => a + b, 0) / Math.max(1, peaks.length)),
        workerPeakSumMiB: Math.round(peaks.reduce((a, b) => a + b, 0)),
        workersConcurrentRssPeakMiB: Math.round(workersRssPeak),
        machineMinAvailableMiB: Math.round(minAvailable),
      };
    },
  };
}

/** min / median / max of a list of numbers. */
function spread(values: number[]): { min: number; median: number; max: number } | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor((sorted.length - 1) / 2)], max: sorted[sorted.length - 1] };
}

async function main(): Promise<void> {
  const quick = isQuick();
  const client = benchClient();
  const workersCount = quick ? 12 : 50;
  const started = Date.now();
  const work = mkdtempSync(path.join(os.tmpdir(), "omni-load-"));
  const workers: WorkerProcess[] = [];
  let node: LocalNode | undefined;
  let lowMemory: string | undefined;
  const memory = memorySampler(
    () => ({ node: node?.pid, workers: workers.map((w) => w.child.pid!).filter(Boolean) }),
    (available) => (lowMemory = `only ${Math.round(available)} MiB of memory left available on the machine`),
  );
  let keepWork = false;
  const stopAll = async () => {
    memory.stop();
    await Promise.all(workers.map((w) => stopProcess(w.child)));
    await node?.stop();
    if (!keepWork) rmSync(work, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => void stopAll().finally(() => process.kill(process.pid, signal));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const say = (line: string) => console.log(`[${seconds(Date.now() - started).toFixed(1)} s] ${line}`);
  try {
    // Automine, as the recorded results were measured: every member acts, so each phase ends early and none
    // waits for a deadline; a phase that did stall would be moved on by the workers (src/worker/stalledClock.ts).
    node = await startLocalNode({ client, automine: true });
    const funder = await node.provider.getSigner(0);
    const { address } = await deployMarket(funder);
    const market = marketAt(address, node.provider);
    await initBackend({ log: () => undefined });
    const train = loadMnist({ split: "train", limit: OWNER_SAMPLES + workersCount * SAMPLES_PER_WORKER });
    const order = createRng(DEMO_RECIPE.seed).shuffle([...Array(train.n).keys()]);
    const model = buildModel(DEFAULT_MODEL_CONFIG, DEMO_RECIPE.seed);
    await pretrain(model, selectSamples(train, order.slice(0, OWNER_SAMPLES)), DEMO_RECIPE.pretrain);
    const owner = await fundedWallet(funder, "100");
    const terms = { ...DEMO_RECIPE.terms, token: ZeroAddress, numDOs: workersCount, groupSize: GROUP_SIZE, rounds: 1 };
    const { jobId } = await postJob(marketAt(address, owner.connect(node.provider)), model, DEFAULT_MODEL_CONFIG, terms);
    const info = await read("read job", () => market.jobInfo(jobId));
    const { dirs } = writeShards(path.join(work, "shards"), selectSamples(train, order.slice(OWNER_SAMPLES)), workersCount, { kind: "iid" }, { seed: 1 });
    const wallets: Wallet[] = [];
    for (let i = 0; i < workersCount; i++) wallets.push(await fundedWallet(funder, "1"));
    const setupMs = Date.now() - started;
    say(`job ${jobId} posted: ${workersCount} data owners in groups of ${GROUP_SIZE}, ${info.wordCount} words in ${info.chunkCount} chunks`);

    const spawnedAt = Date.now();
    for (let i = 0; i < workersCount; i++) {
      // Start a worker only when the memory it will need, and what the workers just started will still
      // take, leaves MIN_AVAILABLE_MIB free: the run must not push the machine (shared with others) out of memory.
      const waitFrom = Date.now();
      for (;;) {
        if (lowMemory) throw new Error(`stopping: ${lowMemory}`);
        const growing = workers.reduce((sum, w) => sum + Math.max(0, WORKER_MIB - (memoryOf(w.child.pid!)?.rss ?? WORKER_MIB)), 0);
        if (availableMiB() - growing >= MIN_AVAILABLE_MIB + WORKER_MIB) break;
        if (Date.now() - waitFrom > SPAWN_WAIT_MS) throw new Error(`not enough memory to start worker ${i} (${Math.round(availableMiB())} MiB available)`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      const args = [
        "--rpc",
        node.url,
        "--market",
        address,
        "--job",
        jobId.toString(),
        "--data",
        dirs[i],
        "--state",
        path.join(work, `state-${i}`),
        "--seed",
        String(i + 1),
        ...WORKER_FLAGS,
      ];
      const worker = spawnWorker(args, wallets[i].privateKey, path.join(work, `worker-${i}.log`));
      workers.push(worker);
      os.setPriority(worker.child.pid!, WORKER_NICENESS);
    }
    memory.sample();
    const spawnSeconds = seconds(Date.now() - spawnedAt);
    say(`${workersCount} workers started in ${spawnSeconds} s`);

    // Phase timeline from the chain; the round ends when every worker has exited.
    const phaseSeen: Record<string, number> = {};
    const all = Promise.all(workers.map((w) => w.exited));
    let exitedAll = false;
    void all.then(() => (exitedAll = true));
    for (;;) {
      const phase = phaseName(await read("read phase", () => market.phase(jobId)));
      if (phaseSeen[phase] === undefined) {
        phaseSeen[phase] = Date.now();
        say(`phase ${phase}`);
      }
      if (exitedAll) break;
      if (lowMemory) throw new Error(`stopping: ${lowMemory}`);
      const failed = workers.findIndex((w) => w.child.exitCode !== null && w.child.exitCode !== 0);
      if (failed >= 0) {
        keepWork = true;
        throw new Error(`worker ${failed} exited with code ${workers[failed].child.exitCode}; see ${path.join(work, `worker-${failed}.log`)}`);
      }
      if (Date.now() - spawnedAt > TIMEOUT_MS) throw new Error(`the round did not end within ${TIMEOUT_MS / 60_000} min (phase ${phase})`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const endedAt = Date.now();
    const codes = await all;
    const summaries = await Promise.all(
      workers.map(async (w) => JSON.parse((await w.stdout).trim().split("\n").pop() ?? "{}") as { account: string; releasedWei: string }),
    );

    // Payouts.
    const due = BigInt(terms.rewardPerRound) + BigInt(terms.stake);
    const rewarded = new Set(
      (await read("read credits", () => market.queryFilter(market.filters.Credited(jobId))))
        .filter((e) => Number(e.args.kind) === CreditKind.Reward)
        .map((e) => e.args.account),
    );
    const books = await read("read books", () => market.jobBooks(jobId));
    const releasable = await read("read credits", () => Promise.all(wallets.map((w) => market.releasable(ZeroAddress, w.address))));
    const paid = {
      everyWorkerExitedZero: codes.every((c) => c === 0),
      everyWorkerRewarded: wallets.every((w) => rewarded.has(w.address)),
      everyWorkerReleasedRewardAndStake: summaries.every((s) => s.releasedWei === due.toString()),
      nothingLeftToRelease: releasable.every((r) => r === 0n),
      rewardedWorkers: wallets.filter((w) => rewarded.has(w.address)).length,
      booksBalance: books.paid + books.fees + books.refunded + books.slashed + books.stakesReturned === books.budget + books.stakes,
      paidWei: books.paid.toString(),
      slashedWei: books.slashed.toString(),
    };

    // Phase wall times: from one phase's first sighting to the next one's.
    const seen = ["Joining", "Commit", "Submit", "Reveal", "Aggregate", "Completed"].filter((p) => phaseSeen[p] !== undefined);
    const phases: Record<string, number> = {};
    seen.forEach((p, i) => (phases[p] = seconds((i + 1 < seen.length ? phaseSeen[seen[i + 1]] : endedAt) - (i === 0 ? spawnedAt : phaseSeen[p]))));
    const stages: Record<string, unknown> = {};
    for (const stage of WORKER_STAGES) {
      const times = workers.flatMap((w) => w.stages.filter((s) => s.stage === stage).map((s) => seconds(s.at - spawnedAt)));
      if (times.length > 0) stages[stage] = { workers: times.length, ...spread(times) };
    }
    memory.sample();
    const mem = memory.result();
    const wallSeconds = seconds(Date.now() - started);
    const file = writeResult(clientResultName("load", client), quick, {
      config: {
        chain: client,
        workers: workersCount,
        groupSize: GROUP_SIZE,
        groups: Math.floor(workersCount / GROUP_SIZE),
        rounds: 1,
        model: "default split CNN (src/ml/model.ts DEFAULT_MODEL_CONFIG), public part 14,080 parameters",
        paramCount: Number((await read("read job", () => market.jobParams(jobId))).paramCount),
        chunkCount: Number(info.chunkCount),
        samplesPerWorker: SAMPLES_PER_WORKER,
        ownerPretrainSamples: OWNER_SAMPLES,
        workerFlags: WORKER_FLAGS,
        workerNiceness: WORKER_NICENESS,
        dataset: "MNIST train, iid shards",
      },
      method:
        `one local node (${client}, src/devnet/localNode.ts) and N \`omni worker\` processes spawned by src/devnet/workers.ts, all on 127.0.0.1; ` +
        "phase times from polling market.phase every 250 ms (Joining counts from the first worker's spawn, so it includes process start-up; " +
        "Completed lasts until the last worker exited after releasing); stage times are seconds after the spawn, from the workers' stage lines; " +
        `workers are started one after another, each once the machine has ${WORKER_MIB} MiB to spare above ${MIN_AVAILABLE_MIB} MiB, at niceness ${WORKER_NICENESS} (the node keeps the script's); ` +
        `memory from /proc/<pid>/status and smaps_rollup every ${SAMPLE_MS} ms (VmHWM peaks; the node's live peak is VmRSS minus LazyFree, pages its EVM freed that the kernel has not yet taken back; the sum of the workers' peaks bounds what they needed together, the summed VmRSS peak is what they held at once)`,
      wallSeconds,
      setupSeconds: seconds(setupMs),
      spawnSeconds,
      roundSeconds: seconds(endedAt - spawnedAt),
      phasesSeconds: phases,
      stagesSecondsAfterSpawn: stages,
      memory: mem,
      paid,
    });
    say(
      `round done in ${seconds(endedAt - spawnedAt)} s (total ${wallSeconds} s); every worker paid: ${paid.everyWorkerReleasedRewardAndStake && paid.everyWorkerRewarded}; ${file}`,
    );
    say(`memory: node ${mem.nodePeakMiB} MiB, workers max ${mem.workerPeakMaxMiB} MiB, sum of peaks ${mem.workerPeakSumMiB} MiB`);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
