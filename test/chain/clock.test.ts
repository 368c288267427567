// src/chain/clock.ts and the nudgeClock action on a node that mines only when a transaction arrives: a block
// is made exactly when wall time has passed a deadline by the grace and the chain has not, and never where
// blocks keep coming. Wall time is given to nudgeClock (nowMs), so no test waits for a deadline but cancel's.
import { expect } from "chai";
import {
  LIVE_CLOCK_GRACE_SECONDS,
  LOCAL_CLOCK_GRACE_SECONDS,
  Phase,
  cancel,
  chainClock,
  clockGraceSeconds,
  marketAt,
  nudgeClock,
  phaseDeadline,
  phaseName,
  tickClock,
  waitForBlockAfter,
} from "../../src/chain";
import { ChainClockBehindError } from "../../src/errors/chain";
import { defaultChainClient, startLocalNode } from "../../src/devnet/localNode";
import { jobEndingSoon, quietChain, wallTimePast, type QuietChain } from "./quietChain";

describe("the chain's clock on a node that mines only on transactions", function () {
  this.timeout(120_000);
  let chain: QuietChain;
  before(async () => (chain = await quietChain()));
  after(async () => chain?.node.stop());

  const nonce = () => chain.node.provider.getTransactionCount(chain.wallet.address);

  it("waits 2 s past a deadline on a development chain and 60 s elsewhere", function () {
    expect(clockGraceSeconds(31337n)).to.equal(LOCAL_CLOCK_GRACE_SECONDS).and.equal(2);
    expect(clockGraceSeconds(1n)).to.equal(LIVE_CLOCK_GRACE_SECONDS).and.equal(60);
  });

  it("nudgeClock sends nothing while wall time is within the grace of the deadline", async function () {
    const { timestamp, blockNumber } = await chainClock(chain.node.provider);
    const sent = await nonce();
    const deadline = timestamp + 50;
    expect(await nudgeClock({ signer: chain.wallet, deadline, nowMs: (deadline + 1.9) * 1000 })).to.equal(null);
    expect(await nonce()).to.equal(sent);
    expect(await chain.node.provider.getBlockNumber()).to.equal(blockNumber);
  });

  it("nudgeClock sends nothing once the chain is past the deadline", async function () {
    const { timestamp } = await chainClock(chain.node.provider);
    const sent = await nonce();
    expect(await nudgeClock({ signer: chain.wallet, deadline: timestamp - 1, nowMs: (timestamp + 100) * 1000 })).to.equal(null);
    expect(await nonce()).to.equal(sent);
  });

  it("nudgeClock sends one 0-value transaction to the sender itself when wall time passed the deadline by the grace and the chain did not", async function () {
    const before = await chainClock(chain.node.provider);
    const sent = await nonce();
    const tx = await nudgeClock({ signer: chain.wallet, deadline: before.timestamp, nowMs: (before.timestamp + 2.1) * 1000 });
    expect(tx).to.not.equal(null);
    expect(tx!.blockNumber).to.equal(before.blockNumber + 1);
    expect(await nonce()).to.equal(sent + 1);
    const sentTx = (await chain.node.provider.getTransaction(tx!.hash))!;
    // That the new block lies past the deadline needs wall time truly past it: the cancel test below shows it.
    expect([sentTx.from, sentTx.to, sentTx.value]).to.deep.equal([chain.wallet.address, chain.wallet.address, 0n]);
  });

  it("waitForBlockAfter returns at once when the block is there, and nudges once when the chain makes none", async function () {
    const { blockNumber } = await chainClock(chain.node.provider);
    let nudges = 0;
    const nudge = () => (nudges++, tickClock(chain.wallet));
    expect((await waitForBlockAfter(chain.node.provider, blockNumber - 1, nudge)).blockNumber).to.equal(blockNumber);
    expect(nudges).to.equal(0);
    const started = Date.now();
    const next = await waitForBlockAfter(chain.node.provider, blockNumber, nudge, { graceSeconds: 1, pollMs: 100 });
    expect(next.blockNumber).to.equal(blockNumber + 1);
    expect(nudges).to.equal(1);
    expect(Date.now() - started).to.be.at.least(1000);
  });

  it("phaseDeadline is the join deadline before the roster seals, the round's aggregation deadline in Aggregate, and nothing in the final phases", async function () {
    const { jobId, joinDeadline } = await jobEndingSoon(chain, 600);
    const { createdAt } = await chain.market.jobInfo(jobId);
    expect(joinDeadline).to.equal(createdAt + 600n);
    expect(await phaseDeadline(chain.market, jobId, Phase.Publishing)).to.equal(joinDeadline);
    expect(await phaseDeadline(chain.market, jobId, Phase.Joining)).to.equal(joinDeadline);
    // Aggregation ends at revealDeadline + aggregateDuration, after which finalizeRound voids the round.
    expect(await phaseDeadline(chain.market, jobId, Phase.Aggregate)).to.equal((await chain.market.roundInfo(jobId)).aggregateDeadline);
    for (const phase of [Phase.Completed, Phase.Cancelled]) expect(await phaseDeadline(chain.market, jobId, phase)).to.equal(undefined);
  });

  it("cancel makes the block a quiet chain needs once the join deadline has passed, and without a signer says why it cannot", async function () {
    // The shortest join window the contract admits (48 s): this test waits for it to pass.
    const { jobId, joinDeadline, budget } = await jobEndingSoon(chain);
    await wallTimePast(joinDeadline, LOCAL_CLOCK_GRACE_SECONDS + 0.2);
    // Calls still run at the last block, before the deadline.
    expect(phaseName(await chain.market.phase(jobId))).to.equal("Publishing");
    const readOnly = marketAt(chain.address, chain.node.provider);
    const error = await cancel({ market: readOnly, jobId }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ChainClockBehindError);
    expect((error as Error).message).to.match(
      /^cancel: the chain's clock \(last block \d+ at [0-9T:.-]+Z\) has not reached the join deadline [0-9T:.-]+Z, which passed \d+ s ago by this machine's clock/,
    );
    const sent = await nonce();
    const { refunded } = await cancel({ market: chain.market, jobId });
    expect(refunded).to.equal(budget);
    expect(await nonce(), "the nudge and the cancel").to.equal(sent + 2);
    expect(phaseName(await chain.market.phase(jobId))).to.equal("Cancelled");
  });
});

describe("the chain's clock on a node that mines every second", function () {
  this.timeout(60_000);

  it("nudgeClock and waitForBlockAfter send nothing: blocks keep coming", async function () {
    const node = await startLocalNode({ client: defaultChainClient() });
    try {
      const wallet = (await node.provider.getSigner(1)) as unknown as Parameters<typeof nudgeClock>[0]["signer"];
      const sent = await node.provider.getTransactionCount(await wallet.getAddress());
      // A deadline 10 s ago by wall time: the chain's latest block is already past it.
      expect(await nudgeClock({ signer: wallet, deadline: Math.floor(Date.now() / 1000) - 10 })).to.equal(null);
      const { blockNumber } = await chainClock(node.provider);
      const next = await waitForBlockAfter(node.provider, blockNumber, () => Promise.reject(new Error("nudged")), { graceSeconds: 5 });
      expect(next.blockNumber).to.be.greaterThan(blockNumber);
      expect(await node.provider.getTransactionCount(await wallet.getAddress())).to.equal(sent);
    } finally {
      await node.stop();
    }
  });
});
