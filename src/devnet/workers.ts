// Funded accounts and data-owner worker processes on a local chain, for demos, end-to-end tests and
// benchmarks. A worker's stage lines (src/worker/stages.ts) are read as they are written, so a caller can
// wait for a worker to reach a stage — for instance to kill it exactly there.
import { spawn, type ChildProcess } from "child_process";
import { createWriteStream } from "fs";
import path from "path";
import { createInterface } from "readline";
import { Wallet, parseEther, type Signer } from "ethers";
import { DevnetError } from "../errors";
import { parseStageLine, type StageEvent, type WorkerStage } from "../worker/stages/names";

const ROOT = path.join(__dirname, "..", "..");

/** A fresh account holding `ether` ETH sent from `funder`. */
export async function fundedWallet(funder: Signer, ether: string): Promise<Wallet> {
  const wallet = new Wallet(Wallet.createRandom().privateKey);
  await (await funder.sendTransaction({ to: wallet.address, value: parseEther(ether) })).wait();
  return wallet;
}

/** A stage line of a worker and when (Date.now()) it was read. */
export type SeenStage = StageEvent & { at: number };

/** A running `omni worker` process, its exit code once it ends, and the stages it reported. */
export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Everything the worker wrote on stdout (its summary line), once it ended. */
  stdout: Promise<string>;
  /** The stage lines read so far, in order. */
  stages: SeenStage[];
  /** Resolves with the first stage line of `stage` (in `round`, when given), seen already or to come; rejects if the worker ends first. */
  waitForStage(stage: WorkerStage, round?: number): Promise<SeenStage>;
}

/** Options of spawnWorker beyond the worker's flags. */
export interface SpawnWorkerOptions {
  /** Extra environment (say OMNI_KEYSTORE_PASSWORD); PRIVATE_KEY is set from `privateKey`. */
  env?: Record<string, string>;
}

/** Starts `omni worker` with `args`, its key in PRIVATE_KEY, and its log appended to `logFile`. */
export function spawnWorker(args: readonly string[], privateKey: string, logFile: string, opts: SpawnWorkerOptions = {}): WorkerProcess {
  const child = spawn(process.execPath, [path.join(ROOT, "bin", "omni.js"), "worker", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env, PRIVATE_KEY: privateKey },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(logFile, { flags: "a" });
  const stages: SeenStage[] = [];
  const waiters: { match: (s: SeenStage) => boolean; resolve: (s: SeenStage) => void }[] = [];
  const lines = createInterface({ input: child.stderr! });
  lines.on("line", (line) => {
    log.write(line + "\n");
    const event = parseStageLine(line);
    if (!event) return;
    const seen = { ...event, at: Date.now() };
    stages.push(seen);
    for (const waiter of waiters.splice(0)) {
      if (waiter.match(seen)) waiter.resolve(seen);
      else waiters.push(waiter);
    }
  });
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  // Every stderr line has been read (and logged) once the stream closes, which follows the exit.
  const closed = new Promise<void>((resolve) => lines.once("close", resolve));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => closed.then(() => log.end(() => resolve(code)))));
  const waitForStage = (stage: WorkerStage, round?: number) => {
    const match = (s: SeenStage) => s.stage === stage && (round === undefined || s.round === round);
    const seen = stages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<SeenStage>((resolve, reject) => {
      waiters.push({ match, resolve });
      exited.then((code) =>
        reject(new DevnetError(`worker exited (code ${code}) before stage ${stage}${round === undefined ? "" : ` of round ${round}`}; see ${logFile}`)),
      );
    });
  };
  return { child, exited, stdout: exited.then(() => out), stages, waitForStage };
}
