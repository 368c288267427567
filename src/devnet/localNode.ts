// Starts a local chain on 127.0.0.1 at a free port for demos, end-to-end tests and benchmarks — a
// `hardhat node` (Hardhat's EDR) or Foundry's `anvil` — with the same rules on both: the osaka hardfork
// with the EIP-7825 cap of 16,777,216 gas per transaction enforced, a 60,000,000-gas block, chain id 31337,
// and the same 20 funded accounts (the well-known development mnemonic, 10,000 ETH each).
// The chain mines a block every second (blockTimeSeconds), with or without transactions, so its clock follows
// wall time and the transactions that arrive within a second share a block: phases end at their deadlines
// as they would on a live chain (docs/PROTOCOL.md "The clock moves with blocks"). `automine: true` mines one
// block per transaction and none otherwise, for callers that drive the clock themselves (evm_increaseTime).
// The few calls that differ between the two clients (setting a balance) are answered here, so nothing
// outside src/devnet needs to know which one runs.
import { spawn, type ChildProcess } from "child_process";
import { createServer } from "net";
import path from "path";
import { JsonRpcProvider } from "ethers";
import { DevnetError } from "../errors";
import { foundryBinary } from "./foundry";

/** The EVM clients a local chain can run on. */
export const CHAIN_CLIENTS = ["hardhat", "anvil"] as const;
/** One of CHAIN_CLIENTS. */
export type ChainClient = (typeof CHAIN_CLIENTS)[number];

/** A running local chain. */
export interface LocalNode {
  /** Which client serves it. */
  client: ChainClient;
  url: string;
  port: number;
  /** The node's process id (for memory readings). */
  pid: number;
  /** Seconds between blocks, or null when the node mines one block per transaction (automine). */
  blockTimeSeconds: number | null;
  provider: JsonRpcProvider;
  stop(): Promise<void>;
}

/** Options of startLocalNode. */
export interface StartNodeOptions {
  /** Defaults to defaultChainClient(). */
  client?: ChainClient;
  /** Seconds between blocks, a whole number (default 1); the clock follows wall time. */
  blockTimeSeconds?: number;
  /**
   * Mine one block per transaction and none in between, for callers that drive the clock themselves: the
   * clock then stands still while no transaction arrives, and on a hardhat node a burst runs it ahead of
   * wall time (each block a second after the last; anvil stamps them with the same second). Excludes blockTimeSeconds.
   */
  automine?: boolean;
  timeoutMs?: number;
}

const ROOT = path.join(__dirname, "..", "..");
/** The development mnemonic both clients fund their accounts from. */
const MNEMONIC = "test test test test test test test test test test test junk";
const ACCOUNTS = 20;
const BALANCE_ETH = 10_000;
const BLOCK_GAS_LIMIT = 60_000_000;
const CHAIN_ID = 31337;
/** Past states anvil keeps (in memory) for calls at an older block. */
const HISTORY_STATES = 64;
/** Seconds between blocks unless the caller asks for another interval or for automine. */
export const DEFAULT_BLOCK_TIME_SECONDS = 1;
/** The variable hardhat.config.ts reads to mine the `hardhat node` on an interval (milliseconds); unset, it automines. */
export const HARDHAT_BLOCK_TIME_ENV = "OMNI_NODE_BLOCK_TIME_MS";

/** Reads a client name (for --chain and OMNI_CHAIN); throws naming the accepted values. */
export function parseChainClient(value: string, source = "--chain"): ChainClient {
  if ((CHAIN_CLIENTS as readonly string[]).includes(value)) return value as ChainClient;
  throw new DevnetError(`${source} must be one of ${CHAIN_CLIENTS.join(", ")}, got "${value}"`);
}

/** The client named by OMNI_CHAIN, else anvil (the faster of the two here; see the README). */
export function defaultChainClient(): ChainClient {
  const named = process.env.OMNI_CHAIN;
  return named ? parseChainClient(named, "OMNI_CHAIN") : "anvil";
}

