// The largest accepted sizes stay under the EIP-7825 cap of 16,777,216 gas per transaction: an
// aggregateChunk at n = 128 with the smallest group size and dropouts under the trimmed mean that trims
// least (the heaviest transaction the protocol needs; the median sorts the same lanes and sums none), and the biggest
// publishModel / submitMasked / finalizeRound / join calls around it. Windows are raised to the floors
// the contract sets for each size (withWindowFloors).
import { expect } from "chai";
import { ethers } from "hardhat";
import { finalizeRound } from "../../src/chain";
import { BPS } from "../../src/protocol";
import {
  Rule,
  createJobAs,
  deployFixture,
  fundedSigners,
  groupsOf,
  jobParams,
  modelOf,
  openJob,
  playRound,
  publish,
  withWindowFloors,
  type Params,
} from "./helpers";

const TX_CAP = 16_777_216n;

async function heaviestRound(p: Partial<Params>, dropoutsPerGroup: number) {
  const f = await deployFixture();
  const n = p.numDOs!;
  const dos = await fundedSigners(n);
  const chunkWords = Number(await f.market.chunkWordsFor(n, p.groupSize!, p.rule ?? Rule.Median));
  // One full chunk and a short second one.
  const params = withWindowFloors(jobParams({ ...p, rounds: 1, paramCount: 8 * (chunkWords + 1) }));
  const job = await openJob(f.market, f.mo, dos, params);
  const groups = await groupsOf(job);
  const dropouts: number[] = [];
  for (const g of groups) for (let t = 0; t < dropoutsPerGroup && g.length - t > 3; t++) dropouts.push(g[t]);
  const played = await playRound(job, { dropouts });
  // With the weights that certify the round under the geometric median.
  const finalize = await finalizeRound(f.market, job.jobId, 0);
  return { f, job, chunkWords, groups, dropouts, played, finalize };
}

