// src/chain/txs.ts send() on a real node: a transaction whose gas estimate went stale before it landed
// (another member's transaction changed what the call does) runs out of gas on-chain, and send() sends it
// again with a larger limit instead of failing the action. Seen first on anvil, whose estimates are tight:
// the join that fills the roster also opens round 0 and costs more than an estimate made a moment earlier
// (a worker died with "join reverted" when eight joined at once).
import { expect } from "chai";
import { Phase, TX_GAS_CAP, createJob, joinJob, marketAt, publishModel, send, type TxOverrides } from "../../src/chain";
import { deployMarket } from "../../src/chain/deployMarket";
import { generateKeyPair, packWords } from "../../src/protocol";
import { ContractRevertError } from "../../src/errors/chain";
import { CHAIN_CLIENTS, startLocalNode, type LocalNode } from "../../src/devnet/localNode";
import { benchChain, fundedWallets } from "../../bench/lib/driver";
import { cellParams } from "../../bench/lib/chainCell";

/** Members of the job: the fewest the median admits (3 groups of 3). */
const N = 9;

/** A job for N members on `node` with N − 1 joined, and the last one's join estimated while 2 seats were left. */
async function lastSeat(node: LocalNode) {
  const chain = benchChain(node.provider, node.client);
  const [owner, last, ...others] = await fundedWallets(chain, N + 1, "100");
  const { address } = await deployMarket(owner);
  const params = { ...cellParams({ d: 1_000, n: N, g: 3, dropouts: 0 }) };
  const { jobId } = await createJob({ market: marketAt(address, owner), params });
  await publishModel(marketAt(address, owner), jobId, packWords(new Uint32Array(1_000)));
  for (const other of others.slice(0, -1)) await joinJob(marketAt(address, other), jobId, (await generateKeyPair()).publicKey);
  const { publicKey } = await generateKeyPair();
  const market = marketAt(address, last);
  const stale = await market.join.estimateGas(jobId, publicKey[0], publicKey[1], { value: params.stake });
  await joinJob(marketAt(address, others.at(-1)!), jobId, (await generateKeyPair()).publicKey);
  return { market, jobId, publicKey, stake: params.stake, stale };
}

for (const client of CHAIN_CLIENTS)
  describe(`send() and stale gas estimates (${client})`, function () {
    this.timeout(120_000);
    let node: LocalNode;
    // Automine: a hardhat node that mines as it answers reports the failed join when it is sent (the case under test).
    before(async () => (node = await startLocalNode({ client, automine: true })));
    after(async () => node?.stop());

    it("sends again with a larger limit a join that ran out of gas because it filled the roster", async function () {
      const { market, jobId, publicKey, stake, stale } = await lastSeat(node);
      const limits: (bigint | undefined)[] = [];
      const cost = await send("join", (o: TxOverrides) => {
        limits.push(o.gasLimit);
        return market.join(jobId, publicKey[0], publicKey[1], { value: stake, gasLimit: o.gasLimit ?? stale });
      });
      // anvil reports the failure in the receipt, with the limit; a hardhat node when it is sent, without it.
      expect(limits).to.deep.equal([undefined, client === "anvil" ? stale * 2n : TX_GAS_CAP]);
      expect(cost.gasUsed).to.be.greaterThan(stale);
      expect(await market.phase(jobId)).to.equal(BigInt(Phase.Commit));
    });

    it("does not resend a transaction that reverted with the contract's error", async function () {
      const { market, jobId, publicKey, stake } = await lastSeat(node);
      await send("join", () => market.join(jobId, publicKey[0], publicKey[1], { value: stake }));
      let calls = 0;
      const again = send("join", (o: TxOverrides) => {
        calls++;
        return market.join(jobId, publicKey[0], publicKey[1], { value: stake, gasLimit: o.gasLimit ?? 1_000_000n });
      });
      const error = await again.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(ContractRevertError);
      expect(calls).to.equal(1);
    });
  });
