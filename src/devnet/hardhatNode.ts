// Starts a `hardhat node` on 127.0.0.1 at a free port for demos and end-to-end tests, and stops it.
import { spawn, type ChildProcess } from "child_process";
import { createServer } from "net";
import path from "path";
import { JsonRpcProvider } from "ethers";

/** A running local chain. */
export interface LocalNode {
  url: string;
  port: number;
  /** The node's process id (for memory readings). */
  pid: number;
  provider: JsonRpcProvider;
  stop(): Promise<void>;
}

const ROOT = path.join(__dirname, "..", "..");

/** A TCP port on 127.0.0.1 that is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
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

/** Starts `hardhat node` bound to 127.0.0.1 and resolves once it answers JSON-RPC. */
export async function startHardhatNode(timeoutMs = 60_000): Promise<LocalNode> {
  const port = await freePort();
  const child = spawn(process.execPath, [require.resolve("hardhat/internal/cli/bootstrap"), "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  while (!(await answersRpc(url))) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited with code ${child.exitCode}: ${stderr.trim()}`);
    if (Date.now() - started > timeoutMs) {
      await stopProcess(child);
      throw new Error(`hardhat node did not answer on ${url} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
  return {
    url,
    port,
    pid: child.pid!,
    provider,
    stop: async () => {
      provider.destroy();
      await stopProcess(child);
    },
  };
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
