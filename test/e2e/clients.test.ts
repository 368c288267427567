// The two local chain clients execute the protocol alike: the same round — the same accounts, keys,
// updates, order of transactions and group draw — costs the same gas, transaction by transaction, on
// anvil and on a `hardhat node`, and ends in the same aggregate. The one input the clients do not share
// is the hash of the block that opened the round (their blocks differ: timestamps, PREVRANDAO), and with it
// the round's randomness, which picks the groups and so changes the cost of sorting them; this test writes
// the same randomness into the round on both chains before anyone commits (the first commit keeps a stored
// randomness instead of drawing it from that hash).
import { expect } from "chai";
import { AbiCoder, ZeroHash, keccak256, toUtf8Bytes } from "ethers";
import { fetchRoundAggregate, readRoundState, type TxCost } from "../../src/chain";
import { packWords } from "../../src/protocol";
import { CHAIN_CLIENTS, setStorageAt, startLocalNode, type ChainClient } from "../../src/devnet/localNode";
import { benchChain, openJob, runRound } from "../../bench/lib/driver";
import { cellParams, syntheticUpdate } from "../../bench/lib/chainCell";

const D = 3_000;
const FIXED_RANDOMNESS = keccak256(toUtf8Bytes("the same draw on both clients"));
/** OmniMarket keeps MarketStorage.State at slot 0; `rounds` is its third member, `randomness` the second slot of a Round, `drawBlock` the third. */
const ROUNDS_SLOT = 2n;
const RANDOMNESS_OFFSET = 1n;
const DRAW_BLOCK_OFFSET = 2n;

/** Gas of every transaction of one seeded round on `client`, in the order sent, its groups and its aggregate. */
async function seededRound(client: ChainClient) {
  // Automine: the bench driver's read cache holds only while blocks come from its own writes.
  const node = await startLocalNode({ client, automine: true });
  try {
    const chain = benchChain(node.provider, client);
    const model = new Uint32Array(D).map((_, i) => (i * 2654435761) & 0xffff);
    // 9 members in groups of 3: the fewest the median admits. openJob leaves a block after the draw block.
    const job = await openJob(chain, cellParams({ d: D, n: 9, g: 3, dropouts: 0 }), packWords(model), 7);
    const address = await job.market.getAddress();
    const base = BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [job.jobId, ROUNDS_SLOT])));
    const { randomness: drawn, drawBlock } = await job.market.roundInfo(job.jobId);
    expect(drawn, "the draw block's hash is readable").to.not.equal(ZeroHash);
    // Guards the slot arithmetic: before the first commit the randomness slot is empty (the view derives it
    // from the draw block's hash) and the next slot holds the draw block.
    expect(await node.provider.getStorage(address, base + RANDOMNESS_OFFSET)).to.equal(ZeroHash);
    expect(BigInt(await node.provider.getStorage(address, base + DRAW_BLOCK_OFFSET))).to.equal(drawBlock);
    await setStorageAt(chain.rpc, client, address, base + RANDOMNESS_OFFSET, FIXED_RANDOMNESS);
    const state = await readRoundState(job.market, job.jobId);
    const { costs } = await runRound(job, (i) => syntheticUpdate(D, i), new Set(), { concurrency: 1 });
    const list = (txs: TxCost[]) => txs.map((t) => t.gasUsed.toString());
    const gas: Record<string, string[]> = {
      create: list(job.setup.create),
      publish: list(job.setup.publish),
      join: list(job.setup.join),
      ...Object.fromEntries(Object.entries(costs).map(([phase, txs]) => [phase, list(txs)])),
    };
    return { gas, drawn, groups: state.groups.map((g) => g.members), aggregate: [...(await fetchRoundAggregate(job.market, job.jobId, 0))] };
  } finally {
    await node.stop();
  }
}

describe("the same round on anvil and on a hardhat node", function () {
  this.timeout(300_000);
  const runs = {} as Record<ChainClient, Awaited<ReturnType<typeof seededRound>>>;

  before(async function () {
    for (const client of CHAIN_CLIENTS) runs[client] = await seededRound(client);
  });

  it("draws different randomness on each client, overwritten with the same draw", function () {
    expect(runs.anvil.drawn).to.not.equal(runs.hardhat.drawn);
    expect(runs.anvil.groups).to.have.length(3);
    expect(runs.anvil.groups).to.deep.equal(runs.hardhat.groups);
  });

  it("costs the same gas, transaction by transaction", function () {
    const { anvil, hardhat } = { anvil: runs.anvil.gas, hardhat: runs.hardhat.gas };
    expect(anvil.commit).to.have.length(9);
    expect(anvil.submit).to.have.length(9);
    expect(anvil.aggregate.length).to.be.greaterThan(0);
    expect(anvil).to.deep.equal(hardhat);
  });

  it("ends in the same aggregate", function () {
    expect(runs.anvil.aggregate).to.have.length(D);
    expect(runs.anvil.aggregate).to.deep.equal(runs.hardhat.aggregate);
  });
});
