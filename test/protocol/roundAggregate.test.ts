import { expect } from "chai";
import { keccak256, toBeHex } from "ethers";
import { aggregateGroupSums, groupMean, inlierFlags, maskVector, roundAggregate } from "../../src/protocol";

const u32 = (values: number[]) => Uint32Array.from(values.map((v) => v >>> 0));
const seedOf = (i: number, j: number) => keccak256(toBeHex(i * 100 + j, 32));

describe("protocol/roundAggregate", () => {
  it("truncates group means toward zero on int32", () => {
    expect(Array.from(groupMean(u32([-7, 7, -1, 2 ** 31 - 1]), 3))).to.deep.equal([-2, 2, 0, 715827882]);
  });

  it("takes the median of group means per lane and flags the far group", () => {
    const result = aggregateGroupSums(
      [
        { submitters: 3, sum: u32([30, -30, 0]) },
        { submitters: 3, sum: u32([33, -27, 3]) },
        { submitters: 3, sum: u32([27, -33, -3]) },
        { submitters: 3, sum: u32([3000, 3000, 3000]) },
      ],
      { rule: "median" },
    );
    // means: [10,-10,0] [11,-9,1] [9,-11,-1] [1000,1000,1000]; even count → midpoint truncated.
    expect(Array.from(new Int32Array(result.aggregate.buffer))).to.deep.equal([10, -9, 0]);
    expect(result.dists.slice(0, 3)).to.deep.equal([1n, 2n, 6n]);
    expect(result.inliers).to.deep.equal([true, true, true, false]);
  });

  it("applies the trimmed mean with trimBps across groups", () => {
    const sums = [1, 2, 3, 4, 1000].map((v) => ({ submitters: 3, sum: u32([3 * v]) }));
    const result = aggregateGroupSums(sums, { rule: "trimmed-mean", trimBps: 2000 });
    expect(result.aggregate[0]).to.equal(3);
  });

  it("accumulates squared distances exactly beyond 2^53", () => {
    const result = aggregateGroupSums(
      [
        { submitters: 3, sum: u32([0, 0]) },
        { submitters: 3, sum: u32([0, 0]) },
        { submitters: 3, sum: u32([-(2 ** 31), -(2 ** 31)]) },
      ],
      { rule: "median" },
    );
    expect(result.dists[2]).to.equal(2n * (BigInt(Math.trunc(-(2 ** 31) / 3)) ** 2n));
  });

  it("gives the same outcome from masked vectors with dropouts as from the plain sums", async () => {
    const vectors = [
      [5, -3, 8],
      [6, -2, 9],
      [4, -4, 7],
      [100, 100, 100],
    ];
    // Members 0..3 in one group; member 3 dropped after committing; all pairs active.
    const masked = await Promise.all(
      [0, 1, 2].map((i) =>
        maskVector(u32(vectors[i]), i, [0, 1, 2, 3].filter((j) => j !== i).map((j) => ({ index: j, seed: seedOf(Math.min(i, j), Math.max(i, j)) }))),
      ),
    );
    const reveals = [0, 1, 2].map((i) => ({ submitter: i, dropped: 3, seed: seedOf(i, 3) }));
    const other = { submitters: 3, sum: u32([18, -6, 27, 0, 0, 0, 0, 0]) };
    const fromMasked = await roundAggregate({ groups: [{ masked, reveals }, other, other], rule: { rule: "median" } });
    const plain = aggregateGroupSums([{ submitters: 3, sum: u32([15, -9, 24, 0, 0, 0, 0, 0]) }, other, other], { rule: "median" });
    expect(Array.from(fromMasked.aggregate)).to.deep.equal(Array.from(plain.aggregate));
    expect(fromMasked.dists).to.deep.equal(plain.dists);
    expect(fromMasked.inliers).to.deep.equal(plain.inliers);
  });

  it("applies 10000 · dist ≤ factor · median with the boundary inside", () => {
    expect(inlierFlags([100n, 100n, 400n], 40000n)).to.deep.equal([true, true, true]);
    expect(inlierFlags([100n, 100n, 401n], 40000n)).to.deep.equal([true, true, false]);
  });

  it("refuses groups with fewer than 3 submitters", () => {
    expect(() => aggregateGroupSums([{ submitters: 2, sum: u32([1]) }], { rule: "median" })).to.throw(/submitters/);
  });
});
