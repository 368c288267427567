// The local chain's clock follows wall time on both clients: it mines a block a second with or without
// transactions, and a burst of transactions shares blocks instead of pushing the clock ahead one second per
// transaction. `automine: true` mines only when a transaction arrives, for tests that drive the clock.
import { expect } from "chai";
import { CHAIN_CLIENTS, defaultChainClient, startLocalNode, type LocalNode } from "../../src/devnet/localNode";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Seconds the latest block's timestamp lies behind wall time (negative: ahead). */
async function lag(node: LocalNode): Promise<{ blockNumber: number; seconds: number }> {
  const block = (await node.provider.getBlock("latest"))!;
  return { blockNumber: block.number, seconds: Date.now() / 1000 - block.timestamp };
}

/** Sends `count` 1-wei transfers from one account at once (explicit nonces) and waits for all of them; returns the blocks they landed in. */
async function burst(node: LocalNode, count: number): Promise<Set<number>> {
  const from = await node.provider.getSigner(1);
  const to = (await node.provider.getSigner(2)).address;
  const nonce = await from.getNonce();
  const sent = await Promise.all(Array.from({ length: count }, (_, k) => from.sendTransaction({ to, value: 1n, nonce: nonce + k })));
  const receipts = await Promise.all(sent.map((tx) => tx.wait()));
  return new Set(receipts.map((receipt) => receipt!.blockNumber));
}

for (const client of CHAIN_CLIENTS)
  describe(`the local chain's clock (${client})`, function () {
    this.timeout(60_000);
    let node: LocalNode;
    before(async () => (node = await startLocalNode({ client })));
    after(async () => node?.stop());

    it("mines a block a second with no transaction, its timestamp within 5 s of wall time", async function () {
      expect(node.blockTimeSeconds).to.equal(1);
      const first = await lag(node);
      const seen = [first];
      for (let i = 0; i < 3; i++) {
        await sleep(1000);
        seen.push(await lag(node));
      }
      // A block is stamped with the whole second it is mined in (up to 1 s behind) and read up to an interval later
      // (1 s): under 2 s, measured 0.8–1.7 s on an idle machine and up to 4.0 s with a benchmark on both cores;
      // the bound leaves room for that load, and the block count below still fails a node that stopped mining.
      for (const { seconds } of seen) expect(seconds).to.be.within(-0.5, 5);
      expect(seen.at(-1)!.blockNumber - first.blockNumber).to.be.at.least(2);
    });

    it("puts a burst of 30 transactions in a few blocks, the clock not ahead of wall time", async function () {
      const blocks = await burst(node, 30);
      expect(blocks.size).to.be.at.most(3);
      expect((await lag(node)).seconds).to.be.at.least(-0.5);
    });
  });

describe("a local chain with automine", function () {
  this.timeout(60_000);
  let node: LocalNode;
  before(async () => (node = await startLocalNode({ client: defaultChainClient(), automine: true })));
  after(async () => node?.stop());

  it("mines no block without a transaction, and one per transaction", async function () {
    expect(node.blockTimeSeconds).to.equal(null);
    const before = await node.provider.getBlockNumber();
    await sleep(2000);
    expect(await node.provider.getBlockNumber()).to.equal(before);
    const funder = await node.provider.getSigner(1);
    await (await funder.sendTransaction({ to: funder.address, value: 0n })).wait();
    expect(await node.provider.getBlockNumber()).to.equal(before + 1);
  });
});

describe("startLocalNode options", function () {
  it("refuses automine with a block time, and a block time that is not a whole number of seconds", async function () {
    const refused = (opts: Parameters<typeof startLocalNode>[0]) =>
      startLocalNode(opts).then(
        () => "started",
        (error: Error) => error.message,
      );
    expect(await refused({ automine: true, blockTimeSeconds: 2 })).to.match(/automine and blockTimeSeconds exclude each other/);
    expect(await refused({ blockTimeSeconds: 0.5 })).to.match(/blockTimeSeconds must be a whole number of seconds, at least 1; got 0.5/);
  });
});
