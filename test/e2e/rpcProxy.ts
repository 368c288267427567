// A TCP proxy on 127.0.0.1 between a JSON-RPC client and a node, which can cut the line: drop every open
// connection and refuse new ones for a while. It reads the HTTP requests passing through (ethers sends
// each with a Content-Length), so a test can cut the line at an exact request — say, right after a
// transaction reached the node and before its answer comes back.
import { createServer, connect, type Server, type Socket } from "net";

/** One JSON-RPC call seen on its way to the node. */
export interface RpcCall {
  method: string;
  params: unknown[];
}

/** What the proxy does with a request: pass it and its answer (`pass`) or pass it and drop the answer (`drop-answer`). */
export type RequestVerdict = "pass" | "drop-answer";

/** A running proxy. */
export interface RpcProxy {
  url: string;
  port: number;
  /** Drops every connection and refuses new ones for `ms`; resolves once it accepts again. */
  outage(ms: number): Promise<void>;
  /** Times (Date.now()) of each outage's start and end. */
  outages: { from: number; to?: number }[];
  close(): Promise<void>;
}

/** Splits complete HTTP requests off the front of `buffer`; returns their bodies and the rest. */
function takeRequests(buffer: Buffer): { bodies: string[]; rest: Buffer } {
  const bodies: string[] = [];
  for (;;) {
    const end = buffer.indexOf("\r\n\r\n");
    if (end < 0) break;
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(buffer.subarray(0, end).toString("latin1"))?.[1] ?? 0);
    if (buffer.length < end + 4 + length) break;
    bodies.push(buffer.subarray(end + 4, end + 4 + length).toString("utf8"));
    buffer = buffer.subarray(end + 4 + length);
  }
  return { bodies, rest: buffer };
}

/** The JSON-RPC calls in a request body (a single call or a batch). */
function callsOf(body: string): RpcCall[] {
  try {
    const parsed = JSON.parse(body) as RpcCall | RpcCall[];
    return (Array.isArray(parsed) ? parsed : [parsed]).filter((c) => typeof c?.method === "string");
  } catch {
    return [];
  }
}

/**
 * Starts a proxy to 127.0.0.1:`targetPort`. `inspect` sees every call before it is forwarded; when it
 * answers "drop-answer" for a request, the request still reaches the node, its client connection is cut,
 * and `onDropped` runs (for instance to start an outage).
 */
export async function startRpcProxy(
  targetPort: number,
  inspect: (call: RpcCall) => RequestVerdict = () => "pass",
  onDropped: () => void = () => undefined,
): Promise<RpcProxy> {
  const clients = new Set<Socket>();
  const upstreams = new Set<Socket>();
  const outages: { from: number; to?: number }[] = [];
  let server: Server;
  let port = 0;

  const handle = (client: Socket) => {
    clients.add(client);
    const upstream = connect(targetPort, "127.0.0.1");
    upstreams.add(upstream);
    let pending: Buffer = Buffer.alloc(0);
    let answerDropped = false;
    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk);
      const { bodies, rest } = takeRequests(Buffer.concat([pending, chunk]));
      pending = rest;
      if (bodies.flatMap(callsOf).some((call) => inspect(call) === "drop-answer")) {
        answerDropped = true;
        client.destroy();
        onDropped();
      }
    });
    // Once the client is gone, the upstream stays open until the node has answered what it was sent.
    upstream.on("data", (chunk: Buffer) => (client.destroyed ? upstream.destroy() : client.write(chunk)));
    const closeUpstream = () => {
      if (!answerDropped) upstream.destroy();
      setTimeout(() => upstream.destroy(), 30_000).unref();
    };
    client.on("close", () => {
      clients.delete(client);
      closeUpstream();
    });
    client.on("error", () => undefined);
    upstream.on("close", () => {
      upstreams.delete(upstream);
      client.destroy();
    });
    upstream.on("error", () => client.destroy());
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer(handle);
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()));

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    outages,
    async outage(ms: number) {
      const record: { from: number; to?: number } = { from: Date.now() };
      outages.push(record);
      const closed = stopListening();
      for (const client of clients) client.destroy();
      await closed;
      await new Promise((resolve) => setTimeout(resolve, ms));
      await listen();
      record.to = Date.now();
    },
    async close() {
      const closed = stopListening();
      for (const socket of [...clients, ...upstreams]) socket.destroy();
      await closed;
    },
  };
}
