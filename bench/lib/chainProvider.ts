// A benchmark view of an ethers provider: identical view calls made while the chain state cannot have
// changed are answered once (the data owners' actions each re-read the round, which is O(n²) calls per
// phase), and every broadcast transaction is timed from sending to its return (automine: mined).
// Nothing here touches what is executed on-chain; gas comes from the receipts of the real transactions.
import type { Provider, TransactionRequest } from "ethers";

/** When one transaction was sent and when the node returned it mined (ms since the process started). */
export interface TxTiming {
  sentMs: number;
  minedMs: number;
}

/** The wrapped provider and what it observed. */
export interface BenchProvider {
  provider: Provider;
  /** Transaction hash → send and return times. */
  timings: Map<string, TxTiming>;
  /** Calls and cache hits, for the method notes of a result. */
  stats: { calls: number; cacheHits: number; sends: number };
}

// JSON-RPC methods that change chain state: any of them invalidates the cached reads.
const WRITES = /^(eth_send|evm_|hardhat_|anvil_)/;

/** Wraps `inner` (a node's JsonRpcProvider or Hardhat's in-process ethers provider) as described above. */
export function benchProvider(inner: Provider): BenchProvider {
  const timings = new Map<string, TxTiming>();
  const stats = { calls: 0, cacheHits: 0, sends: 0 };
  let generation = 0;
  let writesInFlight = 0;
  const cache = new Map<string, Promise<string>>();

  // A write moves the generation when it starts and when it ends, so no read that overlaps it is reused.
  async function write<T>(run: () => Promise<T>): Promise<T> {
    generation++;
    writesInFlight++;
    cache.clear();
    try {
      return await run();
    } finally {
      writesInFlight--;
      generation++;
      cache.clear();
    }
  }

  async function call(tx: TransactionRequest): Promise<string> {
    stats.calls++;
    const blockTag = tx.blockTag ?? "latest";
    if (blockTag !== "latest" || writesInFlight > 0) return inner.call(tx);
    const key = `${String(tx.to).toLowerCase()}:${tx.data}`;
    const hit = cache.get(key);
    if (hit) {
      stats.cacheHits++;
      return hit;
    }
    const started = generation;
    const pending = inner.call(tx);
    cache.set(key, pending);
    try {
      return await pending;
    } finally {
      // A read that overlapped a write may hold either state: keep it only if nothing changed meanwhile.
      if (generation !== started) cache.delete(key);
    }
  }

  async function broadcastTransaction(signed: string): ReturnType<Provider["broadcastTransaction"]> {
    stats.sends++;
    const sentMs = performance.now();
    const response = await write(() => inner.broadcastTransaction(signed));
    timings.set(response.hash, { sentMs, minedMs: performance.now() });
    return response;
  }

  const send = (method: string, params: unknown[]): Promise<unknown> => {
    const target = inner as unknown as { send(method: string, params: unknown[]): Promise<unknown> };
    return WRITES.test(method) ? write(() => target.send(method, params)) : target.send(method, params);
  };

  const provider = new Proxy(inner, {
    get(target, prop) {
      if (prop === "call") return call;
      if (prop === "broadcastTransaction") return broadcastTransaction;
      if (prop === "send") return send;
      const value = Reflect.get(target, prop, target);
      // ethers classes keep private fields: run their methods on the real object.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { provider, timings, stats };
}
