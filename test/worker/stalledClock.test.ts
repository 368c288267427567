// The worker moves a stalled phase on itself: on a node that mines only when a transaction arrives, once wall
// time has passed the phase's deadline by the grace and the chain has made no block since, the worker sends
// one (src/worker/stalledClock.ts), so the next phase opens when the deadline says and not when someone
// happens to send a transaction.
import { expect } from "chai";
import { LOCAL_CLOCK_GRACE_SECONDS, Phase, phaseName } from "../../src/chain";
import type { Logger } from "../../src/infra";
import type { WorkerContext } from "../../src/worker/context";
import { moveStalledClock } from "../../src/worker/stalledClock";
import { jobInCommit, quietChain, wallTimePast, type QuietChain } from "../chain/quietChain";

describe("worker/stalledClock", function () {
  this.timeout(120_000);
  let chain: QuietChain;
  before(async () => (chain = await quietChain()));
  after(async () => chain?.node.stop());

  const lines: string[] = [];
  const log: Logger = { debug: () => undefined, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
  const context = (jobId: bigint) =>
    ({
      opts: { log },
      member: { market: chain.market, jobId, index: 0, secretKey: 1n },
      wallet: chain.wallet,
      clockGraceSeconds: LOCAL_CLOCK_GRACE_SECONDS,
    }) as unknown as WorkerContext;
  const sent = () => chain.node.provider.getTransactionCount(chain.wallet.address);

  it("sends one block once the commit deadline has passed by the grace, and the round moves on", async function () {
    // The shortest commit window the contract admits (48 s): the test waits for it to pass.
    const { jobId } = await jobInCommit(chain);
    const ctx = context(jobId);
    expect(Number(await chain.market.phase(jobId))).to.equal(Phase.Commit);
    const before = await sent();
    expect(await moveStalledClock(ctx, Phase.Commit), "before the deadline").to.equal(false);
    expect(await sent()).to.equal(before);

    const { commitDeadline } = await chain.market.roundInfo(jobId);
    await wallTimePast(commitDeadline, LOCAL_CLOCK_GRACE_SECONDS + 0.2);
    expect(phaseName(await chain.market.phase(jobId)), "the chain has not seen the deadline").to.equal("Commit");
    expect(await moveStalledClock(ctx, Phase.Commit)).to.equal(true);
    expect(await sent()).to.equal(before + 1);
    expect(lines.at(-1)).to.equal("the chain made no block past the deadline; sent one");
    // Nobody committed: past the commit deadline the round goes straight to Aggregate (a void round, which
    // finalizeRound settles at once); its aggregation deadline is a day away, so nothing is sent for it.
    expect(phaseName(await chain.market.phase(jobId))).to.equal("Aggregate");
    expect(await moveStalledClock(ctx, Phase.Aggregate)).to.equal(false);
    expect(await sent()).to.equal(before + 1);
  });
});