describe("gas at the largest accepted sizes", function () {
  it("an aggregateChunk at n = 128, g = 3 under the trimmed mean that trims least stays under the transaction cap", async function () {
    // The smallest trimBps the contract accepts for 42 groups, ceil(10000 / 42) = 239, trims one mean from
    // each end and sums the other 40 sorted group means per lane: the rule's most expensive case.
    const trimBps = Math.ceil(BPS / Math.floor(128 / 3));
    const params = { numDOs: 128, groupSize: 3, rule: Rule.TrimmedMean, trimBps };
    const { chunkWords, groups, dropouts, played, finalize } = await heaviestRound(params, 1);
    const chunk0 = played.chunks[0].gasUsed;
    console.log(
      `      n=128 g=3 trimmed mean (trimBps ${trimBps}): ${groups.length} groups, ${dropouts.length} dropouts, C=${chunkWords}: ` +
        `aggregateChunk ${chunk0}, finalizeRound ${finalize.gasUsed}`,
    );
    expect(dropouts.length).to.be.greaterThan(0);
    expect(played.eligible.length).to.equal(42);
    expect(chunk0).to.be.lessThan(TX_CAP);
    // The largest finalization: 42 groups, a slash per group, 128 member records written fresh, the settlement.
    expect(finalize.gasUsed).to.be.lessThan(TX_CAP);
  });

  // The geometric median's chunk size trades Gram products and slots (growing with e²) for the per-lane rule:
  // its heaviest chunk (n = 9, the longest chunks) and the largest accepted e = 16. docs/CONTRACTS.md also
  // records n = 20, g = 4; n = 30, g = 3; and n = 128, g = 8 with dropouts, measured the same way.
  // Multi-Krum shares those chunks and its finalization, which chooses instead of certifying, is the dearer
  // one at e = 16 (4,709,325 gas against the certificate's 4,196,531, measured the same way): so the largest
  // size runs under Multi-Krum.
  for (const [n, g, rule] of [
    [9, 3, Rule.GeometricMedian],
    [48, 3, Rule.MultiKrum],
  ]) {
    const name = rule === Rule.MultiKrum ? "Multi-Krum" : "the geometric median";
    it(`an aggregateChunk and its finalization at n = ${n}, g = ${g} under ${name} stay under the transaction cap`, async function () {
      const { chunkWords, groups, dropouts, played, finalize } = await heaviestRound({ numDOs: n, groupSize: g, rule }, 1);
      const chunk0 = played.chunks[0].gasUsed;
      console.log(
        `      n=${n} g=${g} ${name}: ${groups.length} groups, ${dropouts.length} dropouts, C=${chunkWords}: ` +
          `aggregateChunk ${chunk0}, finalization ${finalize.gasUsed}`,
      );
      expect(played.eligible.length).to.equal(Math.floor(n / g));
      expect(chunk0).to.be.lessThan(TX_CAP);
      expect(finalize.gasUsed).to.be.lessThan(TX_CAP);
    });
  }

  it("an aggregateChunk at n = 128, g = 16 with many dropout pairs stays under the transaction cap", async function () {
    const { chunkWords, dropouts, played } = await heaviestRound({ numDOs: 128, groupSize: 16 }, 8);
    const chunk0 = played.chunks[0].gasUsed;
    console.log(`      n=128 g=16: ${dropouts.length} dropouts, C=${chunkWords}: aggregateChunk ${chunk0}`);
    expect(chunk0).to.be.lessThan(TX_CAP);
  });

  it("publishing 8192 model words in one call stays under the transaction cap", async function () {
    const f = await deployFixture();
    const p = withWindowFloors(jobParams({ paramCount: 8 * 8192 }));
    const jobId = await createJobAs(f.market, f.mo, p);
    const [receipt, ...more] = await publish(f.market, f.mo, jobId, modelOf(p.paramCount));
    expect(more).to.deep.equal([]);
    console.log(`      publishModel 8192 words: ${receipt.gasUsed}`);
    expect(receipt.gasUsed).to.be.lessThan(TX_CAP);
  });

  it("submitting every chunk of a 2^21-parameter update takes a handful of transactions under the cap", async function () {
    const f = await deployFixture();
    // The smallest job the median accepts: 9 DOs in three groups of 3.
    const p = withWindowFloors(jobParams({ paramCount: 1 << 21 }));
    const job = await openJob(f.market, f.mo, f.dos, p);
    const { chunkWords, chunkCount, wordCount } = await f.market.jobInfo(job.jobId);
    const groups = await groupsOf(job);
    expect(groups.map((g) => g.length)).to.deep.equal([3, 3, 3]);
    // Deliberately not an honest round: equal zero commitments activate every pair, and the submission is
    // words of non-zero bytes only, the heaviest calldata a vector can be, sent with raw calls.
    for (let i = 0; i < p.numDOs; i++) await f.market.connect(f.dos[i]).commitSeeds(job.jobId, 0n, [ethers.ZeroHash, ethers.ZeroHash]);
    // 8192 words per transaction: about 10.5M gas of calldata floor.
    const perTx = Math.floor(8192 / Number(chunkWords)) * Number(chunkWords);
    const bytes = new Uint8Array(Number(wordCount) * 32).fill(7);
    let max = 0n;
    for (let first = 0; first < Number(wordCount); first += perTx) {
      const last = Math.min(first + perTx, Number(wordCount));
      const tx = await f.market.connect(f.dos[0]).submitMasked(job.jobId, 0n, first / Number(chunkWords), bytes.subarray(first * 32, last * 32));
      const used = (await tx.wait())!.gasUsed;
      if (used > max) max = used;
    }
    expect(await f.market.chunksSubmitted(job.jobId, 0)).to.equal(chunkCount);
    console.log(`      submitMasked ${perTx} words (${perTx / Number(chunkWords)} chunks): ${max}`);
    expect(max).to.be.lessThan(TX_CAP);
  });
});
