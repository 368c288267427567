// Funded accounts and data-owner worker processes on a local chain, for demos and end-to-end tests.
import { spawn, type ChildProcess } from "child_process";
import { createWriteStream } from "fs";
import path from "path";
import { Wallet, parseEther, type Signer } from "ethers";

const ROOT = path.join(__dirname, "..", "..");

/** A fresh account holding `ether` ETH sent from `funder`. */
export async function fundedWallet(funder: Signer, ether: string): Promise<Wallet> {
  const wallet = new Wallet(Wallet.createRandom().privateKey);
  await (await funder.sendTransaction({ to: wallet.address, value: parseEther(ether) })).wait();
  return wallet;
}

/** A running `omni worker` process and its exit code once it ends. */
export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** Starts `omni worker` with `args`, its key in PRIVATE_KEY, and its log appended to `logFile`. */
export function spawnWorker(args: readonly string[], privateKey: string, logFile: string): WorkerProcess {
  const child = spawn(process.execPath, [path.join(ROOT, "bin", "omni.js"), "worker", ...args], {
    cwd: ROOT,
    env: { ...process.env, PRIVATE_KEY: privateKey },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr!.pipe(createWriteStream(logFile, { flags: "a" }));
  return { child, exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))) };
}
