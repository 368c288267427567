import { expect } from "chai";
import http from "http";
import type { AddressInfo } from "net";
import { Wallet } from "ethers";
import { NoContractError, WrongChainError } from "../../src/errors";
import { connectMarket, nodeChainId, withConnection } from "../../src/chain/connection";

/** A JSON-RPC endpoint that knows only eth_chainId and eth_getCode, answering with `chainId` and `code`. */
async function fakeNode(chainId: bigint, code: string): Promise<{ url: string; methods: string[]; close: () => Promise<void> }> {
  const methods: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const calls = [JSON.parse(body)].flat() as { id: number; method: string }[];
      const answers = calls.map(({ id, method }) => {
        methods.push(method);
        if (method === "eth_chainId") return { jsonrpc: "2.0", id, result: "0x" + chainId.toString(16) };
        if (method === "eth_getCode") return { jsonrpc: "2.0", id, result: code };
        return { jsonrpc: "2.0", id, error: { code: -32601, message: "method not found" } };
      });
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(Array.isArray(JSON.parse(body)) ? answers : answers[0]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, methods, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("chain/connection", () => {
  const market = "0x" + "12".repeat(20);
  const account = Wallet.createRandom();

  it("asks the node for its chain id through the request it is given", async () => {
    const node = await fakeNode(31337n, "0x");
    const actions: string[] = [];
    try {
      expect(await nodeChainId(node.url, (action, call) => (actions.push(action), call()))).to.equal(31337n);
      expect(actions).to.deep.equal(["connect"]);
    } finally {
      await node.close();
    }
  });

  it("refuses a node on another chain than the market's, naming both chains", async () => {
    const node = await fakeNode(1n, "0x6000");
    try {
      const error = await connectMarket({ rpcUrl: node.url, market, chainId: 31337n }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(WrongChainError);
      expect((error as Error).message).to.equal(`wrong chain: ${node.url} is chain 1, but the market is recorded on chain 31337`);
      expect(node.methods).to.deep.equal(["eth_chainId"]);
    } finally {
      await node.close();
    }
  });

  it("refuses a market address without a contract before it loads any key", async () => {
    const node = await fakeNode(31337n, "0x");
    try {
      const error = await connectMarket({ rpcUrl: node.url, market, chainId: 31337n, signer: { privateKey: "not a key" } }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(NoContractError);
      expect((error as Error).message).to.equal(`no contract at ${market} on chain 31337`);
    } finally {
      await node.close();
    }
  });

  it("connects as the account when a signer is given, and read-only otherwise", async () => {
    const node = await fakeNode(31337n, "0x6000");
    try {
      const signed = await withConnection({ rpcUrl: node.url, market, signer: { privateKey: account.privateKey } }, async (c) => ({
        chainId: c.chainId,
        account: c.wallet?.address,
        target: c.market.target,
      }));
      expect(signed).to.deep.equal({ chainId: 31337n, account: account.address, target: market });
      const readOnly = await withConnection({ rpcUrl: node.url, market }, async (c) => c.wallet);
      expect(readOnly).to.equal(undefined);
    } finally {
      await node.close();
    }
  });
});