/** A TCP port on 127.0.0.1 that is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new DevnetError("no free port on 127.0.0.1"))));
    });
  });
}

/** Ends a child process and waits for it (SIGTERM, then SIGKILL after `graceMs`). */
export function stopProcess(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** The seconds between blocks `opts` ask for, or null for automine; throws naming the option. */
function blockTime(opts: StartNodeOptions): number | null {
  if (opts.automine) {
    if (opts.blockTimeSeconds !== undefined) throw new DevnetError("startLocalNode: automine and blockTimeSeconds exclude each other");
    return null;
  }
  const seconds = opts.blockTimeSeconds ?? DEFAULT_BLOCK_TIME_SECONDS;
  if (!Number.isInteger(seconds) || seconds < 1)
    throw new DevnetError(`startLocalNode: blockTimeSeconds must be a whole number of seconds, at least 1; got ${seconds}`);
  return seconds;
}

/** The command line that starts `client` on `port` with the shared rules, mining every `seconds` (null: automine). */
function nodeCommand(client: ChainClient, port: number, seconds: number | null): { file: string; args: string[]; env: Record<string, string> } {
  if (client === "hardhat") {
    // hardhat.config.ts leaves the in-process network at Hardhat's defaults, which are these rules; the
    // variable turns on interval mining for this node only (the in-process network of the tests keeps automine).
    return {
      file: process.execPath,
      args: [require.resolve("hardhat/internal/cli/bootstrap"), "node", "--hostname", "127.0.0.1", "--port", String(port)],
      env: seconds === null ? {} : { [HARDHAT_BLOCK_TIME_ENV]: String(seconds * 1000) },
    };
  }
  return {
    file: foundryBinary("anvil"),
    env: {},
    args: [
      ...(seconds === null ? [] : ["--block-time", String(seconds)]),
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--hardfork",
      "osaka",
      "--enable-tx-gas-limit",
      "--gas-limit",
      String(BLOCK_GAS_LIMIT),
      "--chain-id",
      String(CHAIN_ID),
      "--accounts",
      String(ACCOUNTS),
      "--balance",
      String(BALANCE_ETH),
      "--mnemonic",
      MNEMONIC,
      // A 1,000,000-parameter round's largest transactions are close to the default 2 MB request limit.
      "--no-request-size-limit",
      // By default anvil writes a snapshot of the whole state to ~/.foundry/anvil/tmp for every block that
      // leaves its in-memory window (about 10 MB a block in a 1,000,000-parameter round: 3 GB a minute) and
      // leaves them there after it stops. Nothing here reads old states: keep HISTORY_STATES in memory, none on disk.
      "--prune-history",
      String(HISTORY_STATES),
    ],
  };
}

/** Starts a local chain on 127.0.0.1 and resolves once it answers JSON-RPC. */
export async function startLocalNode(opts: StartNodeOptions = {}): Promise<LocalNode> {
  const client = opts.client ?? defaultChainClient();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const seconds = blockTime(opts);
  const port = await freePort();
  const { file, args, env } = nodeCommand(client, port, seconds);
  const inherited = { ...process.env };
  delete inherited[HARDHAT_BLOCK_TIME_ENV];
  const child = spawn(file, args, {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...inherited, ...env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const spawnFailed = new Promise<Error>((resolve) => child.once("error", resolve));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  while (!(await answersRpc(url))) {
    const failure = await Promise.race([spawnFailed, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 250))]);
    if (failure) throw new DevnetError(`${client} could not start: ${failure.message}`, { cause: failure });
    if (child.exitCode !== null) throw new DevnetError(`${client} exited with code ${child.exitCode}: ${stderr.trim()}`);
    if (Date.now() - started > timeoutMs) {
      await stopProcess(child);
      throw new DevnetError(`${client} did not answer on ${url} within ${timeoutMs} ms`);
    }
  }
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
  return {
    client,
    url,
    port,
    pid: child.pid!,
    blockTimeSeconds: seconds,
    provider,
    stop: async () => {
      provider.destroy();
      await stopProcess(child);
    },
  };
}

/** A JSON-RPC send function (a provider's `send`, bound). */
export type RpcSend = (method: string, params: unknown[]) => Promise<unknown>;

/** Sets an account's ETH balance on a local chain (each client names this call differently). */
export async function setBalance(send: RpcSend, client: ChainClient, account: string, wei: bigint): Promise<void> {
  await send(`${client}_setBalance`, [account, "0x" + wei.toString(16)]);
}

/** Overwrites one storage slot of a contract on a local chain (for tests that must fix a value the chain draws). */
export async function setStorageAt(send: RpcSend, client: ChainClient, contract: string, slot: bigint, value: string): Promise<void> {
  await send(`${client}_setStorageAt`, [contract, "0x" + slot.toString(16), value]);
}

/** Moves a local chain's clock forward by `seconds` and mines a block (calls both clients answer). */
export async function increaseTime(provider: JsonRpcProvider, seconds: number): Promise<void> {
  await provider.send("evm_increaseTime", [seconds]);
  await provider.send("evm_mine", []);
}

async function answersRpc(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return response.ok;
  } catch {
    return false;
  }
}
